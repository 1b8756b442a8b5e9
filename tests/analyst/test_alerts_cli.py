"""`envmon alerts` end to end: import → enrich → index → detect, on exports we wrote for the test."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
SURGE_END = datetime(2026, 11, 25, 20, 0, tzinfo=HCM)
LANDFILL = "bai-rac:po-lan"
VAN_LINH = "06505"  # xã Vạn Linh, Lạng Sơn

# A steady background: every day a few routine posts across the province, and now and then
# one about the landfill (so the landfill has a baseline of its own).
BACKGROUND_TEMPLATES = (
    "Sáng ngày {day}/11 phường Đông Kinh, Lạng Sơn ra quân nhặt rác ven sông Kỳ Cùng, {n} đoàn viên tham gia.",
    "Chợ xã Na Dương, Lạng Sơn hôm {day}/11 vẫn còn dùng nhiều túi nilon, mong có cách thay thế.",
    "Trời hanh khô, ban quản lý rừng xã Mẫu Sơn, Lạng Sơn nhắc du khách không đốt lửa trong rừng (ngày {day}/11).",
)
LANDFILL_BACKGROUND = "Xe rác vào bãi rác Pò Lạn ở xã Vạn Linh, Lạng Sơn hôm {day}/11 lại làm rơi rác dọc đường, mong đơn vị vận chuyển che chắn kỹ hơn."
# The surge: many different people, in a few hours, angry about the same landfill.
SURGE = (
    "Bãi rác Pò Lạn ở xã Vạn Linh, Lạng Sơn bốc cháy từ trưa, khói đen kịt bay vào tận lớp học, các cháu phải nghỉ học.",
    "Dân xã Vạn Linh, Lạng Sơn kéo ra chặn xe rác vào bãi rác Pò Lạn, không cho đổ thêm vì mùi hôi quá sức chịu đựng.",
    "Nước rỉ từ bãi rác Pò Lạn tràn xuống ruộng thôn Pò Lạn, xã Vạn Linh (Lạng Sơn), lúa chết vàng cả cánh đồng.",
    "Hàng trăm người dân xã Vạn Linh, Lạng Sơn tập trung trước cổng bãi rác Pò Lạn yêu cầu đóng cửa bãi rác ngay.",
    "Ông bà tôi ở gần bãi rác Pò Lạn, xã Vạn Linh, Lạng Sơn ho suốt mấy hôm nay vì khói đốt rác, ai chịu trách nhiệm đây?",
    "Clip: ruồi nhặng bu đen kín mâm cơm nhà dân sát bãi rác Pò Lạn ở xã Vạn Linh, Lạng Sơn.",
    "Người dân xã Vạn Linh (Lạng Sơn) dựng lều chặn đường vào bãi rác Pò Lạn từ chiều, công an xã đã có mặt.",
    "Đơn của bà con xã Vạn Linh, Lạng Sơn gửi từ tháng trước về bãi rác Pò Lạn đến giờ chưa ai trả lời, giờ dân phải tự ra đường.",
    "Giếng nước nhà tôi cách bãi rác Pò Lạn ba trăm mét ở xã Vạn Linh, Lạng Sơn giờ có mùi hôi, không dám nấu cơm.",
    "Tối nay bãi rác Pò Lạn ở xã Vạn Linh, Lạng Sơn vẫn âm ỉ cháy, cả thôn phải đóng kín cửa mà vẫn ngạt.",
)


def _row(post_id: str, text: str, when: datetime, likes: int) -> dict[str, object]:
    return {"platform": "facebook", "post_id": post_id, "url": f"https://www.facebook.com/groups/vanlinh/posts/{post_id}",
            "author": f"Người dân {post_id}", "text": text, "published_at": when.isoformat(), "likes": likes, "shares": likes // 5, "comments": likes // 3}


def background_rows(end: datetime = SURGE_END, days: int = 16) -> list[dict[str, object]]:
    rows = []
    for offset in range(days, 0, -1):
        day = end - timedelta(days=offset)
        for slot, template in enumerate(BACKGROUND_TEMPLATES):
            rows.append(_row(f"bg{offset}-{slot}", template.format(day=day.day, n=10 + offset), day + timedelta(hours=2 + 3 * slot), 12))
        if offset % 3 == 0:
            rows.append(_row(f"bg{offset}-rac", LANDFILL_BACKGROUND.format(day=day.day), day + timedelta(hours=5), 8))
    return rows


def surge_rows(end: datetime = SURGE_END) -> list[dict[str, object]]:
    return [_row(f"surge{n}", text, end - timedelta(minutes=40 * n + 5), 150 + 10 * n) for n, text in enumerate(SURGE)]


def _ingest(cli, tmp_path: Path, rows: list[dict[str, object]]) -> None:  # type: ignore[no-untyped-def]
    export = tmp_path / "export.jsonl"
    export.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    for command in (("import", str(export)), ("enrich",), ("index",)):
        result = cli(*command)
        assert result.exit_code == 0, result.output


def _alerts(cli, now: datetime) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    result = cli("alerts", "--now", now.isoformat(), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.slow
def test_a_surge_about_one_project_in_one_commune_alerts_once(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _ingest(cli, tmp_path, background_rows() + surge_rows())

    alerts = _alerts(cli, SURGE_END)
    about_landfill = [alert for alert in alerts if LANDFILL in alert["projects"]]
    assert len(about_landfill) == 1
    alert = about_landfill[0]
    assert alert["subject"] == "project" and alert["subject_key"] == LANDFILL
    assert VAN_LINH in {place["ward_code"] for place in alert["places"]}
    assert alert["window"]["stories_24h"] >= 8 and alert["reasons"] and alert["top_documents"]

    assert [a for a in _alerts(cli, SURGE_END + timedelta(minutes=20)) if LANDFILL in a["projects"]] == []
    stored = json.loads(cli("alerts", "--list", "--json").output)
    assert [a["id"] for a in stored if LANDFILL in a["projects"]] == [alert["id"]]


@pytest.mark.slow
def test_a_steady_background_raises_no_alert(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _ingest(cli, tmp_path, background_rows())
    assert _alerts(cli, SURGE_END) == []


def test_a_malformed_now_is_one_sentence(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("alerts", "--now", "yesterday evening")
    assert result.exit_code == 2
    assert "ISO 8601" in result.output
