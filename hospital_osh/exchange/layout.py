"""The exchange contract in one place (shared/design/EXCHANGE.md): format name and version, file
names, CSV columns in their order, value formats and the keyed pseudonym.

The export writes these columns, the importer reads them and the roll-up checks the format; a
change here is a change of the contract, so it goes with a new ``FORMAT_VERSION``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

FORMAT = "hospital-osh-exchange"
FORMAT_VERSION = 1
GENERATOR = "hospital-osh"

MANIFEST = "manifest.json"
SUMMARY = "summary.json"
EXPOSURES = "exposures.csv"
FOLLOWUPS = "followups.csv"
HAZARDS = "hazards.csv"
ACTIONS = "actions.csv"
REPORTS = {"zh_CN": "report_zh_CN.pdf", "en": "report_en.pdf"}

EXPOSURE_COLUMNS: tuple[str, ...] = (
    "uuid",
    "hospital_code",
    "occurred_at",
    "reported_at",
    "exposure_type",
    "department_type",
    "location_type",
    "job_category",
    "employment_type",
    "sex",
    "age_band",
    "tenure_band",
    "device_type",
    "device_safety_engineered",
    "safety_activated",
    "purpose",
    "circumstance",
    "body_site",
    "depth",
    "gloves",
    "fluid_type",
    "contact_duration",
    "contact_volume",
    "source_identified",
    "source_hbsag",
    "source_anti_hcv",
    "source_hcv_rna",
    "source_hiv",
    "worker_hbv_status",
    "worker_anti_hbs_miu",
    "hbig_given",
    "hbv_vaccine_given",
    "hiv_pep_started",
    "hiv_pep_started_at",
    "hiv_pep_completed",
    "outcome",
    "status",
    "worker_key",
)
# Columns the importer accepts besides the exported ones (they never leave the hospital).
IMPORT_ONLY_COLUMNS: tuple[str, ...] = (
    "staff_no",
    "worker_name",
    "department_code",
    "age",
    "years_in_post",
)
# Post-exposure columns: filled from services.post_exposure once that service keeps them.
POST_EXPOSURE_COLUMNS: tuple[str, ...] = (
    "worker_hbv_status",
    "worker_anti_hbs_miu",
    "hbig_given",
    "hbv_vaccine_given",
    "hiv_pep_started",
    "hiv_pep_started_at",
    "hiv_pep_completed",
)
FOLLOWUP_COLUMNS: tuple[str, ...] = (
    "exposure_uuid",
    "test",
    "due_date",
    "done_date",
    "status",
    "result",
)
# hazards.csv and actions.csv: EXCHANGE.md names the files but not their columns; these are
# codes, levels and dates only (no activity, location, title or description text).
HAZARD_COLUMNS: tuple[str, ...] = (
    "hospital_code",
    "uuid",
    "department_type",
    "category",
    "statutory_factor_code",
    "status",
    "assessed_on",
    "initial_level",
    "residual_level",
    "current_level",
    "next_review_on",
    "review_overdue",
    "exposed_female",
    "exposed_male",
    "reproductive_hazard",
)
ACTION_COLUMNS: tuple[str, ...] = (
    "hospital_code",
    "uuid",
    "department_type",
    "source_kind",
    "hierarchy_level",
    "status",
    "created_on",
    "due_date",
    "overdue",
    "verified_on",
    "gender_relevant",
    "cost_category",
)
# What never leaves the hospital, shown in the export preview (EXCHANGE.md, privacy rules).
NEVER_EXPORTED: tuple[str, ...] = (
    "names",
    "staff_numbers",
    "birth_dates",
    "free_text",
    "source_patient_identifiers",
    "device_brands",
)

CSV_ENCODING = "utf-8-sig"  # UTF-8 with BOM: Excel on Chinese Windows opens it correctly
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def format_datetime(value: dt.datetime | None) -> str:
    """Local date-time without zone and seconds, as the contract writes it (``DATETIME_FORMAT``;
    ``isoformat`` gives the same text for a naive time at a fraction of strftime's cost)."""
    return "" if value is None else value.replace(tzinfo=None).isoformat("T", "minutes")


def parse_datetime(text: str) -> dt.datetime:
    """``2026-03-01T14:30`` (a space instead of T and seconds are accepted too)."""
    value = dt.datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    if value.tzinfo is not None:
        raise ValueError(text)
    return value


def worker_key(secret: str, staff_no: str) -> str:
    """The keyed pseudonym of a staff number: stable within a hospital, useless outside it."""
    if not staff_no:
        return ""
    digest = hmac.new(secret.encode("utf-8"), staff_no.encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:16]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
