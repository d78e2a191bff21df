"""The session record's rules: every field error at once, beside the field that caused it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.commands import Field, LogSession, NewAction
from bot.errors import FieldError
from bot.model import ActionStatus, FocusType
from bot.record import RecordContext, clean_actions, clean_lines, errors_by_field, validate_session

TODAY = date(2026, 3, 10)
REPORT = 7

CTX = RecordContext(
    today=TODAY,
    reports=frozenset({REPORT, 8}),
    skill_ids=frozenset({"negotiation", "sql"}),
    course_ids=frozenset({"C1", "C2", "C3", "C4", "C5", "C6"}),
    open_action_ids=frozenset({101, 102}),
    goal_ids=frozenset({11}),
    session_exists_on_day=False,
    employee_name="Priya Shah",
)

VALID = LogSession(
    manager_id=1,
    employee_id=REPORT,
    held_on=TODAY,
    duration_minutes=45,
    focus_type="skill_development",
    skill_id="negotiation",
    key_points=(
        "Goal: lead a client demo",
        "Reality: shadowed two demos",
        "Options: pair with Lee",
    ),
    actions=(NewAction("Run the Friday demo", TODAY + timedelta(days=7)),),
    course_ids=("C1",),
    ilp_goal_id=11,
    reviews={101: ActionStatus.DONE, 102: ActionStatus.CARRIED_OVER},
    level_now=2,
)


def errors(cmd: LogSession, ctx: RecordContext = CTX) -> list[FieldError]:
    return validate_session(cmd, ctx)


def fields(cmd: LogSession, ctx: RecordContext = CTX) -> list[str]:
    return [error.field for error in validate_session(cmd, ctx)]


def messages(cmd: LogSession, field: str, ctx: RecordContext = CTX) -> list[str]:
    return [e.message for e in validate_session(cmd, ctx) if e.field == field]


def test_a_complete_record_has_no_errors() -> None:
    assert errors(VALID) == []


def test_the_least_a_record_needs_has_no_errors() -> None:
    cmd = replace(VALID, course_ids=(), ilp_goal_id=None, reviews={}, level_now=None)
    assert errors(cmd) == []


def test_every_error_comes_back_at_once_each_on_its_field() -> None:
    cmd = LogSession(
        manager_id=1,
        employee_id=None,
        held_on=None,
        duration_minutes=None,
        focus_type=None,
        skill_id=None,
    )
    assert fields(cmd) == [
        Field.EMPLOYEE,
        Field.HELD_ON,
        Field.DURATION,
        Field.FOCUS_TYPE,
        Field.SKILL,
        Field.KEY_POINTS,
        Field.ACTIONS,
    ]
    assert all(error.message for error in errors(cmd))


def test_the_employee_must_be_one_of_the_managers_current_reports() -> None:
    assert messages(replace(VALID, employee_id=None), Field.EMPLOYEE) == [
        "Choose the person you coached."
    ]
    stranger = replace(CTX, employee_name="Tom Ray")
    assert messages(replace(VALID, employee_id=99), Field.EMPLOYEE, stranger) == [
        "Tom Ray is not one of your current direct reports."
    ]


def test_the_date_is_required() -> None:
    assert messages(replace(VALID, held_on=None), Field.HELD_ON) == [
        "Give the date the session was held."
    ]


def test_the_date_may_not_be_in_the_future_from_chat_or_import() -> None:
    tomorrow = TODAY + timedelta(days=1)
    for source in ("chat", "import"):
        [message] = messages(replace(VALID, held_on=tomorrow, source=source), Field.HELD_ON)
        assert message == "2026-03-11 is in the future; log a session once it has happened."


def test_the_chat_form_takes_dates_up_to_60_days_back() -> None:
    assert messages(replace(VALID, held_on=TODAY - timedelta(days=60)), Field.HELD_ON) == []
    day_61 = TODAY - timedelta(days=61)
    assert messages(replace(VALID, held_on=day_61, actions=()), Field.HELD_ON) == [
        "2026-01-08 is 61 days ago; the form takes sessions from the last 60 days."
    ]


def test_an_import_takes_any_past_date() -> None:
    old = replace(VALID, held_on=date(2019, 5, 2), source="import")
    assert errors(old) == []


@pytest.mark.parametrize(("minutes", "ok"), [(14, False), (15, True), (120, True), (121, False)])
def test_duration_is_15_to_120_minutes(minutes: int, ok: bool) -> None:
    found = messages(replace(VALID, duration_minutes=minutes), Field.DURATION)
    assert found == ([] if ok else [f"{minutes} minutes is outside 15-120 minutes."])


def test_duration_is_required() -> None:
    assert messages(replace(VALID, duration_minutes=None), Field.DURATION) == [
        "Give the duration in minutes (15-120)."
    ]


@pytest.mark.parametrize("focus", [f.value for f in FocusType])
def test_each_focus_type_is_accepted(focus: str) -> None:
    assert errors(replace(VALID, focus_type=focus)) == []


def test_an_unknown_focus_type_lists_the_choices() -> None:
    [message] = messages(replace(VALID, focus_type="appraisal"), Field.FOCUS_TYPE)
    assert message.startswith("'appraisal' is not a development focus; choose one of:")
    assert "Skill development" in message
    assert "Specific development area" in message
    assert messages(replace(VALID, focus_type=" "), Field.FOCUS_TYPE) == [
        "Choose the development focus."
    ]


def test_the_skill_must_be_in_the_framework() -> None:
    assert messages(replace(VALID, skill_id="juggling"), Field.SKILL) == [
        "'juggling' is not a skill in the framework."
    ]
    assert messages(replace(VALID, skill_id=None), Field.SKILL) == [
        "Choose the skill this session focused on."
    ]


@pytest.mark.parametrize(("count", "ok"), [(2, False), (3, True), (5, True), (6, False)])
def test_three_to_five_key_points(count: int, ok: bool) -> None:
    lines = tuple(f"Point {n}" for n in range(count))
    found = messages(replace(VALID, key_points=lines), Field.KEY_POINTS)
    assert found == ([] if ok else [f"Write 3 to 5 key points, one a line; {count} given."])


def test_blank_key_point_lines_are_ignored() -> None:
    lines = ("", "Point one", "   ", "Point two", "\t", "Point three", "")
    assert errors(replace(VALID, key_points=lines)) == []
    two = ("Point one", "", "Point two", "  ")
    assert messages(replace(VALID, key_points=two), Field.KEY_POINTS) == [
        "Write 3 to 5 key points, one a line; 2 given."
    ]


def test_a_key_point_over_300_characters_is_named() -> None:
    lines = ("Point one", "", "x" * 301, "y" * 300)
    assert messages(replace(VALID, key_points=lines), Field.KEY_POINTS) == [
        "Key point 2 is 301 characters long; keep it to 300."
    ]


def test_a_key_point_must_be_one_line() -> None:
    lines = ("Point one", "Point two\nand more", "Point three")
    assert messages(replace(VALID, key_points=lines), Field.KEY_POINTS) == [
        "Key point 2 runs over several lines; keep it to one line."
    ]


@pytest.mark.parametrize(("count", "ok"), [(0, False), (1, True), (5, True), (6, False)])
def test_one_to_five_actions(count: int, ok: bool) -> None:
    actions = tuple(NewAction(f"Action {n}") for n in range(count))
    found = messages(replace(VALID, actions=actions), Field.ACTIONS)
    assert found == ([] if ok else [f"Agree 1 to 5 actions, one a line; {count} given."])


def test_blank_actions_are_ignored_but_a_date_without_text_is_reported() -> None:
    actions = (NewAction(" "), NewAction("Read the book"), NewAction(""))
    assert errors(replace(VALID, actions=actions)) == []
    dated = (NewAction("Read the book"), NewAction(" ", TODAY))
    assert messages(replace(VALID, actions=dated), Field.ACTIONS) == [
        "A due date was given without an action."
    ]


def test_action_lines_follow_the_key_point_rules() -> None:
    actions = (NewAction("Fine"), NewAction("a" * 301), NewAction("two\nlines"))
    assert messages(replace(VALID, actions=actions), Field.ACTIONS) == [
        "Action 2 is 301 characters long; keep it to 300.",
        "Action 3 runs over several lines; keep it to one line.",
    ]


def test_an_action_may_not_be_due_before_the_session() -> None:
    actions = (NewAction("On the day", TODAY), NewAction("Too early", TODAY - timedelta(days=1)))
    assert messages(replace(VALID, actions=actions), Field.ACTIONS) == [
        "Action 2 is due 2026-03-09, before the session (2026-03-10)."
    ]


def test_at_most_five_courses_each_known_none_twice() -> None:
    six = ("C1", "C2", "C3", "C4", "C5", "C6")
    assert messages(replace(VALID, course_ids=six), Field.COURSES) == [
        "Link at most 5 courses; 6 given."
    ]
    assert messages(replace(VALID, course_ids=("C1", "NOPE", "C1", "")), Field.COURSES) == [
        "'NOPE' is not a course in the catalogue.",
        "Course 'C1' is linked twice.",
    ]
    assert errors(replace(VALID, course_ids=("C1", "C2", "C3", "C4", "C5"))) == []


def test_the_ilp_goal_must_be_the_employees() -> None:
    assert messages(replace(VALID, ilp_goal_id=12), Field.ILP_GOAL) == [
        "That goal is not in Priya Shah's learning plan."
    ]
    anonymous = replace(CTX, employee_name=None)
    assert messages(replace(VALID, ilp_goal_id=12), Field.ILP_GOAL, anonymous) == [
        "That goal is not in this person's learning plan."
    ]


def test_a_new_goal_or_an_existing_one_not_both() -> None:
    assert errors(replace(VALID, ilp_goal_id=None, new_goal_title="Lead a demo")) == []
    assert messages(replace(VALID, new_goal_title="Lead a demo"), Field.ILP_GOAL) == [
        "Link one ILP goal: an existing one or a new one, not both."
    ]


def test_reviews_may_only_name_open_actions() -> None:
    cmd = replace(VALID, reviews={101: ActionStatus.DONE, 555: ActionStatus.DROPPED})
    assert messages(cmd, Field.REVIEW) == [
        "1 action (#555) reviewed here is not open for this person; reload the form."
    ]


def test_the_group_review_may_only_name_open_actions_not_reviewed_on_their_own() -> None:
    grouped = replace(
        VALID,
        reviews={101: ActionStatus.DONE},
        grouped_review=ActionStatus.DROPPED,
        grouped_action_ids=(102,),
    )
    assert errors(grouped) == []
    assert grouped.all_reviews() == {101: ActionStatus.DONE, 102: ActionStatus.DROPPED}
    foreign = replace(grouped, grouped_action_ids=(102, 555))  # someone else's action
    assert messages(foreign, Field.REVIEW) == [
        "1 action (#555) reviewed here is not open for this person; reload the form."
    ]
    twice = replace(grouped, reviews={102: ActionStatus.DONE})
    assert messages(twice, Field.REVIEW) == [
        "The review of the other open actions is not the form's; reload the form."
    ]
    done = replace(grouped, grouped_review=ActionStatus.DONE)  # not a group choice
    assert messages(done, Field.REVIEW) == [
        "The review of the other open actions is not the form's; reload the form."
    ]


@pytest.mark.parametrize(("level", "ok"), [(-1, False), (0, True), (4, True), (5, False)])
def test_level_now_is_0_to_4(level: int, ok: bool) -> None:
    found = messages(replace(VALID, level_now=level), Field.LEVEL_NOW)
    assert bool(found) is not ok
    if found:
        assert found[0].startswith(f"Level {level} is not a level; choose 0-4 (0 none")


def test_one_session_per_manager_employee_and_day() -> None:
    ctx = replace(CTX, session_exists_on_day=True)
    assert errors(VALID, ctx) == [
        FieldError(
            Field.HELD_ON,
            "One session per day: a session with Priya Shah on 2026-03-10 is already logged.",
        )
    ]


def test_clean_lines_strips_and_drops_blanks() -> None:
    assert clean_lines(["  a ", "", "\t", "b"]) == ("a", "b")
    assert clean_actions([NewAction(" x "), NewAction("  ")]) == (NewAction("x"),)


def test_errors_by_field_joins_messages_for_one_field() -> None:
    found = [FieldError("a", "One."), FieldError("b", "Two."), FieldError("a", "Three.")]
    assert errors_by_field(found) == {"a": "One. Three.", "b": "Two."}
