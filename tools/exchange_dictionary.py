"""Rewrite ``docs/exchange.md``, the bilingual data dictionary of the exchange package.

    python tools/exchange_dictionary.py

Run it after a change to a code list or to the exchange layout; a test fails while the committed
file differs from what the code generates.
"""

from __future__ import annotations

from pathlib import Path

from hospital_osh.exchange.dictionary import render

TARGET = Path(__file__).resolve().parent.parent / "docs" / "exchange.md"

if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}")
