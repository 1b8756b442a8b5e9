"""Retry-After as sites send it, hostile or odd values included: a wait in seconds or none."""

from __future__ import annotations

import pytest

from crawlers.middlewares.retry import _retry_after_seconds


@pytest.mark.parametrize(
    ("header", "expected"),
    [(b"7", 7.0), (b" 30 ", 30.0), (b"Fri, 20 Nov 2020 01:00:00 GMT", 0.0), (b"Fri, 20 Nov 2020 01:00:00 -0000", 0.0),
     (b"\xb2", None), (b"soon", None), (b"", None)],
)
def test_retry_after_is_seconds_or_nothing(header: bytes, expected: float | None) -> None:
    assert _retry_after_seconds(header) == expected
