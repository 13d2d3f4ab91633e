"""The checklist engine: templates, answers, the assessment workflow, merging and progress.

One generic shape serves HealthWISE, infection-prevention walk-rounds and a hospital's own lists
(domain/healthwise.md a.8): template -> modules -> checkpoints -> answers -> action items.
Checkpoint texts are data (``resources/healthwise/*.json`` or a hospital's import), never code.

An assessment is one round of a template in one area on one date by a team. Each member may fill
a sheet; the sheets merge into one consensus sheet for the group discussion. The states and
guards follow domain/healthwise.md b.1: every item answered before submission, priority only
where action is proposed, every priority item with an action item or a documented reason
before the plan goes to the committee, and every item settled before the round closes.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from hospital_osh.domain.actions import SETTLED_STATUSES, ActionStatus
from hospital_osh.domain.codes import N_, code_list
from hospital_osh.domain.messages import Issue, Severity, Text, issue

# -- answers ------------------------------------------------------------------------------------


class Answer(StrEnum):
    UNANSWERED = "unanswered"
    NO_ACTION = "no_action"  # in place, nothing to do
    NOT_APPLICABLE = "not_applicable"
    ACTION_PROPOSED = "action_proposed"


ANSWERS = code_list(
    "checklist_answer",
    (Answer.UNANSWERED, N_("Not answered")),
    (Answer.NO_ACTION, N_("No action needed")),
    (Answer.NOT_APPLICABLE, N_("Not applicable")),
    (Answer.ACTION_PROPOSED, N_("Action proposed")),
)
ANSWERED = (Answer.NO_ACTION, Answer.NOT_APPLICABLE, Answer.ACTION_PROPOSED)

TEAM_ROLES = code_list(
    "team_role",
    ("facilitator", N_("Facilitator")),
    ("manager", N_("Manager")),
    ("staff", N_("Staff")),
)

VERIFICATION_TAGS = code_list(
    "verification",
    ("V", N_("Verified against a consulted source")),
    ("P", N_("Partly verified")),
    ("U", N_("Not verified: our working wording")),
    ("official", N_("Official text of the hospital's edition")),
)


def answer_issues(answer: str, priority: bool) -> list[Issue]:
    """Errors in one answer as given."""
    if answer not in ANSWERS:
        return [issue("answer", Severity.ERROR, N_("Choose an answer from the list."))]
    if priority and answer != Answer.ACTION_PROPOSED:
        return [
            issue(
                "priority",
                Severity.ERROR,
                N_("Only an item where action is proposed can be a priority."),
            )
        ]
    return []


# -- templates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bilingual:
    zh: str = ""
    en: str = ""

    def pick(self, chinese: bool) -> str:
        return (self.zh or self.en) if chinese else (self.en or self.zh)


@dataclass(frozen=True)
class CheckpointData:
    code: str
    title: Bilingual
    why: Bilingual = Bilingual()
    how: Bilingual = Bilingual()
    verification: str = "U"
    source: str = ""


@dataclass(frozen=True)
class ModuleData:
    code: str
    title: Bilingual
    checkpoints: tuple[CheckpointData, ...]
    verification: str = "U"
    source: str = ""


@dataclass(frozen=True)
class TemplateData:
    """A whole template as shipped or imported, before it is stored."""

    code: str
    version: str
    name: Bilingual
    modules: tuple[ModuleData, ...]
    description: Bilingual = Bilingual()
    working_version: bool = False
    source_note: Bilingual = Bilingual()

    @property
    def checkpoint_count(self) -> int:
        return sum(len(m.checkpoints) for m in self.modules)


class TemplateError(ValueError):
    """A shipped template file that does not follow the format (a packaging bug)."""


def _bilingual(value: object, where: str, required: bool = True) -> Bilingual:
    if value is None and not required:
        return Bilingual()
    if not isinstance(value, Mapping):
        raise TemplateError(f"{where}: expected an object with 'zh' and 'en'")
    zh, en = str(value.get("zh", "")).strip(), str(value.get("en", "")).strip()
    if required and not (zh and en):
        raise TemplateError(f"{where}: both 'zh' and 'en' are required")
    return Bilingual(zh, en)


def parse_template_json(text: str, name: str = "template") -> TemplateData:
    """Read a template file (format: resources/healthwise/README.md)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise TemplateError(f"{name}: {error}") from error
    modules = []
    codes: set[str] = set()
    for index, module in enumerate(data.get("modules", []), 1):
        where = f"{name} module {index}"
        checkpoints = []
        for point in module.get("checkpoints", []):
            code = str(point["code"]).strip()
            if code in codes:
                raise TemplateError(f"{where}: duplicate checkpoint code {code}")
            codes.add(code)
            tag = str(point.get("verification", module.get("verification", "U")))
            if tag not in VERIFICATION_TAGS:
                raise TemplateError(f"{where} {code}: unknown verification tag {tag}")
            checkpoints.append(
                CheckpointData(
                    code=code,
                    title=_bilingual(point.get("title"), f"{where} {code} title"),
                    why=_bilingual(point.get("why"), f"{where} {code} why", required=False),
                    how=_bilingual(point.get("how"), f"{where} {code} how", required=False),
                    verification=tag,
                    source=str(point.get("source", module.get("source", ""))),
                )
            )
        if not checkpoints:
            raise TemplateError(f"{where}: no checkpoints")
        modules.append(
            ModuleData(
                code=str(module["code"]).strip(),
                title=_bilingual(module.get("title"), f"{where} title"),
                checkpoints=tuple(checkpoints),
                verification=str(module.get("verification", "U")),
                source=str(module.get("source", "")),
            )
        )
    if not modules:
        raise TemplateError(f"{name}: no modules")
    return TemplateData(
        code=str(data["code"]).strip(),
        version=str(data["version"]).strip(),
        name=_bilingual(data.get("name"), f"{name} name"),
        modules=tuple(modules),
        description=_bilingual(data.get("description"), f"{name} description", required=False),
        working_version=bool(data.get("working_version", False)),
        source_note=_bilingual(data.get("source_note"), f"{name} source_note", required=False),
    )


# -- import of a hospital's checkpoint texts (CSV/XLSX rows) ------------------------------------

IMPORT_COLUMNS: tuple[str, ...] = (
    "module_code",
    "module_title_en",
    "module_title_zh",
    "checkpoint_code",
    "title_en",
    "title_zh",
    "why_en",
    "why_zh",
    "how_en",
    "how_zh",
)
REQUIRED_IMPORT_COLUMNS: tuple[str, ...] = IMPORT_COLUMNS[:6]
CODE_MAX = 40
TITLE_MAX = 500


@dataclass(frozen=True)
class RowProblem:
    """One problem of an imported file; ``row`` is the line number in the file (0: the file)."""

    row: int
    text: Text


def rows_to_template(
    header: Sequence[str],
    rows: Iterable[tuple[int, Sequence[str]]],
    *,
    code: str,
    version: str,
    name: Bilingual,
) -> tuple[TemplateData | None, list[RowProblem]]:
    """Build a template from rows of a file; any problem means no template (all or nothing).

    ``header`` names the columns (``IMPORT_COLUMNS``, in any order; extra columns ignored);
    ``rows`` gives each data line with its line number in the file.
    """
    columns = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_IMPORT_COLUMNS if c not in columns]
    if missing:
        return None, [
            RowProblem(
                0,
                Text.of(N_("Required columns are missing: {columns}."), columns=", ".join(missing)),
            )
        ]
    position = {c: columns.index(c) for c in IMPORT_COLUMNS if c in columns}
    problems: list[RowProblem] = []
    modules: dict[str, tuple[Bilingual, list[CheckpointData]]] = {}
    seen: dict[str, int] = {}
    count = 0
    for line, values in rows:

        def cell(column: str, values: Sequence[str] = values) -> str:
            index = position.get(column)
            return values[index].strip() if index is not None and index < len(values) else ""

        if not any(str(v).strip() for v in values):
            continue
        count += 1
        module_code, point_code = cell("module_code"), cell("checkpoint_code")
        if not module_code:
            problems.append(RowProblem(line, Text.of(N_("The module code is missing."))))
        if not point_code:
            problems.append(RowProblem(line, Text.of(N_("The checkpoint code is missing."))))
        for value in (module_code, point_code):
            if len(value) > CODE_MAX:
                problems.append(
                    RowProblem(line, Text.of(N_("A code has at most {n} characters."), n=CODE_MAX))
                )
        if point_code:
            if point_code in seen:
                problems.append(
                    RowProblem(
                        line,
                        Text.of(
                            N_("The checkpoint code {code} is already used in row {first}."),
                            code=point_code,
                            first=seen[point_code],
                        ),
                    )
                )
            else:
                seen[point_code] = line
        for column, missing_text in (
            ("title_zh", N_("The Chinese title (title_zh) is missing.")),
            ("title_en", N_("The English title (title_en) is missing.")),
        ):
            text = cell(column)
            if not text:
                problems.append(RowProblem(line, Text.of(missing_text)))
            elif len(text) > TITLE_MAX:
                problems.append(
                    RowProblem(
                        line, Text.of(N_("A title has at most {n} characters."), n=TITLE_MAX)
                    )
                )
        module_title = Bilingual(cell("module_title_zh"), cell("module_title_en"))
        if module_code and module_code not in modules:
            if not (module_title.zh and module_title.en):
                problems.append(
                    RowProblem(
                        line,
                        Text.of(
                            N_(
                                "The first row of module {module} needs its title in both "
                                "languages (module_title_zh, module_title_en)."
                            ),
                            module=module_code,
                        ),
                    )
                )
            modules[module_code] = (module_title, [])
        elif module_code and (module_title.zh or module_title.en):
            known = modules[module_code][0]
            if (module_title.zh and module_title.zh != known.zh) or (
                module_title.en and module_title.en != known.en
            ):
                problems.append(
                    RowProblem(
                        line,
                        Text.of(
                            N_("Module {module} has a different title than on its first row."),
                            module=module_code,
                        ),
                    )
                )
        if module_code and point_code:
            modules[module_code][1].append(
                CheckpointData(
                    code=point_code,
                    title=Bilingual(cell("title_zh"), cell("title_en")),
                    why=Bilingual(cell("why_zh"), cell("why_en")),
                    how=Bilingual(cell("how_zh"), cell("how_en")),
                    verification="official",
                    source="",
                )
            )
    if count == 0:
        problems.append(RowProblem(0, Text.of(N_("The file has no checkpoint rows."))))
    if problems:
        return None, problems
    template = TemplateData(
        code=code,
        version=version,
        name=name,
        modules=tuple(
            ModuleData(code=m, title=title, checkpoints=tuple(points), verification="official")
            for m, (title, points) in modules.items()
        ),
    )
    return template, []


# -- the assessment workflow --------------------------------------------------------------------


class State(StrEnum):
    DRAFT = "draft"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    IN_GROUP_REVIEW = "in_group_review"
    PRIORITIZED = "prioritized"
    PLAN_SUBMITTED = "plan_submitted"
    PLAN_APPROVED = "plan_approved"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"


STATES = code_list(
    "assessment_state",
    (State.DRAFT, N_("Draft")),
    (State.IN_PROGRESS, N_("Walk-through")),
    (State.SUBMITTED, N_("Sheets submitted")),
    (State.IN_GROUP_REVIEW, N_("Group review")),
    (State.PRIORITIZED, N_("Priorities agreed")),
    (State.PLAN_SUBMITTED, N_("Plan submitted")),
    (State.PLAN_APPROVED, N_("Plan approved")),
    (State.FOLLOW_UP, N_("Follow-up")),
    (State.CLOSED, N_("Closed")),
)

MEMBER_SHEET_STATES = frozenset({State.DRAFT, State.IN_PROGRESS})
"""Members' own sheets can be filled only before submission."""
CONSENSUS_STATES = frozenset({State.IN_GROUP_REVIEW})
"""The consensus sheet's answers and priorities change only during the group review."""
REASON_STATES = frozenset({State.IN_GROUP_REVIEW, State.PRIORITIZED})
"""A priority item's reason for no action can be written until the plan is submitted."""


@dataclass(frozen=True)
class StateMove:
    source: State
    target: State
    decide: bool  # a committee decision (DECIDE_ACTIONS) rather than the team's work
    label: str
    needs_reason: bool = False


STATE_MOVES: tuple[StateMove, ...] = (
    StateMove(State.DRAFT, State.IN_PROGRESS, False, N_("Start the walk-through")),
    StateMove(State.IN_PROGRESS, State.SUBMITTED, False, N_("Submit the sheets")),
    StateMove(State.SUBMITTED, State.IN_GROUP_REVIEW, False, N_("Merge into a consensus sheet")),
    StateMove(State.IN_GROUP_REVIEW, State.PRIORITIZED, False, N_("Agree the priorities")),
    StateMove(State.PRIORITIZED, State.PLAN_SUBMITTED, False, N_("Submit the plan")),
    StateMove(State.PLAN_SUBMITTED, State.PLAN_APPROVED, True, N_("Approve the plan")),
    StateMove(
        State.PLAN_SUBMITTED,
        State.IN_GROUP_REVIEW,
        True,
        N_("Return for rework"),
        needs_reason=True,
    ),
    StateMove(State.PLAN_APPROVED, State.FOLLOW_UP, False, N_("Start the follow-up")),
    StateMove(State.FOLLOW_UP, State.CLOSED, False, N_("Close the round")),
)


def state_move(source: str, target: str) -> StateMove | None:
    for move in STATE_MOVES:
        if move.source == source and move.target == target:
            return move
    return None


def moves_from(source: str) -> tuple[StateMove, ...]:
    return tuple(m for m in STATE_MOVES if m.source == source)


@dataclass(frozen=True)
class SheetFacts:
    """One sheet as the guards see it: checkpoint code -> (answer, priority)."""

    label: str  # the member's name, or "" for the consensus sheet
    answers: Mapping[str, tuple[str, bool]]


def unanswered(codes: Sequence[str], answers: Mapping[str, tuple[str, bool]]) -> list[str]:
    """Checkpoint codes of ``codes`` still without an answer, in checklist order."""
    return [c for c in codes if answers.get(c, (Answer.UNANSWERED, False))[0] == Answer.UNANSWERED]


@dataclass(frozen=True)
class PriorityFacts:
    code: str
    action_count: int
    no_action_reason: str


@dataclass(frozen=True)
class ItemSettlement:
    reference: str
    status: str
    reason: str


def check_move(
    source: str,
    target: str,
    *,
    codes: Sequence[str],
    member_sheets: Sequence[SheetFacts] = (),
    consensus: SheetFacts | None = None,
    priorities: Sequence[PriorityFacts] = (),
    items: Sequence[ItemSettlement] = (),
    reason: str = "",
) -> list[Issue]:
    """Errors that refuse moving an assessment from ``source`` to ``target`` (empty: allowed)."""
    error = Severity.ERROR
    move = state_move(source, target)
    if move is None:
        return [issue("state", error, N_("This step is not possible now."))]
    found: list[Issue] = []
    if move.needs_reason and not reason.strip():
        found.append(issue("reason", error, N_("Give the reason.")))
    if target == State.SUBMITTED:
        if not member_sheets:
            found.append(issue("sheets", error, N_("No team member has filled a sheet yet.")))
        for sheet in member_sheets:
            left = unanswered(codes, sheet.answers)
            if left:
                found.append(
                    issue(
                        "sheets",
                        error,
                        N_("{member}: {count} item is not answered: {codes}.")
                        if len(left) == 1
                        else N_("{member}: {count} items are not answered: {codes}."),
                        member=sheet.label,
                        count=len(left),
                        codes=", ".join(left),
                    )
                )
    if target == State.PRIORITIZED:
        if consensus is None:
            found.append(issue("consensus", error, N_("There is no consensus sheet yet.")))
        else:
            left = unanswered(codes, consensus.answers)
            if left:
                found.append(
                    issue(
                        "consensus",
                        error,
                        N_("{count} item of the consensus sheet is not answered: {codes}.")
                        if len(left) == 1
                        else N_("{count} items of the consensus sheet are not answered: {codes}."),
                        count=len(left),
                        codes=", ".join(left),
                    )
                )
            wrong = [
                c
                for c in codes
                if consensus.answers.get(c, ("", False))[1]
                and consensus.answers[c][0] != Answer.ACTION_PROPOSED
            ]
            if wrong:
                found.append(
                    issue(
                        "consensus",
                        error,
                        N_("Priority is set on items without proposed action: {codes}."),
                        codes=", ".join(wrong),
                    )
                )
    if target == State.PLAN_SUBMITTED:
        bare = [
            p.code for p in priorities if p.action_count == 0 and not p.no_action_reason.strip()
        ]
        if bare:
            found.append(
                issue(
                    "plan",
                    error,
                    N_("Priority items need an action item or a reason for no action: {codes}."),
                    codes=", ".join(bare),
                )
            )
    if target == State.CLOSED:
        unsettled = [i.reference for i in items if not _settled(i)]
        if unsettled:
            found.append(
                issue(
                    "plan",
                    error,
                    N_("The plan still has open items: {references}."),
                    references=", ".join(unsettled),
                )
            )
    return found


def _settled(item: ItemSettlement) -> bool:
    """Closed, cancelled, rejected, or deferred with its reason (domain/healthwise.md b.1)."""
    if item.status not in SETTLED_STATUSES:
        return False
    return item.status != ActionStatus.DEFERRED or bool(item.reason.strip())


# -- merging sheets -----------------------------------------------------------------------------

_TIE_ORDER = (Answer.ACTION_PROPOSED, Answer.NO_ACTION, Answer.NOT_APPLICABLE)


@dataclass(frozen=True)
class MemberAnswer:
    member: str
    answer: str
    priority: bool = False
    remarks: str = ""
    good_practice: str = ""


@dataclass(frozen=True)
class MergedAnswer:
    """The consensus draft of one checkpoint, for the group to discuss."""

    code: str
    answer: str
    priority: bool
    remarks: str
    good_practice: str
    disputed: bool  # members answered differently: talk it through
    votes: Mapping[str, int] = field(default_factory=dict)


def merge_answers(code: str, answers: Sequence[MemberAnswer]) -> MergedAnswer:
    """Majority answer (ties resolved towards proposing action, so nothing is dropped quietly);
    priority when at least half of those proposing action marked it; remarks and good practice
    kept with the member's name; ``disputed`` when members disagreed."""
    given = [a for a in answers if a.answer in ANSWERED]
    votes = Counter(a.answer for a in given)
    if not votes:
        answer = Answer.UNANSWERED.value
    else:
        top = max(votes.values())
        answer = next(str(a) for a in _TIE_ORDER if votes.get(a, 0) == top)
    proposing = [a for a in given if a.answer == Answer.ACTION_PROPOSED]
    priority_votes = sum(1 for a in proposing if a.priority)
    priority = answer == Answer.ACTION_PROPOSED and 2 * priority_votes >= len(proposing) > 0
    disputed = len(votes) > 1 or 0 < priority_votes < len(proposing)
    remarks = "\n".join(f"{a.member}: {a.remarks.strip()}" for a in given if a.remarks.strip())
    good = "\n".join(
        f"{a.member}: {a.good_practice.strip()}" for a in given if a.good_practice.strip()
    )
    return MergedAnswer(code, answer, priority, remarks, good, disputed, dict(votes))


def merge_sheets(
    codes: Sequence[str], sheets: Mapping[str, Mapping[str, MemberAnswer]]
) -> list[MergedAnswer]:
    """Merge every member's sheet (member -> code -> answer) checkpoint by checkpoint."""
    return [
        merge_answers(code, [sheet[code] for sheet in sheets.values() if code in sheet])
        for code in codes
    ]


# -- progress against the previous round --------------------------------------------------------


class Change(StrEnum):
    IMPROVED = "improved"  # action was proposed before, no longer needed
    WORSENED = "worsened"  # fine before, action proposed now
    STILL_NEEDED = "still_needed"
    STILL_FINE = "still_fine"
    NEW = "new"  # not assessed (or not answered) in the previous round


CHANGES = code_list(
    "progress_change",
    (Change.IMPROVED, N_("Improved")),
    (Change.WORSENED, N_("Worsened")),
    (Change.STILL_NEEDED, N_("Still needs action")),
    (Change.STILL_FINE, N_("Still in order")),
    (Change.NEW, N_("Not compared")),
)


@dataclass(frozen=True)
class CheckpointProgress:
    code: str
    module: str
    before: str | None
    after: str
    change: str


@dataclass(frozen=True)
class ModuleProgress:
    module: str
    proposed_before: int
    proposed_after: int
    priority_before: int
    priority_after: int
    improved: int
    worsened: int


@dataclass(frozen=True)
class Progress:
    """How a round compares with the previous one of the same area ("Yes fell from 14 to 6")."""

    modules: tuple[ModuleProgress, ...]
    checkpoints: tuple[CheckpointProgress, ...]

    @property
    def proposed_before(self) -> int:
        return sum(m.proposed_before for m in self.modules)

    @property
    def proposed_after(self) -> int:
        return sum(m.proposed_after for m in self.modules)

    @property
    def improved(self) -> int:
        return sum(m.improved for m in self.modules)

    @property
    def worsened(self) -> int:
        return sum(m.worsened for m in self.modules)


def _change(before: str | None, after: str) -> Change:
    if before is None or before == Answer.UNANSWERED or after == Answer.UNANSWERED:
        return Change.NEW
    was, now = before == Answer.ACTION_PROPOSED, after == Answer.ACTION_PROPOSED
    if was and not now:
        return Change.IMPROVED
    if now and not was:
        return Change.WORSENED
    return Change.STILL_NEEDED if now else Change.STILL_FINE


def compare_rounds(
    modules: Sequence[tuple[str, Sequence[str]]],
    previous: Mapping[str, tuple[str, bool]],
    current: Mapping[str, tuple[str, bool]],
) -> Progress:
    """Compare two consensus sheets (code -> (answer, priority)) module by module.

    Checkpoints are matched by code, so a round on a newer version of the same template compares
    what both versions share; codes new in this round count as "not compared"."""
    module_rows = []
    point_rows = []
    for module, codes in modules:
        counts = Counter[str]()
        for code in codes:
            before = previous.get(code)
            after = current.get(code, (Answer.UNANSWERED.value, False))
            change = _change(before[0] if before else None, after[0])
            point_rows.append(
                CheckpointProgress(code, module, before[0] if before else None, after[0], change)
            )
            counts[change] += 1
            if before and before[0] == Answer.ACTION_PROPOSED:
                counts["proposed_before"] += 1
                counts["priority_before"] += int(before[1])
            if after[0] == Answer.ACTION_PROPOSED:
                counts["proposed_after"] += 1
                counts["priority_after"] += int(after[1])
        module_rows.append(
            ModuleProgress(
                module=module,
                proposed_before=counts["proposed_before"],
                proposed_after=counts["proposed_after"],
                priority_before=counts["priority_before"],
                priority_after=counts["priority_after"],
                improved=counts[Change.IMPROVED],
                worsened=counts[Change.WORSENED],
            )
        )
    return Progress(tuple(module_rows), tuple(point_rows))


# -- plan revisions after approval (domain/healthwise.md b.1) -----------------------------------


@dataclass(frozen=True)
class PlanItemFacts:
    """What the committee approved about one item of a plan: what, who, when and the cost.

    Dates and amounts are kept as text (ISO date, decimal string) so that a stored snapshot
    compares equal to the live item without rounding questions."""

    reference: str
    title: str
    owner: str
    due_date: str
    cost_cny: str


PLAN_FIELDS: tuple[str, ...] = ("title", "owner", "due_date", "cost_cny")

PLAN_FIELD_LABELS = code_list(
    "plan_field",
    ("title", N_("What")),
    ("owner", N_("Who")),
    ("due_date", N_("Due date")),
    ("cost_cny", N_("Cost (CNY)")),
)


class PlanChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"  # cancelled or rejected after approval
    CHANGED = "changed"


@dataclass(frozen=True)
class PlanChange:
    reference: str
    kind: PlanChangeKind
    field: str = ""
    old: str = ""
    new: str = ""


def plan_changes(
    approved: Sequence[PlanItemFacts], current: Sequence[PlanItemFacts]
) -> list[PlanChange]:
    """How the plan differs from its approved revision, item by item in reference order.

    An item counts as on the plan unless it was rejected or cancelled (the caller leaves those
    out of ``current``), so dropping an approved item shows as removed."""
    before = {i.reference: i for i in approved}
    after = {i.reference: i for i in current}
    found: list[PlanChange] = []
    for reference in sorted(before.keys() | after.keys()):
        old, new = before.get(reference), after.get(reference)
        if old is None:
            found.append(PlanChange(reference, PlanChangeKind.ADDED))
        elif new is None:
            found.append(PlanChange(reference, PlanChangeKind.REMOVED))
        else:
            for name in PLAN_FIELDS:
                was, now = getattr(old, name), getattr(new, name)
                if was != now:
                    found.append(PlanChange(reference, PlanChangeKind.CHANGED, name, was, now))
    return found
