"""The one runner for work off the GUI thread.

Rules (as in Anki's CollectionOp and Picard's run_task):
- This module is the only place threads start. Database writes go to a one-thread executor (so
  writes never race each other); reads and PDF building go to a small pool.
- A job is a plain function ``job(state) -> result``. It opens its own session, works on plain
  values and returns plain values or DTOs. **It never touches a widget.**
- ``on_done``, ``on_error`` and ``on_progress`` always run on the GUI thread.
- A job reports progress with ``state.report(done, total, text)`` and should check
  ``state.cancelled`` between steps to honour a cancel.
- ``synchronous = True`` (tests) runs jobs inline, still delivering results through the callbacks.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRunnable, QThreadPool, Signal, Slot


class TaskState:
    """Shared between the GUI and one job: progress out, cancel in."""

    def __init__(self, signals: _Signals):
        self._signals = signals
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def report(self, done: int, total: int, text: str = "") -> None:
        self._signals.progress.emit(done, total, text)


class _Signals(QObject):
    """Emitted from the worker; delivered queued to the relay in the GUI thread."""

    done = Signal(object)
    failed = Signal(object)
    progress = Signal(int, int, str)


class _Relay(QObject):
    """Lives in the GUI thread and calls the caller's callbacks there."""

    def __init__(self, on_done, on_error, on_progress, finished):  # type: ignore[no-untyped-def]
        super().__init__()
        self._on_done = on_done
        self._on_error = on_error
        self._on_progress = on_progress
        self._finished = finished

    @Slot(object)
    def deliver_done(self, result: object) -> None:
        try:
            if self._on_done is not None:
                self._on_done(result)
        finally:
            self._finished(self)

    @Slot(object)
    def deliver_failed(self, error: object) -> None:
        try:
            if self._on_error is not None:
                self._on_error(error)
            else:
                raise error  # type: ignore[misc]
        finally:
            self._finished(self)

    @Slot(int, int, str)
    def deliver_progress(self, done: int, total: int, text: str) -> None:
        if self._on_progress is not None:
            self._on_progress(done, total, text)


class _Job(QRunnable):
    def __init__(self, function: Callable[[TaskState], Any], state: TaskState, signals: _Signals):
        super().__init__()
        self.setAutoDelete(True)
        self._function = function
        self._state = state
        self._signals = signals

    def run(self) -> None:
        try:
            result = self._function(self._state)
        except BaseException as error:  # delivered to on_error on the GUI thread
            error.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            self._signals.failed.emit(error)
        else:
            self._signals.done.emit(result)


class TaskRunner(QObject):
    """Owns the pools; one per application. Call ``shutdown()`` on quit."""

    # -- signals ------------------------------------------------------------------------------
    busy_changed = Signal(bool)
    """Emitted with True when the first job starts and False when the last one ends."""

    def __init__(self, parent: QObject | None = None, *, synchronous: bool = False):
        super().__init__(parent)
        self.synchronous = synchronous
        self._writes = QThreadPool(self)
        self._writes.setMaxThreadCount(1)
        self._reads = QThreadPool(self)
        self._reads.setMaxThreadCount(2)
        self._live: set[tuple[_Relay, _Signals]] = set()

    # -- public API ---------------------------------------------------------------------------

    def run(
        self,
        function: Callable[[TaskState], Any],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
        write: bool = False,
    ) -> TaskState:
        # Both belong to the runner (Qt parent), not to Python: they are deleted in the GUI
        # thread by deleteLater() once the job has reported, never by a worker dropping the last
        # Python reference or by the relay's own slot dropping it mid-delivery (both crashed).
        signals = _Signals(self)
        relay = _Relay(on_done, on_error, on_progress, self._finished)
        relay.setParent(self)
        signals.done.connect(relay.deliver_done)
        signals.failed.connect(relay.deliver_failed)
        signals.progress.connect(relay.deliver_progress)
        state = TaskState(signals)
        pair = (relay, signals)
        self._live.add(pair)
        if len(self._live) == 1:
            self.busy_changed.emit(True)
        job = _Job(function, state, signals)
        if self.synchronous:
            job.run()
        else:
            (self._writes if write else self._reads).start(job)
        return state

    @property
    def busy(self) -> bool:
        return bool(self._live)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until every started job has finished (their callbacks are still queued)."""
        return self._writes.waitForDone(msecs) and self._reads.waitForDone(msecs)

    def shutdown(self) -> None:
        self._reads.clear()
        self._writes.clear()
        self.wait()
        # Delete the finished jobs' relays and signals now: a runner destroyed while their
        # deleteLater() is still pending crashes PySide.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)

    # -- private ------------------------------------------------------------------------------

    def _finished(self, relay: _Relay) -> None:
        for pair in [pair for pair in self._live if pair[0] is relay]:
            pair[0].deleteLater()
            pair[1].deleteLater()
        self._live = {pair for pair in self._live if pair[0] is not relay}
        if not self._live:
            self.busy_changed.emit(False)
