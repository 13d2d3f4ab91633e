"""The checklist engine's pure rules: answers, merging, progress, import rows, shipped files,
and the action items' overdue flag and guards."""

from __future__ import annotations

import datetime as dt

import pytest

from hospital_osh.domain import actions as ar
from hospital_osh.domain import healthwise as hw
from hospital_osh.domain.healthwise import Bilingual, MemberAnswer
from hospital_osh.paths import resource

P, N, NA = "action_proposed", "no_action", "not_applicable"


def test_answer_rules() -> None:
    assert hw.answer_issues(P, True) == []
    assert hw.answer_issues(N, False) == []
    assert [i.field for i in hw.answer_issues(N, True)] == ["priority"]
    assert [i.field for i in hw.answer_issues(NA, True)] == ["priority"]
    assert [i.field for i in hw.answer_issues("maybe", False)] == ["answer"]


@pytest.mark.parametrize(
    ("answers", "expected", "priority", "disputed"),
    [
        ([(P, True), (P, True)], P, True, False),
        ([(N, False), (N, False), (P, True)], N, False, True),
        ([(N, False), (P, False)], P, False, True),  # a tie leans towards action
        ([(NA, False), (N, False)], N, False, True),
        ([(P, True), (P, False)], P, True, True),  # half of the proposers: priority
        ([(P, True), (P, False), (P, False)], P, False, True),
        ([("unanswered", False)], "unanswered", False, False),
    ],
)
def test_merge_answers(
    answers: list[tuple[str, bool]], expected: str, priority: bool, disputed: bool
) -> None:
    given = [MemberAnswer(f"m{i}", a, p, remarks=f"r{i}") for i, (a, p) in enumerate(answers)]
    merged = hw.merge_answers("C1", given)
    assert (merged.answer, merged.priority, merged.disputed) == (expected, priority, disputed)
    answered = [i for i, (a, _p) in enumerate(answers) if a != "unanswered"]
    assert merged.remarks.splitlines() == [f"m{i}: r{i}" for i in answered]


def test_merge_sheets_keeps_checklist_order_and_missing_items() -> None:
    sheets = {
        "甲": {"A": MemberAnswer("甲", P, True), "B": MemberAnswer("甲", N)},
        "乙": {"A": MemberAnswer("乙", P, True)},
    }
    merged = hw.merge_sheets(["B", "A", "C"], sheets)
    assert [(m.code, m.answer) for m in merged] == [("B", N), ("A", P), ("C", "unanswered")]


def test_compare_rounds() -> None:
    modules = [("M1", ["A", "B", "C"]), ("M2", ["D", "E"])]
    before = {"A": (P, True), "B": (N, False), "C": (P, False), "D": (NA, False)}
    after = {"A": (N, False), "B": (P, True), "C": (P, True), "D": (N, False), "E": (P, False)}
    progress = hw.compare_rounds(modules, before, after)
    changes = {c.code: c.change for c in progress.checkpoints}
    assert changes == {
        "A": "improved",
        "B": "worsened",
        "C": "still_needed",
        "D": "still_fine",
        "E": "new",
    }
    m1, m2 = progress.modules
    assert (m1.proposed_before, m1.proposed_after, m1.priority_before, m1.priority_after) == (
        2,
        2,
        1,
        2,
    )
    assert (m2.proposed_before, m2.proposed_after) == (0, 1)
    assert (progress.improved, progress.worsened) == (1, 1)


HEADER = list(hw.IMPORT_COLUMNS)


def _row(*values: str) -> list[str]:
    return list(values) + [""] * (len(HEADER) - len(values))


def test_import_rows_good() -> None:
    template, problems = hw.rows_to_template(
        HEADER,
        [
            (2, _row("1", "One", "一", "1.1", "T", "标")),
            (3, _row("1", "", "", "1.2", "U", "乙")),
            (5, _row()),  # a blank line is skipped
            (6, _row("2", "Two", "二", "2.1", "V", "丙")),
        ],
        code="c",
        version="v",
        name=Bilingual("名", "Name"),
    )
    assert problems == [] and template is not None
    assert [len(m.checkpoints) for m in template.modules] == [2, 1]
    assert template.modules[0].title == Bilingual("一", "One")


def test_import_rows_collect_every_problem_with_its_row() -> None:
    template, problems = hw.rows_to_template(
        HEADER,
        [
            (2, _row("1", "One", "一", "1.1", "T", "")),
            (3, _row("1", "Other", "", "1.1", "", "标")),
            (4, _row("", "", "", "", "T", "标")),
        ],
        code="c",
        version="v",
        name=Bilingual("名", "Name"),
    )
    assert template is None
    found = [(p.row, p.text.render()) for p in problems]
    assert (2, "The Chinese title (title_zh) is missing.") in found
    assert (3, "The checkpoint code 1.1 is already used in row 2.") in found
    assert (3, "The English title (title_en) is missing.") in found
    assert (3, "Module 1 has a different title than on its first row.") in found
    assert (4, "The module code is missing.") in found
    assert (4, "The checkpoint code is missing.") in found


def test_import_rows_need_the_columns() -> None:
    template, problems = hw.rows_to_template(
        ["module_code", "title_en"], [], code="c", version="v", name=Bilingual("a", "b")
    )
    assert template is None and problems[0].row == 0
    assert "checkpoint_code" in problems[0].text.render()


@pytest.mark.parametrize("name", ["healthwise_working.json", "ipc_walkround.json"])
def test_shipped_templates_parse_and_say_what_they_are(name: str) -> None:
    template = hw.parse_template_json(resource("healthwise", name).read_text("utf-8"), name)
    assert template.working_version
    assert template.source_note.zh and template.source_note.en
    for module in template.modules:
        for point in module.checkpoints:
            assert point.title.zh and point.title.en and point.source
            assert point.verification in hw.VERIFICATION_TAGS


def test_healthwise_template_has_the_eight_modules() -> None:
    text = resource("healthwise", "healthwise_working.json").read_text("utf-8")
    template = hw.parse_template_json(text)
    assert len(template.modules) == 8
    assert template.modules[2].title.en.startswith("Biological hazards and infection control")


def test_a_broken_template_file_is_refused() -> None:
    with pytest.raises(hw.TemplateError):
        hw.parse_template_json('{"code": "x", "version": "1", "name": {"zh": "a", "en": "b"}}')


# -- action items -------------------------------------------------------------------------------

TODAY = dt.date(2026, 6, 1)


@pytest.mark.parametrize("status", list(ar.ActionStatus))
def test_overdue_is_derived(status: str) -> None:
    past = TODAY - dt.timedelta(days=1)
    expected = status not in ar.NOT_OVERDUE_STATUSES
    assert ar.is_overdue(status, past, TODAY) is expected
    assert ar.is_overdue(status, TODAY, TODAY) is False
    assert ar.is_overdue(status, None, TODAY) is False


def test_same_person() -> None:
    assert ar.same_person("li", "", "li", "Someone")
    assert ar.same_person(None, "王 护士长", "x", "王护士长")
    assert ar.same_person(None, "Li", "li", "Other")
    assert not ar.same_person(None, "", "li", "Li")
    assert not ar.same_person("wang", "王", "li", "李")


def test_planning_needs_owner_date_and_resources() -> None:
    facts = ar.ItemFacts(status="approved")
    fields = {i.field for i in ar.check_transition(facts, "planned", TODAY)}
    assert fields == {"owner", "due_date", "resources"}
    ready = ar.ItemFacts("approved", owner_name="王", due_date=TODAY, resources="¥0")
    assert ar.check_transition(ready, "planned", TODAY) == []


def test_every_transition_names_a_right_and_a_label() -> None:
    pairs = [(t.source, t.target) for t in ar.TRANSITIONS]
    assert len(pairs) == len(set(pairs))
    for move in ar.TRANSITIONS:
        assert move.label and move.right in ar.Right
        if move.needs_new_due_date:
            assert move.needs_reason


@pytest.mark.parametrize(
    ("left_out", "expected"),
    [
        (["B"], "Nurse A: 1 item is not answered: B."),
        (["B", "C"], "Nurse A: 2 items are not answered: B, C."),
    ],
)
def test_unanswered_items_are_counted_in_good_english(left_out: list[str], expected: str) -> None:
    answers = {c: ("yes", False) for c in "ABC" if c not in left_out}
    found = hw.check_move(
        "in_progress",
        "submitted",
        codes=["A", "B", "C"],
        member_sheets=[hw.SheetFacts("Nurse A", answers)],
    )
    assert [i.text.render() for i in found] == [expected]
