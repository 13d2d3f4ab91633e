"""The benchmark (``python bench/run.py``); a package so the smoke test can import its parts."""
