"""Post-exposure protocols as data: load, merge a hospital's overrides, validate, look up rows.

One TOML file per protocol (``resources/protocols/china.toml``, the default, and ``cdc.toml``),
shaped as domain/exposures.md §b.11 suggests. Every decision row and schedule item carries its
``source`` and its evidence tag ``verified`` (V/P/U as exposures.md tags it), so the UI can say
"unverified, source: ..." and a test can check each row against the reference.

The domain only imports the standard library, so this module never looks for files itself: the
caller passes a path (``hospital_osh.paths.resource("protocols", PROTOCOL_FILES["china"])``) or the
text. The loader refuses, with the file and the row named, anything it cannot use: a missing or
unknown key, a malformed offset, an unknown code, or a table that leaves some combination of
inputs without exactly one row. The application never guesses a recommendation.

Overrides: a hospital file (or dict) of the same shape merged over the shipped one. Tables merge
key by key; lists of rows merge by ``id`` (an unknown id adds a row, which must then be complete).
Rows and items an override touched are marked ``overridden``. Error messages here are English:
they are for whoever maintains the protocol files, whose keys are English too.
"""

from __future__ import annotations

import copy
import itertools
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hospital_osh.domain.codes import N_
from hospital_osh.domain.messages import Issue, Params, Severity, freeze, issue
from hospital_osh.domain.protocol_vocab import (
    ANY,
    REASONS,
    REGIMEN_ACTIONS,
    SOURCE_TEST_ACTIONS,
    TABLES,
    Evidence,
    FollowupItem,
    Pathogen,
    TableSpec,
    placeholders,
)

PROTOCOL_FILES: dict[str, str] = {"china": "china.toml", "cdc": "cdc.toml"}
DEFAULT_PROTOCOL = "china"
FORMAT_VERSION = 1
_OVERRIDDEN = "_overridden"
_OFFSET = re.compile(r"^(\d+)\s*([dwm])$")


class ProtocolError(ValueError):
    """A protocol file the application refuses to use; the message names the file and the row."""

    def __init__(self, file: str, where: str, problem: str):
        self.file, self.where, self.problem = file, where, problem
        super().__init__(f"{file}, {where}: {problem}" if where else f"{file}: {problem}")


# -- the validated protocol -------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """A remark an OSH expert added to a row, in both languages."""

    en: str
    zh: str

    def text(self, language: str) -> str:
        return self.zh if language.startswith("zh") else self.en


@dataclass(frozen=True)
class ScheduleItem:
    """One planned test or treatment, as day offsets from D0 (the local exposure date)."""

    schedule: str
    id: str
    code: FollowupItem
    due: int
    window_start: int
    window_end: int
    reason: str
    dose: int | None = None
    source: str | None = None
    verified: Evidence | None = None
    overridden: bool = False


@dataclass(frozen=True)
class Rule:
    """One row of a decision table: conditions -> action, with schedules, source and tag."""

    table: str
    row: int
    id: str
    when: tuple[tuple[str, frozenset[str]], ...]
    action: str
    source: str
    verified: Evidence
    schedules: tuple[str, ...] = ()
    pep_schedules: tuple[str, ...] = ()
    params: Params = ()
    note: Note | None = None
    show_alternative: bool = False
    overridden: bool = False

    def matches(self, facts: Mapping[str, str]) -> bool:
        return all(facts[key] in allowed for key, allowed in self.when)


@dataclass(frozen=True)
class SourceTest:
    """What to ask of an identified source whose status for ``pathogen`` is not yet known."""

    row: int
    id: str
    pathogen: Pathogen
    action: str
    within_h: int | None
    source: str
    verified: Evidence
    note: Note | None = None
    overridden: bool = False


@dataclass(frozen=True)
class HivTiming:
    """The HIV PEP clock: ideal start, guidance and hard limit in hours; course length in days."""

    target_h: int
    guidance_h: int | None
    limit_h: int
    course_days: int
    source: str
    verified: Evidence
    note: Note | None = None
    overridden: bool = False

    def params(self) -> dict[str, int]:
        values = {
            "target_h": self.target_h,
            "limit_h": self.limit_h,
            "course_days": self.course_days,
        }
        if self.guidance_h is not None:
            values["guidance_h"] = self.guidance_h
        return values


@dataclass(frozen=True)
class Regimen:
    action: str
    source: str
    verified: Evidence
    note: Note | None = None
    overridden: bool = False


@dataclass(frozen=True)
class Protocol:
    id: str
    version: int
    name_en: str
    name_zh: str
    file: str
    month_days: int
    hbv: tuple[Rule, ...]
    hcv: tuple[Rule, ...]
    hiv: tuple[Rule, ...]
    hiv_grade: tuple[Rule, ...]
    source_tests: tuple[SourceTest, ...]
    hiv_timing: HivTiming
    hiv_regimen: Regimen | None
    schedules: tuple[tuple[str, tuple[ScheduleItem, ...]], ...]
    alternative: str | None = None
    overrides: tuple[str, ...] = ()
    adjustments: tuple[OffsetAdjustment, ...] = ()  # the hospital's own offsets, with reasons

    def adjustment(self, schedule: str, item_id: str) -> OffsetAdjustment | None:
        return next(
            (a for a in self.adjustments if (a.schedule, a.item_id) == (schedule, item_id)), None
        )

    def name(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name_en

    def table(self, name: str) -> tuple[Rule, ...]:
        tables: dict[str, tuple[Rule, ...]] = {
            "hbv": self.hbv,
            "hcv": self.hcv,
            "hiv": self.hiv,
            "hiv_grade": self.hiv_grade,
        }
        return tables[name]

    def rule_for(self, table: str, facts: Mapping[str, str]) -> Rule:
        """The one row matching ``facts`` (the loader proved there is exactly one)."""
        rows = [rule for rule in self.table(table) if rule.matches(facts)]
        if len(rows) != 1:  # only reachable with facts outside the vocabulary
            raise ValueError(f"{self.file}, {table}: {len(rows)} rows match {dict(facts)}")
        return rows[0]

    def schedule(self, name: str) -> tuple[ScheduleItem, ...]:
        return dict(self.schedules)[name]

    def items(self, names: Sequence[str]) -> tuple[ScheduleItem, ...]:
        return tuple(item for name in names for item in self.schedule(name))

    def source_test(self, pathogen: Pathogen) -> SourceTest:
        return next(t for t in self.source_tests if t.pathogen is pathogen)


# -- loading and merging ----------------------------------------------------------------------


def read_overrides(path: Path) -> dict[str, Any]:
    """A hospital's override file, parsed (refused with its name if it is not valid TOML)."""
    return _parse_toml(path.read_text(encoding="utf-8"), path.name)


def load_protocol(
    path: Path,
    overrides: Mapping[str, Any] | Path | None = None,
    *,
    overrides_name: str = "overrides",
) -> Protocol:
    """Read, merge and validate one protocol file; raises :class:`ProtocolError`."""
    if isinstance(overrides, Path):
        overrides_name = overrides.name
        overrides = read_overrides(overrides)
    return parse_protocol(
        path.read_text(encoding="utf-8"),
        path.name,
        overrides,
        overrides_name=overrides_name,
    )


def parse_protocol(
    text: str,
    file: str,
    overrides: Mapping[str, Any] | None = None,
    *,
    overrides_name: str = "overrides",
) -> Protocol:
    data = _parse_toml(text, file)
    applied: tuple[str, ...] = ()
    if overrides:
        data = merge_overrides(data, overrides, file=f"{file} + {overrides_name}")
        applied = (overrides_name,)
        file = f"{file} (with {overrides_name})"
    return _Builder(data, file).build(applied)


def _parse_toml(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProtocolError(file, "", f"not valid TOML ({error})") from None


def merge_overrides(
    base: Mapping[str, Any], overrides: Mapping[str, Any], *, file: str = "overrides"
) -> dict[str, Any]:
    """``overrides`` merged over a deep copy of ``base`` (see the module docstring)."""
    merged = copy.deepcopy(dict(base))
    _merge_into(merged, overrides, file, ())
    return merged


def _merge_into(
    target: dict[str, Any], overrides: Mapping[str, Any], file: str, path: tuple[str, ...]
) -> None:
    for key, value in overrides.items():
        here = (*path, key)
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            _merge_into(current, value, file, here)
        elif isinstance(current, list) and _is_rows(current) and isinstance(value, list):
            _merge_rows(current, value, file, here)
        else:
            target[key] = copy.deepcopy(value)
            target[_OVERRIDDEN] = True


def _is_rows(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) and "id" in v for v in value)


def _merge_rows(
    rows: list[dict[str, Any]], changes: list[Any], file: str, path: tuple[str, ...]
) -> None:
    by_id = {row["id"]: row for row in rows}
    for index, change in enumerate(changes, start=1):
        if not isinstance(change, Mapping) or "id" not in change:
            raise ProtocolError(file, f"{'.'.join(path)} override {index}", "needs an 'id'")
        row = by_id.get(change["id"])
        if row is None:
            row = {}
            rows.append(row)
            by_id[change["id"]] = row
        _merge_into(row, change, file, path)
        row[_OVERRIDDEN] = True


# -- validation ----------------------------------------------------------------------------------


class _Builder:
    """Turns the parsed (and merged) data into a :class:`Protocol`, refusing bad rows."""

    def __init__(self, data: dict[str, Any], file: str):
        self.data, self.file = data, file
        self.ids: dict[str, str] = {}
        self.month_days = 30

    def fail(self, where: str, problem: str) -> ProtocolError:
        return ProtocolError(self.file, where, problem)

    def build(self, applied: tuple[str, ...]) -> Protocol:
        self._keys(self.data, "top level", set(), _TOP_OPTIONAL | _TOP_REQUIRED)
        for key in _TOP_REQUIRED:
            if key not in self.data:
                raise self.fail("top level", f"missing [{key}]")
        header = self._header()
        schedules = self._schedules()
        tables = {name: self._table(TABLES[name], schedules) for name in TABLES}
        if not tables["hiv_grade"] and "hiv_grade" in self.data:
            raise self.fail("hiv_grade", "the table is empty")
        protocol = Protocol(
            id=header["id"],
            version=header["version"],
            name_en=header["name_en"],
            name_zh=header["name_zh"],
            file=self.file,
            month_days=self.month_days,
            hbv=tables["hbv"],
            hcv=tables["hcv"],
            hiv=tables["hiv"],
            hiv_grade=tables["hiv_grade"],
            source_tests=self._source_tests(),
            hiv_timing=self._timing(),
            hiv_regimen=self._regimen(),
            schedules=tuple(schedules.items()),
            alternative=header.get("alternative"),
            overrides=applied,
        )
        for rule in protocol.hbv:
            self._check_pvst(rule, protocol)
        return protocol

    # -- small checks --------------------------------------------------------------------------

    def _keys(
        self, raw: Mapping[str, Any], where: str, required: set[str], allowed: set[str]
    ) -> None:
        for key in sorted(required):
            if key not in raw:
                raise self.fail(where, f"missing '{key}'")
        for key in raw:
            if key not in allowed and key != _OVERRIDDEN:
                raise self.fail(where, f"unknown key '{key}'")

    def _text(self, raw: Mapping[str, Any], key: str, where: str) -> str:
        value = raw[key]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"'{key}' must be non-empty text")
        return value.strip()

    def _int(self, raw: Mapping[str, Any], key: str, where: str, minimum: int = 0) -> int:
        value = raw[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(where, f"'{key}' must be a whole number of at least {minimum}")
        return value

    def _evidence(self, raw: Mapping[str, Any], where: str) -> Evidence:
        value = raw["verified"]
        try:
            return Evidence(value)
        except ValueError:
            raise self.fail(where, f"'verified' must be V, P or U, not {value!r}") from None

    def _note(self, raw: Mapping[str, Any], where: str) -> Note | None:
        present = [key for key in ("note_en", "note_zh") if key in raw]
        if not present:
            return None
        if len(present) == 1:
            missing = "note_zh" if present == ["note_en"] else "note_en"
            raise self.fail(where, f"missing '{missing}' (a note is needed in both languages)")
        return Note(self._text(raw, "note_en", where), self._text(raw, "note_zh", where))

    def _id(self, raw: Mapping[str, Any], where: str) -> str:
        value = self._text(raw, "id", where)
        if value in self.ids:
            raise self.fail(where, f"id '{value}' is already used by {self.ids[value]}")
        self.ids[value] = where
        return value

    def offset(self, value: object, key: str, where: str) -> int:
        """Days as a whole number, or text like "6w" / "6m" (m = ``month_days`` days, §b)."""
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if isinstance(value, str) and (match := _OFFSET.match(value.strip())):
            number, unit = int(match[1]), match[2]
            return number * {"d": 1, "w": 7, "m": self.month_days}[unit]
        raise self.fail(
            where,
            f'malformed offset \'{key}\' = {value!r}: use days (42) or text such as "6w" or "6m"',
        )

    # -- sections ------------------------------------------------------------------------------

    def _header(self) -> dict[str, Any]:
        raw, where = self.data["protocol"], "[protocol]"
        self._keys(
            raw,
            where,
            {"id", "version", "format", "name_en", "name_zh", "month_days", "day_basis"},
            {
                "id",
                "version",
                "format",
                "name_en",
                "name_zh",
                "month_days",
                "day_basis",
                "alternative",
                "note_en",
                "note_zh",
            },
        )
        if raw["format"] != FORMAT_VERSION:
            raise self.fail(where, f"format {raw['format']!r} is not supported")
        if raw["day_basis"] != "local_exposure_date":
            raise self.fail(where, "day_basis must be 'local_exposure_date' (§b: D0)")
        self.month_days = self._int(raw, "month_days", where, minimum=28)
        header: dict[str, Any] = {
            key: self._text(raw, key, where) for key in ("id", "name_en", "name_zh")
        }
        header["version"] = self._int(raw, "version", where, minimum=1)
        if "alternative" in raw:
            header["alternative"] = self._text(raw, "alternative", where)
        return header

    def _schedules(self) -> dict[str, tuple[ScheduleItem, ...]]:
        result: dict[str, tuple[ScheduleItem, ...]] = {}
        raw_all = self.data["schedules"]
        for name, raw in raw_all.items():
            if name == _OVERRIDDEN:
                continue
            where = f"schedule '{name}'"
            if not isinstance(raw, dict):
                raise self.fail(where, "must be a table with 'items'")
            self._keys(raw, where, {"items"}, {"items"})
            if not isinstance(raw["items"], list):
                raise self.fail(where, "'items' must be a list")
            result[name] = tuple(
                self._item(name, item, f"{where} item {index}")
                for index, item in enumerate(raw["items"], start=1)
            )
        return result

    def _item(self, schedule: str, raw: Any, where: str) -> ScheduleItem:
        if not isinstance(raw, dict):
            raise self.fail(where, "must be a table")
        self._keys(
            raw,
            where,
            {"id", "code", "due", "window", "reason"},
            {"id", "code", "due", "window", "reason", "dose", "source", "verified"},
        )
        item_id = self._text(raw, "id", where)
        where = f"{where} ({item_id})"
        try:
            code = FollowupItem(raw["code"])
        except ValueError:
            raise self.fail(where, f"unknown code {raw['code']!r}") from None
        due = self.offset(raw["due"], "due", where)
        window = raw["window"]
        if not isinstance(window, list) or len(window) != 2:
            raise self.fail(where, f"malformed offset 'window' = {window!r}: use [start, end]")
        start = self.offset(window[0], "window", where)
        end = self.offset(window[1], "window", where)
        if not start <= due <= end:
            raise self.fail(where, f"the window [{start}, {end}] does not contain due day {due}")
        reason = raw["reason"]
        if reason not in REASONS:
            raise self.fail(where, f"unknown reason {reason!r}")
        dose = self._int(raw, "dose", where, minimum=1) if "dose" in raw else None
        if "dose" in placeholders(REASONS[reason]) and dose is None:
            raise self.fail(where, f"missing 'dose' (reason '{reason}' names it)")
        if ("source" in raw) != ("verified" in raw):
            raise self.fail(where, "give 'source' and 'verified' together")
        return ScheduleItem(
            schedule=schedule,
            id=item_id,
            code=code,
            due=due,
            window_start=start,
            window_end=end,
            reason=reason,
            dose=dose,
            source=self._text(raw, "source", where) if "source" in raw else None,
            verified=self._evidence(raw, where) if "verified" in raw else None,
            overridden=bool(raw.get(_OVERRIDDEN)),
        )

    def _rows(self, key: str) -> list[Any]:
        rows = self.data.get(key, [])
        if not isinstance(rows, list):
            raise self.fail(key, "must be a list of rows ([[{key}]])")
        return rows

    def _table(
        self, spec: TableSpec, schedules: Mapping[str, tuple[ScheduleItem, ...]]
    ) -> tuple[Rule, ...]:
        raws = self._rows(spec.name)
        if not raws and spec.name != "hiv_grade":
            raise self.fail(spec.name, "the table has no rows")
        rules = tuple(
            self._rule(spec, raw, index, schedules) for index, raw in enumerate(raws, start=1)
        )
        if rules:
            self._check_coverage(spec, rules)
        return rules

    def _rule(
        self,
        spec: TableSpec,
        raw: Any,
        index: int,
        schedules: Mapping[str, tuple[ScheduleItem, ...]],
    ) -> Rule:
        where = f"{spec.name} row {index}"
        if not isinstance(raw, dict):
            raise self.fail(where, "must be a table")
        if isinstance(raw.get("id"), str):
            where = f"{where} ({raw['id']})"
        required = {"id", "action", "source", "verified", *spec.conditions}
        self._keys(raw, where, required, required | spec.optional)
        rule_id = self._id(raw, where)
        action = raw["action"]
        if action not in spec.actions:
            raise self.fail(where, f"unknown action {action!r} for the {spec.name} table")
        when = tuple(
            (key, self._condition(raw[key], key, values, where))
            for key, values in spec.conditions.items()
        )
        params = self._params(raw.get("params", {}), where)
        missing = placeholders(spec.actions[action]) - set(params) - spec.provided
        if missing:
            raise self.fail(where, f"action '{action}' needs params: {', '.join(sorted(missing))}")
        return Rule(
            table=spec.name,
            row=index,
            id=rule_id,
            when=when,
            action=action,
            source=self._text(raw, "source", where),
            verified=self._evidence(raw, where),
            schedules=self._schedule_names(raw, "schedule", schedules, where),
            pep_schedules=self._schedule_names(raw, "pep_schedule", schedules, where),
            params=freeze(params),
            note=self._note(raw, where),
            show_alternative=self._flag(raw, "show_alternative", where),
            overridden=bool(raw.get(_OVERRIDDEN)),
        )

    def _flag(self, raw: Mapping[str, Any], key: str, where: str) -> bool:
        value = raw.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(where, f"'{key}' must be true or false")
        return value

    def _condition(
        self, value: Any, key: str, allowed: tuple[str, ...], where: str
    ) -> frozenset[str]:
        if value == ANY:
            return frozenset(allowed)
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values:
            raise self.fail(where, f"'{key}' must be \"any\" or a non-empty list")
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise self.fail(
                where, f"'{key}': unknown value {unknown[0]!r} (known: {', '.join(allowed)})"
            )
        return frozenset(values)

    def _params(self, raw: Any, where: str) -> dict[str, str | int | float]:
        if not isinstance(raw, dict):
            raise self.fail(where, "'params' must be a table")
        for key, value in raw.items():
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise self.fail(where, f"param '{key}' must be text or a number")
        return {k: v for k, v in raw.items() if k != _OVERRIDDEN}

    def _schedule_names(
        self,
        raw: Mapping[str, Any],
        key: str,
        schedules: Mapping[str, tuple[ScheduleItem, ...]],
        where: str,
    ) -> tuple[str, ...]:
        names = raw.get(key, [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise self.fail(where, f"'{key}' must be a list of schedule names")
        for name in names:
            if name not in schedules:
                raise self.fail(where, f"unknown schedule '{name}'")
        return tuple(names)

    def _check_coverage(self, spec: TableSpec, rules: tuple[Rule, ...]) -> None:
        """Every combination of inputs must match exactly one row: no gaps, no ambiguity."""
        keys = list(spec.conditions)
        for combination in itertools.product(*spec.conditions.values()):
            facts = dict(zip(keys, combination, strict=True))
            matching = [rule for rule in rules if rule.matches(facts)]
            described = ", ".join(f"{k}={v}" for k, v in facts.items())
            if not matching:
                raise self.fail(spec.name, f"no row for {described}")
            if len(matching) > 1:
                first, second = matching[:2]
                raise self.fail(
                    spec.name,
                    f"rows {first.row} ({first.id}) and {second.row} ({second.id}) both match "
                    f"{described}",
                )

    def _source_tests(self) -> tuple[SourceTest, ...]:
        tests = []
        for index, raw in enumerate(self._rows("source_tests"), start=1):
            where = f"source_tests row {index}"
            if not isinstance(raw, dict):
                raise self.fail(where, "must be a table")
            if isinstance(raw.get("id"), str):
                where = f"{where} ({raw['id']})"
            required = {"id", "pathogen", "action", "source", "verified"}
            self._keys(raw, where, required, required | {"within_h", "note_en", "note_zh"})
            try:
                pathogen = Pathogen(raw["pathogen"])
            except ValueError:
                raise self.fail(where, f"unknown pathogen {raw['pathogen']!r}") from None
            if raw["action"] not in SOURCE_TEST_ACTIONS:
                raise self.fail(where, f"unknown action {raw['action']!r}")
            needs_hours = "within_h" in placeholders(SOURCE_TEST_ACTIONS[raw["action"]])
            if needs_hours and "within_h" not in raw:
                raise self.fail(where, f"missing 'within_h' (action '{raw['action']}' names it)")
            tests.append(
                SourceTest(
                    row=index,
                    id=self._id(raw, where),
                    pathogen=pathogen,
                    action=raw["action"],
                    within_h=(
                        self._int(raw, "within_h", where, minimum=1) if "within_h" in raw else None
                    ),
                    source=self._text(raw, "source", where),
                    verified=self._evidence(raw, where),
                    note=self._note(raw, where),
                    overridden=bool(raw.get(_OVERRIDDEN)),
                )
            )
        for pathogen in Pathogen:
            count = sum(t.pathogen is pathogen for t in tests)
            if count != 1:
                raise self.fail(
                    "source_tests", f"needs exactly one row for {pathogen}, has {count}"
                )
        return tuple(tests)

    def _timing(self) -> HivTiming:
        raw, where = self.data["hiv_timing"], "[hiv_timing]"
        required = {"target_h", "limit_h", "course_days", "source", "verified"}
        self._keys(raw, where, required, required | {"guidance_h", "note_en", "note_zh"})
        target = self._int(raw, "target_h", where, minimum=1)
        guidance = self._int(raw, "guidance_h", where, minimum=1) if "guidance_h" in raw else None
        limit = self._int(raw, "limit_h", where, minimum=1)
        if not target <= (guidance or target) <= limit or target > limit:
            raise self.fail(where, "hours must satisfy target_h <= guidance_h <= limit_h")
        return HivTiming(
            target_h=target,
            guidance_h=guidance,
            limit_h=limit,
            course_days=self._int(raw, "course_days", where, minimum=1),
            source=self._text(raw, "source", where),
            verified=self._evidence(raw, where),
            note=self._note(raw, where),
            overridden=bool(raw.get(_OVERRIDDEN)),
        )

    def _regimen(self) -> Regimen | None:
        if "hiv_regimen" not in self.data:
            return None
        raw, where = self.data["hiv_regimen"], "[hiv_regimen]"
        required = {"action", "source", "verified"}
        self._keys(raw, where, required, required | {"note_en", "note_zh"})
        if raw["action"] not in REGIMEN_ACTIONS:
            raise self.fail(where, f"unknown action {raw['action']!r}")
        return Regimen(
            action=raw["action"],
            source=self._text(raw, "source", where),
            verified=self._evidence(raw, where),
            note=self._note(raw, where),
            overridden=bool(raw.get(_OVERRIDDEN)),
        )

    def _check_pvst(self, rule: Rule, protocol: Protocol) -> None:
        """Post-vaccination anti-HBs: ≥1 month after the last dose, ≥6 months after HBIG (§b.2)."""
        items = protocol.items(rule.schedules)
        vaccine = [i.due for i in items if i.code is FollowupItem.HBV_VACCINE]
        hbig = [i.due for i in items if i.code is FollowupItem.HBIG]
        limits = []
        if vaccine:
            limits.append(max(vaccine) + self.month_days)
        if hbig:
            limits.append(max(hbig) + 6 * self.month_days)
        earliest = max(limits, default=0)
        for item in items:
            if item.reason == "pvst" and item.window_start < earliest:
                raise self.fail(
                    f"hbv row {rule.row} ({rule.id})",
                    f"schedule '{item.schedule}' item '{item.id}' tests anti-HBs from day "
                    f"{item.window_start}, before day {earliest} (1 month after the last vaccine "
                    "dose and 6 months after HBIG)",
                )


_TOP_REQUIRED = {"protocol", "hiv_timing", "schedules", "hbv", "hcv", "hiv", "source_tests"}
_TOP_OPTIONAL = {"hiv_grade", "hiv_regimen"}


# -- a hospital's own offsets ---------------------------------------------------------------------

# No schedule item of either protocol goes past 8 months; two years is beyond any follow-up a
# protocol asks for, so a larger number is a typing error rather than a choice.
MAX_OFFSET_DAYS = 730


@dataclass(frozen=True)
class OffsetAdjustment:
    """The hospital's due day and window (days from D0) for one schedule item, and why."""

    schedule: str
    item_id: str
    due: int
    window_start: int
    window_end: int
    reason: str = ""


def find_item(protocol: Protocol, schedule: str, item_id: str) -> ScheduleItem | None:
    """The schedule item ``item_id`` of ``schedule`` (ids repeat across schedules)."""
    items = dict(protocol.schedules).get(schedule, ())
    return next((item for item in items if item.id == item_id), None)


def adjustment_issues(adjustment: OffsetAdjustment, row: str) -> list[Issue]:
    """What is wrong with an adjustment, each message naming ``row`` (how the user knows it)."""
    found: list[Issue] = []
    values = {
        "due": adjustment.due,
        "window_start": adjustment.window_start,
        "window_end": adjustment.window_end,
    }
    for name, value in values.items():
        if not 0 <= value <= MAX_OFFSET_DAYS:
            found.append(
                issue(
                    name,
                    Severity.ERROR,
                    N_("{row}: days must be between 0 and {limit}."),
                    row=row,
                    limit=MAX_OFFSET_DAYS,
                )
            )
    if not found and not adjustment.window_start <= adjustment.due <= adjustment.window_end:
        found.append(
            issue(
                "window_start",
                Severity.ERROR,
                N_(
                    "{row}: the window (day {start} to day {end}) does not contain the due "
                    "day {due}."
                ),
                row=row,
                start=adjustment.window_start,
                end=adjustment.window_end,
                due=adjustment.due,
            )
        )
    if not adjustment.reason.strip():
        found.append(
            issue("reason", Severity.ERROR, N_("{row}: give the reason for the change."), row=row)
        )
    return found


def adjustments_as_overrides(adjustments: Sequence[OffsetAdjustment]) -> dict[str, Any]:
    """The adjustments in the shape :func:`merge_overrides` takes (schedule items by id)."""
    schedules: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for adjustment in adjustments:
        items = schedules.setdefault(adjustment.schedule, {"items": []})["items"]
        items.append(
            {
                "id": adjustment.item_id,
                "due": adjustment.due,
                "window": [adjustment.window_start, adjustment.window_end],
            }
        )
    return {"schedules": schedules} if schedules else {}
