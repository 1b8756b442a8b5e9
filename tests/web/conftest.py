"""Web-app fixtures: a seeded data dir, the app, users of every role, logged-in clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from analyst.users import UserStore
from analyst.web import create_app
from analyst.web.config import WebSettings
from analyst.web.context import WebContext
from index.backends import open_backend
from index.settings import Settings
from tests.web.support import PASSWORD, ROLES, login, seed

# Production hashes cost ~0.2 s each by design; tests use the cheapest argon2id parameters.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def _world(folder: Path) -> tuple[FastAPI, dict[str, str]]:
    settings = Settings(data_dir=folder, index_url=None)
    backend = open_backend(settings)
    seed(settings, backend)
    web = WebSettings()
    users = UserStore.from_settings(settings, session_lifetime=web.session_lifetime, limits=web.login_limits, hasher=FAST_HASHER)
    app = create_app(settings, web, backend=backend, users=users)
    context: WebContext = app.state.context
    tokens = {}
    for role in ROLES:
        context.users.add_user(role, role, PASSWORD)
        tokens[role] = context.users.create_token(role)
    return app, tokens


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[FastAPI, dict[str, str]]]:
    """A fresh app per test: users viewer/analyst/admin (named after their role) with tokens."""
    app, tokens = _world(tmp_path / "data")
    yield app, tokens
    app.state.context.backend.close()


@pytest.fixture
def app(world: tuple[FastAPI, dict[str, str]]) -> FastAPI:
    return world[0]


@pytest.fixture
def context(app: FastAPI) -> WebContext:
    return app.state.context  # type: ignore[no-any-return]


@pytest.fixture
def tokens(world: tuple[FastAPI, dict[str, str]]) -> dict[str, str]:
    return world[1]


@pytest.fixture
def client_as(app: FastAPI) -> Callable[[str], TestClient]:
    """A browser-like client logged in as the user named after `role` ("anonymous": not logged in)."""

    def make(role: str) -> TestClient:
        client = TestClient(app)
        return client if role == "anonymous" else login(client, role)

    return make


@pytest.fixture
def api_as(app: FastAPI, tokens: dict[str, str]) -> Callable[[str], TestClient]:
    """An API client with the bearer token of `role` ("anonymous": no token)."""

    def make(role: str) -> TestClient:
        headers = {} if role == "anonymous" else {"Authorization": f"Bearer {tokens[role]}"}
        return TestClient(app, headers=headers)

    return make
