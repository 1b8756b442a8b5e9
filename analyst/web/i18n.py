"""A small message catalogue: Vietnamese by default, English on request (i18n/<lang>.json)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources

from fastapi import Request

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

Translator = Callable[..., str]


@cache
def catalogue(language: str) -> dict[str, str]:
    """The messages of one language (read once; the files ship with the package)."""
    text = resources.files("analyst.web").joinpath("i18n", f"{language}.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def request_language(request: Request, cookie: str) -> str:
    chosen = request.cookies.get(cookie, DEFAULT_LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def translator(language: str) -> Translator:
    """t(key, **values): the message in `language`, else English, else the key itself."""
    messages = catalogue(language)
    fallback = catalogue("en")

    def translate(key: str, **values: object) -> str:
        message = messages.get(key) or fallback.get(key) or key
        return message.format(**values) if values else message

    return translate
