"""Keep the one gettext catalogue in step with the code.

    python tools/i18n.py sync            extract strings, update zh_CN .po, compile .mo
    python tools/i18n.py missing         list untranslated or fuzzy entries (exit 1 if any)
    python tools/i18n.py add FILE.json   merge {"English source": "中文"} translations, then sync

Several people (or helpers) may run it at once: a file lock serialises every change.
"""

from __future__ import annotations

import fcntl
import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "resources" / "locale"
DOMAIN = "hospital_osh"
LANGUAGES = ("zh_CN",)
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return po_path(language).with_suffix(".mo")


def extract() -> Catalog:
    """Every translatable string in hospital_osh/ (Python sources only)."""
    template = Catalog(project="hospital_osh", domain=DOMAIN)
    method_map = [("**.py", "python")]
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT / "hospital_osh"),
        method_map=method_map,
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    ):
        template.add(
            message,
            None,
            [(f"hospital_osh/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def read_catalog(language: str) -> Catalog:
    path = po_path(language)
    if not path.exists():
        return Catalog(locale=language, domain=DOMAIN, project="hospital_osh")
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def write_catalog(language: str, catalog: Catalog) -> None:
    path = po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(
        buffer,
        catalog,
        width=100,
        omit_header=False,
        sort_output=True,
        include_previous=False,
        no_location=True,
    )
    path.write_bytes(buffer.getvalue())
    mo = io.BytesIO()
    write_mo(mo, catalog, use_fuzzy=False)
    mo_path(language).write_bytes(mo.getvalue())


@contextmanager
def locked() -> Iterator[None]:
    LOCALE.mkdir(parents=True, exist_ok=True)
    with (LOCALE / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sync_unlocked(extra: dict[str, str] | None = None) -> None:
    template = extract()
    for language in LANGUAGES:
        catalog = read_catalog(language)
        template.creation_date = catalog.creation_date  # keep the header stable between runs
        catalog.update(template, no_fuzzy_matching=True)
        catalog.fuzzy = False
        catalog.obsolete.clear()
        for source, translation in (extra or {}).items():
            message = catalog.get(source)  # a plural entry is found by its singular
            if message is not None:
                # Chinese has one plural form: the same text for every count.
                message.string = (
                    (translation,) * catalog.num_plurals if message.pluralizable else translation
                )
                message.flags.discard("fuzzy")
        catalog.revision_date = catalog.creation_date
        catalog.last_translator = "hospital_osh developers"
        catalog.language_team = "hospital_osh developers"
        catalog.msgid_bugs_address = ""
        catalog.copyright_holder = "hospital_osh developers"
        write_catalog(language, catalog)


def sync(extra: dict[str, str] | None = None) -> None:
    with locked():
        _sync_unlocked(extra)


def missing(language: str = "zh_CN") -> list[str]:
    template = extract()
    catalog = read_catalog(language)
    result = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        strings = (
            found.string if found is not None and found.pluralizable else (found and found.string,)
        )
        if found is None or not all(strings) or "fuzzy" in found.flags:
            result.append(message.id if isinstance(message.id, str) else message.id[0])
    return result


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"sync", "missing", "add"}:
        print(__doc__)
        return 2
    if argv[0] == "sync":
        sync()
    elif argv[0] == "add":
        sync(json.loads(Path(argv[1]).read_text(encoding="utf-8")))
    todo = missing()
    for item in todo:
        print(item)
    if argv[0] == "missing":
        return 1 if todo else 0
    print(f"{len(todo)} untranslated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
