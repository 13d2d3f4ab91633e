"""The summary PDFs built in a child process: `python -m hospital_osh.reports.summary_worker`.

The export package starts this while it writes its CSV files (``exchange/export.py``), so that
the two PDFs are built on the second core. It is a plain child process rather than
``multiprocessing``: spawn re-imports the parent's main script, which fails for some ways of
starting Python (a script read from stdin, some launchers). Input: the path of a JSON file
``{"summary": ..., "languages": [...], "generated_at": ISO or null, "invariant": bool}`` (the
summary is plain data: it is written to ``summary.json`` as it is; a file rather than stdin, so
that the parent never waits on a full pipe). Output on stdout: for each language, in order, the
PDF's length as 8 ASCII hex digits and then its bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Sequence
from typing import IO, Any


def encode_request(
    summary: Any, languages: Sequence[str], generated_at: dt.datetime | None, invariant: bool
) -> bytes:
    request = {
        "summary": summary,
        "languages": list(languages),
        "generated_at": generated_at.isoformat() if generated_at else None,
        "invariant": invariant,
    }
    return json.dumps(request, ensure_ascii=False).encode("utf-8")


def read_pdfs(stream: IO[bytes], count: int) -> list[bytes]:
    """The ``count`` PDFs a worker wrote to ``stream``; ValueError when the output is cut short."""
    pdfs = []
    for _ in range(count):
        size = int(stream.read(8), 16)
        data = stream.read(size)
        if len(data) != size or not data.startswith(b"%PDF"):
            raise ValueError("the PDF worker's output is incomplete")
        pdfs.append(data)
    return pdfs


def main(argv: Sequence[str]) -> int:
    from pathlib import Path

    from hospital_osh.reports.summary import summary_pdf_bytes

    request = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    generated = request["generated_at"]
    options = {
        "generated_at": dt.datetime.fromisoformat(generated) if generated else None,
        "invariant": bool(request["invariant"]),
    }
    out = sys.stdout.buffer
    for language in request["languages"]:
        pdf = summary_pdf_bytes(request["summary"], language, **options)
        out.write(b"%08x" % len(pdf))
        out.write(pdf)
    out.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
