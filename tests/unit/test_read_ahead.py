"""The export's read-ahead: same items in the same order, errors where they can be handled,
bounded memory, and no reader left running when the writer stops early."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import closing

import pytest

from hospital_osh.exchange.read_ahead import read_ahead


def _readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "read-ahead"]


def test_every_item_arrives_in_order() -> None:
    assert list(read_ahead(range(10_005), batch=1000)) == list(range(10_005))
    assert list(read_ahead([], batch=10)) == []
    assert _readers() == []


def test_a_reading_error_is_raised_after_the_items_before_it() -> None:
    def rows() -> Iterator[int]:
        yield from range(25)
        raise ValueError("disk I/O error")

    seen: list[int] = []
    with pytest.raises(ValueError, match="disk I/O error"):
        for item in read_ahead(rows(), batch=10):
            seen.append(item)
    assert seen == list(range(20))  # the last partial batch went down with the error
    assert _readers() == []


def test_the_reader_stays_a_bounded_distance_ahead_and_stops_with_the_writer() -> None:
    drawn: list[int] = []

    def rows() -> Iterator[int]:
        for number in range(1_000_000):
            drawn.append(number)
            yield number

    with closing(read_ahead(rows(), batch=100, depth=4)) as items:
        assert next(items) == 0
        for _ in range(10):  # give the reader time to fill the queue
            threading.Event().wait(0.01)
        assert len(drawn) <= (4 + 2) * 100  # queued batches, the one taken, the one being read
    assert _readers() == []  # closed: the reader was stopped and waited for
    assert len(drawn) < 1_000_000


def test_an_error_while_writing_stops_the_reader() -> None:
    def write(items: Iterator[int]) -> None:
        for item in items:
            if item == 150:
                raise OSError("No space left on device")

    rows = read_ahead(range(1_000_000), batch=100, depth=2)
    with pytest.raises(OSError), closing(rows):
        write(rows)
    assert _readers() == []
