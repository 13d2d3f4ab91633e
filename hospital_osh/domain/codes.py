"""Code lists: stable lower-case codes with English source labels, translated where shown.

Codes are what the database and the exchange files store (see EXCHANGE.md); labels are for people
and go through gettext at display time (``hospital_osh.i18n._(entry.label)``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


def N_(message: str) -> str:
    return message


@dataclass(frozen=True)
class Code:
    code: str
    label: str
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class CodeList:
    """An ordered, immutable list of codes. ``name`` is the list's own stable identifier."""

    name: str
    entries: tuple[Code, ...]

    def __post_init__(self) -> None:
        codes = [e.code for e in self.entries]
        if len(codes) != len(set(codes)):
            raise ValueError(f"duplicate code in code list {self.name}")

    def __iter__(self) -> Iterator[Code]:
        return iter(self.entries)

    def __contains__(self, code: object) -> bool:
        return any(e.code == code for e in self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.entries)

    def get(self, code: str) -> Code:
        for entry in self.entries:
            if entry.code == code:
                return entry
        raise KeyError(code)

    def label(self, code: str | None) -> str:
        """The untranslated source label, or the code itself for an unknown code."""
        if code is None:
            return ""
        try:
            return self.get(code).label
        except KeyError:
            return code


def code_list(name: str, *pairs: tuple[str, str]) -> CodeList:
    return CodeList(name, tuple(Code(code, label) for code, label in pairs))


DEPARTMENT_TYPES = code_list(
    "department_type",
    ("ward", N_("Ward")),
    ("icu", N_("Intensive care unit")),
    ("operating_theatre", N_("Operating theatre")),
    ("emergency", N_("Emergency")),
    ("outpatient", N_("Outpatient")),
    ("laboratory", N_("Laboratory")),
    ("radiology", N_("Radiology")),
    ("pharmacy", N_("Pharmacy")),
    ("cssd", N_("Sterile services (CSSD)")),
    ("dental", N_("Dental")),
    ("dialysis", N_("Dialysis")),
    ("logistics", N_("Logistics and support")),
    ("administration", N_("Administration")),
    ("other", N_("Other")),
)

JOB_CATEGORIES = CodeList(
    "job_category",
    tuple(
        Code(code, label, {"epinet": epinet})
        for code, label, epinet in (
            ("doctor", N_("Doctor"), "1,2"),
            ("nurse", N_("Nurse"), "4"),
            ("midwife", N_("Midwife"), "4.5"),
            ("lab_technician", N_("Laboratory technician"), "10"),
            ("imaging_technician", N_("Imaging and other technician"), "11"),
            ("pharmacist", N_("Pharmacist"), "15"),
            ("dentist", N_("Dentist"), "12,13"),
            ("student_intern", N_("Student or intern"), "3,5,17"),
            ("cleaner", N_("Cleaner"), "14,19"),
            ("caregiver", N_("Caregiver"), "18"),
            ("porter", N_("Porter or security"), "7,8,20"),
            ("other", N_("Other"), "15"),
        )
    ),
)

EMPLOYMENT_TYPES = code_list(
    "employment_type",
    ("permanent", N_("Permanent")),
    ("contract", N_("Contract")),
    ("agency", N_("Agency or dispatched")),
    ("student", N_("Student, intern or trainee")),
    ("other", N_("Other")),
)

SEXES = code_list(
    "sex",
    ("female", N_("Female")),
    ("male", N_("Male")),
    ("unknown", N_("Unknown")),
)

HOSPITAL_GRADES = code_list(
    "hospital_grade",
    ("tertiary_a", N_("Tertiary, grade A")),
    ("tertiary", N_("Tertiary")),
    ("secondary_a", N_("Secondary, grade A")),
    ("secondary", N_("Secondary")),
    ("primary", N_("Primary")),
    ("other", N_("Other")),
)
