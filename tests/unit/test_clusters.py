"""The exposure cluster rule: three or more injuries with the same device type in one department
within 30 days (``domain.clusters``)."""

from __future__ import annotations

import datetime as dt

from hospital_osh.domain.clusters import (
    ALERT_DAYS,
    MIN_INJURIES,
    WINDOW_DAYS,
    Cluster,
    Injury,
    active_clusters,
    find_clusters,
    lookback_start,
)

DAY = dt.date(2026, 3, 1)
ICU, WARD = 1, 2


def _on(*offsets: int, department: int = ICU, device: str = "suture_needle") -> list[Injury]:
    return [Injury(department, device, DAY + dt.timedelta(days=o)) for o in offsets]


def test_the_parameters_are_those_the_issue_asks_for() -> None:
    assert (MIN_INJURIES, WINDOW_DAYS, ALERT_DAYS) == (3, 30, 30)


def test_three_injuries_within_the_window_are_a_cluster() -> None:
    assert find_clusters(_on(0, 10, 20)) == [
        Cluster(ICU, "suture_needle", DAY, DAY + dt.timedelta(days=20), 3)
    ]


def test_two_injuries_are_not_a_cluster_three_are() -> None:
    assert find_clusters(_on(0, 5)) == []
    assert len(find_clusters(_on(0, 5, 6))) == 1


def test_exactly_30_days_from_first_to_last_is_within() -> None:
    found = find_clusters(_on(0, 15, 30))
    assert [(c.first, c.last, c.count) for c in found] == [(DAY, DAY + dt.timedelta(days=30), 3)]


def test_31_days_from_first_to_last_is_not_within() -> None:
    assert find_clusters(_on(0, 15, 31)) == []


def test_different_departments_do_not_add_up() -> None:
    injuries = _on(0, 1) + _on(2, department=WARD)
    assert find_clusters(injuries) == []


def test_different_devices_do_not_add_up() -> None:
    injuries = _on(0, 1) + _on(2, device="syringe_needle")
    assert find_clusters(injuries) == []


def test_an_unknown_device_never_forms_a_cluster() -> None:
    assert find_clusters(_on(0, 1, 2, device="unknown")) == []


def test_each_department_and_device_gets_its_own_cluster() -> None:
    injuries = _on(0, 1, 2) + _on(3, 4, 5, department=WARD) + _on(6, 7, 8, device="lancet")
    found = {(c.department_id, c.device_type, c.count) for c in find_clusters(injuries)}
    assert found == {(ICU, "suture_needle", 3), (WARD, "suture_needle", 3), (ICU, "lancet", 3)}


def test_a_long_run_is_one_cluster_with_its_count() -> None:
    # Windows overlap all along: 0-20, 15-40, 30-55 each hold three injuries.
    found = find_clusters(_on(0, 10, 20, 30, 40, 55))
    assert [(c.first, c.last, c.count) for c in found] == [(DAY, DAY + dt.timedelta(days=55), 6)]


def test_a_gap_of_more_than_30_days_starts_a_new_cluster() -> None:
    found = find_clusters(_on(0, 1, 2, 60, 61, 62))
    assert [(c.first, c.count) for c in found] == [
        (DAY + dt.timedelta(days=60), 3),  # most recent first
        (DAY, 3),
    ]


def test_an_injury_outside_every_qualifying_window_is_left_out() -> None:
    found = find_clusters(_on(0, 40, 41, 42))
    assert [(c.first, c.count) for c in found] == [(DAY + dt.timedelta(days=40), 3)]


def test_the_order_of_the_injuries_does_not_matter() -> None:
    assert find_clusters(_on(20, 0, 10)) == find_clusters(_on(0, 10, 20))


def test_a_cluster_stays_active_for_30_days_after_its_last_injury() -> None:
    injuries = _on(0, 1, 2)
    last = DAY + dt.timedelta(days=2)
    assert len(active_clusters(injuries, last + dt.timedelta(days=30))) == 1
    assert active_clusters(injuries, last + dt.timedelta(days=31)) == []


def test_the_lookback_reaches_every_window_of_an_active_cluster() -> None:
    today = dt.date(2026, 6, 30)
    start = lookback_start(today)
    assert start == today - dt.timedelta(days=ALERT_DAYS + WINDOW_DAYS)
    # The oldest cluster still active: its last injury ALERT_DAYS ago, its window before.
    last = today - dt.timedelta(days=ALERT_DAYS)
    injuries = [Injury(ICU, "lancet", last - dt.timedelta(days=d)) for d in (WINDOW_DAYS, 5, 0)]
    assert min(i.day for i in injuries) == start
    assert len(active_clusters(injuries, today)) == 1
