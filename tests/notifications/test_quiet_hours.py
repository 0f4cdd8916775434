"""Quiet hours in the resident's own time zone: across midnight, across daylight-saving changes.

Every answer here is production's: ``Preferences.push_not_before`` (what dispatch and send time ask), with
the resident's time zone as it is stored. The helpers below only name its questions the way these tests read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from notifications.preferences import Preferences
from notifications.quiet_hours import quiet_hours_end_after

CHICAGO = ZoneInfo("America/Chicago")


@dataclasses.dataclass(frozen=True)
class Resident:
    """What ``push_not_before`` is given: the resident's preferences and their stored time zone."""

    preferences: Preferences
    time_zone: str


def quiet(start: dt.time, end: dt.time, time_zone: str = "America/Chicago") -> Resident:
    return Resident(Preferences(quiet_hours_start=start, quiet_hours_end=end), time_zone)


def quiet_window_end(resident: Resident | None, at: dt.datetime) -> dt.datetime | None:
    """When a non-urgent push made at ``at`` may go out, ``None`` for now."""
    if resident is None:
        return Preferences().push_not_before(at, None, urgent=False)
    return resident.preferences.push_not_before(at, resident.time_zone, urgent=False)


def is_quiet(resident: Resident | None, at: dt.datetime) -> bool:
    return quiet_window_end(resident, at) is not None


def deliver_at(resident: Resident | None, at: dt.datetime, *, urgent: bool) -> dt.datetime:
    preferences, time_zone = (resident.preferences, resident.time_zone) if resident else (Preferences(), None)
    return preferences.push_not_before(at, time_zone, urgent=urgent) or at


NIGHTS = quiet(dt.time(22, 0), dt.time(7, 0))
AFTERNOON = quiet(dt.time(13, 0), dt.time(15, 30))


def chicago(*args: int) -> dt.datetime:
    """A Chicago wall-clock time, as the UTC moment the clock would hand us."""
    return dt.datetime(*args, tzinfo=CHICAGO).astimezone(dt.UTC)


@pytest.mark.parametrize(
    ("moment", "ends"),
    [
        (chicago(2026, 1, 15, 21, 59), None),
        (chicago(2026, 1, 15, 22, 0), chicago(2026, 1, 16, 7, 0)),
        (chicago(2026, 1, 15, 23, 45), chicago(2026, 1, 16, 7, 0)),
        (chicago(2026, 1, 16, 0, 30), chicago(2026, 1, 16, 7, 0)),
        (chicago(2026, 1, 16, 6, 59), chicago(2026, 1, 16, 7, 0)),
        (chicago(2026, 1, 16, 7, 0), None),
        (chicago(2026, 1, 16, 12, 0), None),
    ],
)
def test_a_window_across_midnight(moment, ends):
    assert quiet_window_end(NIGHTS, moment) == ends
    assert is_quiet(NIGHTS, moment) is (ends is not None)


@pytest.mark.parametrize(
    ("moment", "ends"),
    [
        (chicago(2026, 7, 1, 12, 59), None),
        (chicago(2026, 7, 1, 13, 0), chicago(2026, 7, 1, 15, 30)),
        (chicago(2026, 7, 1, 15, 29), chicago(2026, 7, 1, 15, 30)),
        (chicago(2026, 7, 1, 15, 30), None),
    ],
)
def test_a_window_within_one_day(moment, ends):
    assert quiet_window_end(AFTERNOON, moment) == ends


def test_the_window_is_the_residents_wall_clock_not_utc():
    # 03:00 UTC is 22:00 in Chicago (CDT) but 05:00 in Madrid: quiet for one, not for the other.
    moment = dt.datetime(2026, 7, 1, 3, 0, tzinfo=dt.UTC)
    madrid = quiet(dt.time(22, 0), dt.time(7, 0), "Europe/Madrid")

    assert is_quiet(NIGHTS, moment)
    assert quiet_window_end(madrid, moment) == dt.datetime(2026, 7, 1, 5, 0, tzinfo=dt.UTC)  # 07:00 CEST


def test_a_night_that_springs_forward_ends_at_seven_on_the_new_clock():
    # 2026-03-08: Chicago moves from CST (-6) to CDT (-5) at 02:00.
    before_change = chicago(2026, 3, 7, 23, 0)

    ends = quiet_window_end(NIGHTS, before_change)

    assert ends == dt.datetime(2026, 3, 8, 12, 0, tzinfo=dt.UTC)
    assert ends.astimezone(CHICAGO).time() == dt.time(7, 0)
    assert ends - before_change == dt.timedelta(hours=7)  # the night is an hour shorter


def test_a_night_that_falls_back_ends_at_seven_on_the_old_clock():
    # 2026-11-01: Chicago moves from CDT (-5) back to CST (-6) at 02:00.
    before_change = chicago(2026, 10, 31, 23, 0)

    ends = quiet_window_end(NIGHTS, before_change)

    assert ends == dt.datetime(2026, 11, 1, 13, 0, tzinfo=dt.UTC)
    assert ends - before_change == dt.timedelta(hours=9)  # the night is an hour longer


def test_a_window_ending_inside_the_spring_forward_gap_never_ends_early():
    window = quiet(dt.time(23, 0), dt.time(2, 30))  # 02:30 does not exist on 2026-03-08

    ends = quiet_window_end(window, chicago(2026, 3, 8, 1, 0))

    assert ends == dt.datetime(2026, 3, 8, 8, 30, tzinfo=dt.UTC)  # 02:30 CST = 03:30 CDT
    assert ends.astimezone(CHICAGO).time() == dt.time(3, 30)


def test_a_window_ending_inside_the_repeated_hour_ends_at_the_next_occurrence():
    window = quiet(dt.time(23, 0), dt.time(1, 30))  # 01:30 happens twice on 2026-11-01
    first_one_ten = dt.datetime(2026, 11, 1, 6, 10, tzinfo=dt.UTC)  # 01:10 CDT
    second_one_ten = dt.datetime(2026, 11, 1, 7, 10, tzinfo=dt.UTC)  # 01:10 CST

    assert quiet_window_end(window, first_one_ten) == dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC)
    assert quiet_window_end(window, second_one_ten) == dt.datetime(2026, 11, 1, 7, 30, tzinfo=dt.UTC)


def test_urgent_messages_do_not_wait_and_others_wait_for_the_end():
    moment = chicago(2026, 1, 15, 23, 0)

    assert deliver_at(NIGHTS, moment, urgent=True) == moment
    assert deliver_at(NIGHTS, moment, urgent=False) == chicago(2026, 1, 16, 7, 0)
    assert deliver_at(NIGHTS, chicago(2026, 1, 15, 12, 0), urgent=False) == chicago(2026, 1, 15, 12, 0)
    assert deliver_at(None, moment, urgent=False) == moment


def test_equal_start_and_end_means_no_quiet_hours():
    never = quiet(dt.time(22, 0), dt.time(22, 0))

    assert not is_quiet(never, chicago(2026, 1, 15, 22, 0))
    assert not is_quiet(None, chicago(2026, 1, 15, 23, 0))


def test_the_parts_form_answers_the_same_and_rejects_naive_moments():
    moment = chicago(2026, 1, 15, 23, 0)

    assert quiet_hours_end_after(moment, dt.time(22), dt.time(7), CHICAGO) == quiet_window_end(NIGHTS, moment)
    with pytest.raises(ValueError, match="timezone-aware"):
        quiet_hours_end_after(dt.datetime(2026, 1, 15, 23, 0), dt.time(22), dt.time(7), CHICAGO)


def test_an_unknown_or_missing_time_zone_is_read_as_the_states():
    moment = chicago(2026, 1, 15, 23, 0)

    assert quiet_window_end(quiet(dt.time(22), dt.time(7), "Mars/Olympus_Mons"), moment) == chicago(2026, 1, 16, 7, 0)
    assert Preferences(quiet_hours_start=dt.time(22), quiet_hours_end=dt.time(7)).push_not_before(
        moment, None, urgent=False
    ) == chicago(2026, 1, 16, 7, 0)


def test_no_quiet_hours_chosen_means_none_and_urgent_never_waits():
    moment = chicago(2026, 1, 15, 23, 0)

    assert Preferences().push_not_before(moment, "America/Chicago", urgent=False) is None
    assert NIGHTS.preferences.push_not_before(moment, "America/Chicago", urgent=True) is None
