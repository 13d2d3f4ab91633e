"""Work-arounds for bugs in the Qt bindings, applied once when ``hospital_osh.ui`` is imported.

PySide6 6.12.0 drops a reference to ``None`` each time it converts an empty QVariant to Python
(``QComboBox.itemData``, ``QModelIndex.data``, ``QTableWidgetItem.setData``...) or emits a
signal carrying ``None`` (the task runner does, for jobs without a result). On Python 3.11, where
``None``, ``True`` and ``False`` are reference counted, the count eventually reaches zero and the
interpreter aborts with "Fatal Python error: none_dealloc" — at exit, or mid-session after enough
calls. Python 3.12+ makes these singletons immortal, so the bug is harmless there; for 3.11 we
give them the same property by raising their reference count far beyond anything a session can
drop. They are never freed anyway, so this changes nothing else.
"""

from __future__ import annotations

import sys

_DONE = False


def immortalise_singletons() -> None:
    global _DONE
    if _DONE or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    if hasattr(sys, "getobjects"):  # a Py_TRACE_REFS build: the count is not the first field
        return
    import ctypes

    for singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 40
    _DONE = True
