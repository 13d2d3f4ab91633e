"""The authority roll-up: combine the export packages of many hospitals (and periods).

Every package is verified before it counts: a zip that cannot be read, a file that does not match
its manifest checksum, a file the manifest does not list, a foreign format or a newer format
version stops the roll-up with the package named. The same hospital and period given twice is
counted once and reported; overlapping periods of one hospital are refused (they would count
exposures twice).

Packages are read one at a time and only their ``summary.json`` is kept long enough to add it to
small accumulators, so memory does not grow with the number of packages (300 hospitals x 3 years
needs what one package needs, plus one line per hospital). Checksums are computed by streaming
each member in blocks.

Rates are pooled as sums of exposures over sums of FTE-years (or occupied-bed-years) of the
hospitals that have the denominator, so they are per 100 FTE per year whatever the packages'
periods. Any count of 1 to 4 in a cell that combines hospital, sex or job category is shown as
``<5``; totals are kept (EXCHANGE.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hospital_osh import __version__
from hospital_osh.domain import metrics
from hospital_osh.exchange import layout
from hospital_osh.i18n import _
from hospital_osh.services.errors import UserError

Progress = Callable[[int, int, str], None]
ROLLUP_FORMAT = "hospital-osh-rollup"
_BLOCK = 1 << 16
_FOLLOWUP_COUNTS = (
    "cases_requiring",
    "completed",
    "lost",
    "hiv_pep_started",
    "hiv_pep_within_2h",
    "hiv_pep_within_72h",
    "hiv_pep_completed",
)
_MAX_JSON_BYTES = 20 * 1024 * 1024


class PackageError(UserError):
    """A package that cannot be used; the message names it."""


@dataclass(frozen=True)
class Package:
    """One verified package: its manifest and summary (the CSVs are not kept)."""

    path: Path
    manifest: dict[str, Any]
    summary: dict[str, Any]

    @property
    def hospital_code(self) -> str:
        return str(self.manifest["hospital"].get("code", ""))

    @property
    def period(self) -> tuple[str, str]:
        return str(self.manifest["period"]["from"]), str(self.manifest["period"]["to"])


def _sha256(archive: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with archive.open(name) as member:
        while block := member.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _json(archive: zipfile.ZipFile, name: str, package: str) -> dict[str, Any]:
    info = archive.getinfo(name)
    if info.file_size > _MAX_JSON_BYTES:
        raise PackageError(
            _("{package}: {file} is too large to be a package file.").format(
                package=package, file=name
            )
        )
    try:
        value = json.loads(archive.read(name).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PackageError(
            _("{package}: {file} cannot be read ({reason}).").format(
                package=package, file=name, reason=error
            )
        ) from error
    if not isinstance(value, dict):
        raise PackageError(
            _("{package}: {file} does not hold what a package holds.").format(
                package=package, file=name
            )
        )
    return value


def read_package(path: Path) -> Package:
    """Open and verify one package; raise PackageError naming it and the problem."""
    path = Path(path)
    name = path.name
    corrupt = _("{package}: the file is not a readable zip (corrupt or truncated).").format(
        package=name
    )
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise PackageError(_("{package}: no such file.").format(package=path)) from None
    except (zipfile.BadZipFile, OSError, EOFError):
        raise PackageError(corrupt) from None
    try:
        with archive:
            members = set(archive.namelist())
            if layout.MANIFEST not in members:
                raise PackageError(
                    _("{package}: not a hospital-osh package (it has no manifest.json).").format(
                        package=name
                    )
                )
            manifest = _json(archive, layout.MANIFEST, name)
            _check_format(manifest, name)
            files = manifest.get("files")
            if not isinstance(files, dict) or layout.SUMMARY not in files:
                raise PackageError(
                    _("{package}: the manifest does not list summary.json.").format(package=name)
                )
            extra = sorted(members - set(files) - {layout.MANIFEST})
            if extra:
                raise PackageError(
                    _(
                        "{package}: {file} is not listed in the manifest; the package was "
                        "altered. It is refused."
                    ).format(package=name, file=extra[0])
                )
            for member, expected in sorted(files.items()):
                if member not in members:
                    raise PackageError(
                        _("{package}: {file} is missing although the manifest lists it.").format(
                            package=name, file=member
                        )
                    )
                if _sha256(archive, member) != expected:
                    raise PackageError(
                        _(
                            "{package}: {file} does not match its checksum; the package was "
                            "altered or damaged. It is refused."
                        ).format(package=name, file=member)
                    )
            summary = _json(archive, layout.SUMMARY, name)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError):
        raise PackageError(corrupt) from None
    return Package(path, manifest, summary)


def _check_format(manifest: Mapping[str, Any], name: str) -> None:
    if manifest.get("format") != layout.FORMAT:
        raise PackageError(
            _("{package}: not a hospital-osh exchange package (format '{format}').").format(
                package=name, format=manifest.get("format", "")
            )
        )
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise PackageError(
            _("{package}: the manifest has no valid format version.").format(package=name)
        )
    if version > layout.FORMAT_VERSION:
        raise PackageError(
            _(
                "{package}: made with a newer format (version {version}); this hospital-osh "
                "reads up to version {supported}. Update hospital-osh to combine it."
            ).format(package=name, version=version, supported=layout.FORMAT_VERSION)
        )
    hospital = manifest.get("hospital")
    period = manifest.get("period")
    if not isinstance(hospital, dict) or not hospital.get("code"):
        raise PackageError(_("{package}: the manifest names no hospital.").format(package=name))
    try:
        start = dt.date.fromisoformat(str((period or {}).get("from")))
        end = dt.date.fromisoformat(str((period or {}).get("to")))
    except ValueError:
        raise PackageError(
            _("{package}: the manifest has no valid period.").format(package=name)
        ) from None
    if end < start:
        raise PackageError(
            _("{package}: the manifest's period ends before it starts.").format(package=name)
        )


# -- accumulating ---------------------------------------------------------------------------------


@dataclass
class _Hospital:
    code: str
    name_zh: str
    name_en: str
    province: str
    grade: str
    periods: list[tuple[str, str, str]] = field(default_factory=list)  # from, to, file
    exposures: int = 0
    percutaneous: int = 0
    fte_years: float | None = 0.0
    bed_years: float | None = 0.0
    by_sex: dict[str, int] = field(default_factory=dict)
    by_job_category: dict[str, int] = field(default_factory=dict)
    followup_required: int | None = 0
    followup_completed: int | None = 0


@dataclass
class _Totals:
    exposures: int = 0
    percutaneous: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    by_sex: dict[str, int] = field(default_factory=dict)
    by_job_category: dict[str, int] = field(default_factory=dict)
    by_device_type: dict[str, int] = field(default_factory=dict)
    by_department_type: dict[str, int] = field(default_factory=dict)
    sex_job: dict[str, dict[str, int]] = field(default_factory=dict)
    safety_engineered: dict[str, int] = field(default_factory=dict)
    safety_activated: dict[str, int] = field(default_factory=dict)
    source_positive: dict[str, int] = field(default_factory=dict)
    followup: dict[str, int] = field(default_factory=dict)
    followup_hospitals: set[str] = field(default_factory=set)


def _add_denominator(current: float | None, value: Any) -> float | None:
    if current is None or value is None:
        return None
    return current + float(value)


def _overlaps(a: tuple[str, str], b: tuple[str, str]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def rollup(paths: Iterable[Path], *, progress: Progress | None = None) -> dict[str, Any]:
    """Verify and combine the packages; the result is what ``--json`` writes and the PDF shows."""
    paths = [Path(p) for p in paths]
    if not paths:
        raise UserError(_("Give at least one package."))
    hospitals: dict[str, _Hospital] = {}
    seen: dict[tuple[str, str, str], tuple[str, str]] = {}  # (code, from, to) -> (file, sha)
    totals = _Totals()
    packages: list[dict[str, str]] = []
    duplicates: list[dict[str, Any]] = []
    first: str | None = None
    last: str | None = None
    for index, path in enumerate(paths):
        if progress is not None:
            progress(index, len(paths), path.name)
        package = read_package(path)
        code = package.hospital_code
        period = package.period
        fingerprint = package.manifest["files"][layout.SUMMARY]
        key = (code, *period)
        if key in seen:
            other, other_sha = seen[key]
            duplicates.append(
                {
                    "file": path.name,
                    "duplicate_of": other,
                    "hospital": code,
                    "from": period[0],
                    "to": period[1],
                    "identical": other_sha == fingerprint,
                }
            )
            continue
        for (seen_code, start, end), (other, _sha) in seen.items():
            if seen_code == code and _overlaps(period, (start, end)):
                raise PackageError(
                    _(
                        "{package}: its period {start} to {end} overlaps {other} of the same "
                        "hospital ({code}); exposures would be counted twice."
                    ).format(
                        package=path.name,
                        start=period[0],
                        end=period[1],
                        other=other,
                        code=code,
                    )
                )
        seen[key] = (path.name, fingerprint)
        packages.append({"file": path.name, "hospital": code, "from": period[0], "to": period[1]})
        first = min(first or period[0], period[0])
        last = max(last or period[1], period[1])
        _add(hospitals, totals, package)
    if progress is not None:
        progress(len(paths), len(paths), "")
    return _result(hospitals, totals, packages, duplicates, first, last)


def _add(hospitals: dict[str, _Hospital], totals: _Totals, package: Package) -> None:
    identity = package.manifest["hospital"]
    code = package.hospital_code
    summary = package.summary
    exposures = summary.get("exposures", {})
    denominators = summary.get("rates", {}).get("denominators", {})
    hospital = hospitals.get(code)
    if hospital is None:
        hospital = hospitals[code] = _Hospital(
            code,
            str(identity.get("name_zh", "")),
            str(identity.get("name_en", "")),
            str(identity.get("province", "")),
            str(identity.get("grade", "")),
        )
    hospital.periods.append((*package.period, package.path.name))
    total = int(exposures.get("total", 0))
    hospital.exposures += total
    hospital.percutaneous += int(exposures.get("percutaneous", 0))
    hospital.fte_years = _add_denominator(hospital.fte_years, denominators.get("fte_years"))
    hospital.bed_years = _add_denominator(hospital.bed_years, denominators.get("bed_years"))
    metrics.add_counts(hospital.by_sex, exposures.get("by_sex"))
    metrics.add_counts(hospital.by_job_category, exposures.get("by_job_category"))

    totals.exposures += total
    totals.percutaneous += int(exposures.get("percutaneous", 0))
    for name in (
        "by_type",
        "by_sex",
        "by_job_category",
        "by_device_type",
        "by_department_type",
        "safety_engineered",
        "safety_activated",
        "source_positive",
    ):
        metrics.add_counts(getattr(totals, name), exposures.get(name))
    for job, counts in exposures.get("sex_split", {}).get("job_category", {}).items():
        metrics.add_counts(totals.sex_job.setdefault(job, {}), counts)

    followup = summary.get("followup")
    if isinstance(followup, dict):
        totals.followup_hospitals.add(code)
        for name in _FOLLOWUP_COUNTS:
            totals.followup[name] = totals.followup.get(name, 0) + int(followup.get(name, 0))
        for virus, count in (followup.get("seroconversions") or {}).items():
            key = f"{virus}_seroconversions"
            totals.followup[key] = totals.followup.get(key, 0) + int(count)
        if hospital.followup_required is not None and hospital.followup_completed is not None:
            hospital.followup_required += int(followup.get("cases_requiring", 0))
            hospital.followup_completed += int(followup.get("completed", 0))
    else:
        hospital.followup_required = hospital.followup_completed = None


def _rate(count: int, denominator: float | None) -> float | None:
    return metrics.rate_per_100(count, denominator)


def _distribution(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "min": min(values) if values else None,
        "q1": metrics.quantile(values, 0.25),
        "median": metrics.quantile(values, 0.5),
        "q3": metrics.quantile(values, 0.75),
        "max": max(values) if values else None,
    }


def _result(
    hospitals: Mapping[str, _Hospital],
    totals: _Totals,
    packages: list[dict[str, str]],
    duplicates: list[dict[str, Any]],
    first: str | None,
    last: str | None,
) -> dict[str, Any]:
    rows = []
    fte_rates: list[float] = []
    bed_rates: list[float] = []
    pooled_fte = pooled_beds = 0.0
    counted_fte = counted_beds = 0
    with_fte = with_beds = 0
    for hospital in sorted(hospitals.values(), key=lambda h: h.code):
        fte_rate = _rate(hospital.exposures, hospital.fte_years)
        bed_rate = _rate(hospital.exposures, hospital.bed_years)
        if fte_rate is not None and hospital.fte_years:
            fte_rates.append(fte_rate)
            pooled_fte += hospital.fte_years
            counted_fte += hospital.exposures
            with_fte += 1
        if bed_rate is not None and hospital.bed_years:
            bed_rates.append(bed_rate)
            pooled_beds += hospital.bed_years
            counted_beds += hospital.exposures
            with_beds += 1
        completion = None
        if hospital.followup_required:
            completion = metrics.share(hospital.followup_completed or 0, hospital.followup_required)
        rows.append(
            {
                "code": hospital.code,
                "name_zh": hospital.name_zh,
                "name_en": hospital.name_en,
                "province": hospital.province,
                "grade": hospital.grade,
                "periods": [{"from": a, "to": b, "file": f} for a, b, f in hospital.periods],
                "exposures": hospital.exposures,
                "percutaneous": hospital.percutaneous,
                "fte_years": hospital.fte_years,
                "bed_years": hospital.bed_years,
                "per_100_fte_years": fte_rate,
                "per_100_occupied_bed_years": bed_rate,
                "by_sex": metrics.suppress_all(hospital.by_sex),
                "by_job_category": metrics.suppress_all(hospital.by_job_category),
                "followup_completion": completion,
            }
        )
    engineered = totals.safety_engineered
    known = engineered.get("yes", 0) + engineered.get("no", 0)
    followup: dict[str, Any] | None = None
    if totals.followup_hospitals:
        followup = {
            **totals.followup,
            "hospitals_reporting": len(totals.followup_hospitals),
            "completion": metrics.share(
                totals.followup.get("completed", 0), totals.followup.get("cases_requiring", 0)
            ),
        }
    return {
        "format": ROLLUP_FORMAT,
        "generator": {"name": layout.GENERATOR, "version": __version__},
        "period": {"from": first, "to": last},
        "packages": packages,
        "duplicates": duplicates,
        "hospitals": len(hospitals),
        "totals": {"exposures": totals.exposures, "percutaneous": totals.percutaneous},
        "pooled": {
            "per_100_fte_years": _rate(counted_fte, pooled_fte or None),
            "per_100_occupied_bed_years": _rate(counted_beds, pooled_beds or None),
            "hospitals_with_fte": with_fte,
            "hospitals_with_beds": with_beds,
            "safety_engineered_share": metrics.share(engineered.get("yes", 0), known),
            "safety_activated_share": metrics.share(
                totals.safety_activated.get("fully", 0), engineered.get("yes", 0)
            ),
        },
        "rate_distribution": {
            "per_100_fte_years": _distribution(fte_rates),
            "per_100_occupied_bed_years": _distribution(bed_rates),
        },
        "by_type": dict(sorted(totals.by_type.items())),
        "by_device_type": dict(sorted(totals.by_device_type.items())),
        "by_department_type": dict(sorted(totals.by_department_type.items())),
        "by_sex": metrics.suppress_all(dict(sorted(totals.by_sex.items()))),
        "by_job_category": metrics.suppress_all(dict(sorted(totals.by_job_category.items()))),
        "sex_by_job_category": {
            job: metrics.suppress_all(counts) for job, counts in sorted(totals.sex_job.items())
        },
        "safety_engineered": dict(sorted(engineered.items())),
        "source_positive": dict(sorted(totals.source_positive.items())),
        "followup": followup,
        "per_hospital": rows,
        "suppression": {"threshold": metrics.SMALL_CELL, "shown_as": metrics.SUPPRESSED},
    }
