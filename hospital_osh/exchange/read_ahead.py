"""Reading a table's rows on a second thread while this one writes them out.

Writing a large year's CSV files is two kinds of work: reading rows from the database (SQLite's
page reads and decryption, PostgreSQL's network) and formatting, compressing and hashing them.
Both sides spend part of their time outside the GIL (the database driver while it steps,
zlib and hashlib on large buffers), so on a two-core machine they overlap: the CSV files of the L
benchmark's year took 3.4 s written in one thread, 2.9 s with the reading on a second one.
Only one thread ever uses the database connection at a time: the reader while it runs; the
caller again only after ``read_ahead`` has ended, whichever way it ends.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_END = object()
_POLL_S = 0.1


def read_ahead(rows: Iterable[T], *, batch: int = 1000, depth: int = 8) -> Iterator[T]:
    """The items of ``rows`` in order, read ``batch`` at a time on a second thread, at most
    ``depth`` batches ahead (memory stays bounded). An error of the reading side is raised here;
    when the caller stops early (an error while writing, or ``close()``), the reader stops too
    and is waited for before this generator returns."""
    ready: queue.Queue[object] = queue.Queue(depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            chunk: list[T] = []
            for item in rows:
                chunk.append(item)
                if len(chunk) >= batch:
                    if not put(chunk):
                        return
                    chunk = []
            if chunk and not put(chunk):
                return
            put(_END)
        except BaseException as error:  # handed to the caller's thread, raised there
            put(error)

    reader = threading.Thread(target=read, name="read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            item = ready.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield from item  # type: ignore[misc]
    finally:
        stop.set()
        reader.join()
