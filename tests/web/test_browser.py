"""End to end in real headless Chromium: log in, search without accents, open a flagged
document, correct its topic, see the correction. Leaves a screenshot in test-output/."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from index.backends import open_backend
from index.settings import Settings
from tests.conftest import REPO, make_document

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("ENVMON_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "mật khẩu đủ dài 2026"
OUTPUT = REPO / "test-output"
STARTUP_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(data_dir: Path, cli) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """`envmon serve` on a free loopback port over a data dir with a few indexed documents."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing; install it with `apt-get install -y chromium`."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    backend = open_backend(Settings())
    backend.upsert([
        make_document("land", "Hàng trăm hộ dân phản đối việc thu hồi đất đai cho dự án mỏ đá Hữu Lũng.",
                      title="Dân phản đối thu hồi đất đai", topic="mining", sensitivity="high", provinces=("Lạng Sơn",)),
        make_document("water", "Nước sông bị ô nhiễm sau mưa lớn.", title="Sông ô nhiễm", provinces=("Bắc Giang",)),
        make_document("meeting", "Hội nghị về quản lý đất đai và tài nguyên năm 2027.", title="Hội nghị đất đai", topic="governance"),
    ])
    backend.close()
    assert cli("user", "add", "ana", "--role", "analyst", "--password-stdin", input=PASSWORD + "\n").exit_code == 0
    port = _free_port()
    envmon = Path(sys.executable).with_name("envmon")
    process = subprocess.Popen([str(envmon), "serve", "--host", "127.0.0.1", "--port", str(port)], env=os.environ.copy(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"envmon serve did not start: {process.communicate()[0].decode(errors='replace')[-2000:]}")
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def test_analyst_corrects_a_flagged_documents_topic_in_a_real_browser(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    OUTPUT.mkdir(exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
            page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))

            page.goto(server + "/flagged")
            expect(page).to_have_url(server + "/login?next=%2Fflagged")
            page.fill("input[name=username]", "ana")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            expect(page).to_have_url(server + "/flagged")

            page.goto(server + "/search")
            page.fill("input[name=q]", "dat dai")
            page.press("input[name=q]", "Enter")
            expect(page.locator("p.total")).to_have_text("2 tài liệu")
            expect(page.locator("ol.hits mark").first).to_have_text("đất")
            expect(page.locator("aside.facets h2").first).to_be_visible()
            page.screenshot(path=str(OUTPUT / "browser-search.png"), full_page=True)

            page.click("nav >> text=Cần xem xét")
            page.click("ol.flagged >> text=Dân phản đối thu hồi đất đai")
            expect(page.locator("h1")).to_have_text("Dân phản đối thu hồi đất đai")
            expect(page.locator("tr.label-topic td.model-value")).to_have_text("Khai khoáng")

            page.select_option("#correct-topic", "project_eia")
            page.click("text=Lưu xem xét")
            expect(page.locator("tr.label-topic td.analyst-value")).to_have_text("Dự án, ĐTM")
            expect(page.locator("tr.label-topic td.model-value")).to_have_text("Khai khoáng")
            expect(page.locator("p.review-note")).to_contain_text("ana")
            page.screenshot(path=str(OUTPUT / "browser-correction.png"), full_page=True)
        finally:
            browser.close()
    assert not problems, f"browser errors (CSP violations or script errors): {problems}"

