"""Cutting a stream into lists of at most n items (itertools.batched arrives in Python 3.12)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of `size` items; the last may be shorter; nothing for no items."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
