"""The rules of the session record: every field error of a `LogSession` at once, as values keyed by
`bot.commands.Field`, each naming the problem."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from bot.commands import Field, LogSession, NewAction, goal_from_line
from bot.errors import FieldError
from bot.model import FOCUS_TYPE_LABELS, SKILL_LEVEL_NAMES, ActionStatus, FocusType
from bot.review import GROUP_CHOICES

MIN_DURATION, MAX_DURATION = 15, 120
MIN_KEY_POINTS, MAX_KEY_POINTS = 3, 5
MIN_ACTIONS, MAX_ACTIONS = 1, 5
MAX_LINE = 300
MAX_COURSES = 5
CHAT_DAYS_BACK = 60
MAX_LEVEL = len(SKILL_LEVEL_NAMES) - 1


@dataclass(frozen=True, slots=True)
class RecordContext:
    """What validation needs to know beyond the command, loaded by the service.

    `today` is the manager's local date; `reports` the ids of the manager's current direct
    reports; `skill_ids` and `course_ids` the known framework and catalogue ids;
    `open_action_ids` the employee's open actions (the ones the manager may review);
    `later_action_ids` those of them agreed on or after the command's date (a back-dated
    session leaves them open); `goal_ids` the employee's ILP goals; `session_exists_on_day`
    whether this manager already logged a session with this employee on the command's date;
    `employee_name` names the employee (a current report) in messages when known.
    """

    today: date
    reports: frozenset[int]
    skill_ids: frozenset[str]
    course_ids: frozenset[str]
    open_action_ids: frozenset[int]
    goal_ids: frozenset[int]
    later_action_ids: frozenset[int] = frozenset()
    session_exists_on_day: bool = False
    employee_name: str | None = None


def clean_lines(lines: Iterable[str]) -> tuple[str, ...]:
    """The lines stripped, blank ones dropped."""
    return tuple(stripped for line in lines if (stripped := line.strip()))


def clean_actions(actions: Iterable[NewAction]) -> tuple[NewAction, ...]:
    """The agreed actions with their text stripped, those with neither text nor date dropped."""
    return tuple(
        NewAction(action.text.strip(), action.due_on)
        for action in actions
        if action.text.strip() or action.due_on is not None
    )


def clean_course_ids(course_ids: Iterable[str]) -> tuple[str, ...]:
    """The course ids stripped, blank ones dropped (order and duplicates kept)."""
    return clean_lines(course_ids)


def errors_by_field(errors: Iterable[FieldError]) -> dict[str, str]:
    """The errors as one message per field (several joined by a space), for forms that show a
    single message beside each field."""
    joined: dict[str, list[str]] = {}
    for error in errors:
        joined.setdefault(error.field, []).append(error.message)
    return {name: " ".join(messages) for name, messages in joined.items()}


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _line_errors(field: str, noun: str, lines: Sequence[str]) -> list[FieldError]:
    errors = []
    for number, line in enumerate(lines, start=1):
        if "\n" in line or "\r" in line:
            errors.append(
                FieldError(field, f"{noun} {number} runs over several lines; keep it to one line.")
            )
        if len(line) > MAX_LINE:
            errors.append(
                FieldError(
                    field,
                    f"{noun} {number} is {len(line)} characters long; keep it to {MAX_LINE}.",
                )
            )
    return errors


def _employee(cmd: LogSession, ctx: RecordContext) -> list[FieldError]:
    if cmd.employee_id is None:
        return [FieldError(Field.EMPLOYEE, "Choose the person you coached.")]
    if cmd.employee_id not in ctx.reports:
        who = ctx.employee_name or "This person"
        return [FieldError(Field.EMPLOYEE, f"{who} is not one of your current direct reports.")]
    return []


def _held_on(cmd: LogSession, ctx: RecordContext) -> list[FieldError]:
    if cmd.held_on is None:
        return [FieldError(Field.HELD_ON, "Give the date the session was held.")]
    if cmd.held_on > ctx.today:
        return [
            FieldError(
                Field.HELD_ON,
                f"{cmd.held_on.isoformat()} is in the future; log a session once it has happened.",
            )
        ]
    days_back = (ctx.today - cmd.held_on).days
    if cmd.source == "chat" and days_back > CHAT_DAYS_BACK:
        return [
            FieldError(
                Field.HELD_ON,
                f"{cmd.held_on.isoformat()} is {days_back} days ago; the form takes sessions "
                f"from the last {CHAT_DAYS_BACK} days.",
            )
        ]
    if ctx.session_exists_on_day and cmd.employee_id in ctx.reports:
        who = ctx.employee_name or "this person"
        return [
            FieldError(
                Field.HELD_ON,
                f"One session per day: a session with {who} on {cmd.held_on.isoformat()} "
                "is already logged.",
            )
        ]
    return []


def _duration(cmd: LogSession) -> list[FieldError]:
    minutes = cmd.duration_minutes
    if minutes is None:
        return [
            FieldError(
                Field.DURATION, f"Give the duration in minutes ({MIN_DURATION}-{MAX_DURATION})."
            )
        ]
    if not MIN_DURATION <= minutes <= MAX_DURATION:
        return [
            FieldError(
                Field.DURATION,
                f"{minutes} minutes is outside {MIN_DURATION}-{MAX_DURATION} minutes.",
            )
        ]
    return []


def _focus_type(cmd: LogSession) -> list[FieldError]:
    value = (cmd.focus_type or "").strip()
    if not value:
        return [FieldError(Field.FOCUS_TYPE, "Choose the development focus.")]
    if value not in {focus.value for focus in FocusType}:
        choices = ", ".join(FOCUS_TYPE_LABELS.values())
        return [
            FieldError(
                Field.FOCUS_TYPE,
                f"'{value}' is not a development focus; choose one of: {choices}.",
            )
        ]
    return []


def _skill(cmd: LogSession, ctx: RecordContext) -> list[FieldError]:
    value = (cmd.skill_id or "").strip()
    if not value:
        return [FieldError(Field.SKILL, "Choose the skill this session focused on.")]
    if value not in ctx.skill_ids:
        return [FieldError(Field.SKILL, f"'{value}' is not a skill in the framework.")]
    return []


def _key_points(cmd: LogSession) -> list[FieldError]:
    lines = clean_lines(cmd.key_points)
    errors = []
    if not MIN_KEY_POINTS <= len(lines) <= MAX_KEY_POINTS:
        errors.append(
            FieldError(
                Field.KEY_POINTS,
                f"Write {MIN_KEY_POINTS} to {MAX_KEY_POINTS} key points, one a line; "
                f"{len(lines)} given.",
            )
        )
    return errors + _line_errors(Field.KEY_POINTS, "Key point", lines)


def _actions(cmd: LogSession) -> list[FieldError]:
    actions = clean_actions(cmd.actions)
    with_text = [action for action in actions if action.text]
    errors = []
    if not MIN_ACTIONS <= len(with_text) <= MAX_ACTIONS:
        errors.append(
            FieldError(
                Field.ACTIONS,
                f"Agree {MIN_ACTIONS} to {MAX_ACTIONS} actions, one a line; "
                f"{len(with_text)} given.",
            )
        )
    if len(with_text) < len(actions):
        errors.append(FieldError(Field.ACTIONS, "A due date was given without an action."))
    errors += _line_errors(Field.ACTIONS, "Action", [action.text for action in with_text])
    if cmd.held_on is not None:
        for number, action in enumerate(with_text, start=1):
            if action.due_on is not None and action.due_on < cmd.held_on:
                errors.append(
                    FieldError(
                        Field.ACTIONS,
                        f"Action {number} is due {action.due_on.isoformat()}, before the "
                        f"session ({cmd.held_on.isoformat()}).",
                    )
                )
    return errors


def _courses(cmd: LogSession, ctx: RecordContext) -> list[FieldError]:
    course_ids = clean_course_ids(cmd.course_ids)
    errors = []
    if len(course_ids) > MAX_COURSES:
        errors.append(
            FieldError(
                Field.COURSES, f"Link at most {MAX_COURSES} courses; {len(course_ids)} given."
            )
        )
    seen: set[str] = set()
    for course_id in course_ids:
        if course_id in seen:
            errors.append(FieldError(Field.COURSES, f"Course '{course_id}' is linked twice."))
            continue
        seen.add(course_id)
        if course_id not in ctx.course_ids:
            errors.append(
                FieldError(Field.COURSES, f"'{course_id}' is not a course in the catalogue.")
            )
    return errors


def _ilp_goal(cmd: LogSession, ctx: RecordContext) -> list[FieldError]:
    new_title = (cmd.new_goal_title or "").strip()
    errors = []
    if cmd.ilp_goal_id is not None and new_title:
        errors.append(
            FieldError(Field.ILP_GOAL, "Link one ILP goal: an existing one or a new one, not both.")
        )
    if cmd.ilp_goal_id is not None and cmd.ilp_goal_id not in ctx.goal_ids:
        whose = f"{ctx.employee_name}'s" if ctx.employee_name else "this person's"
        errors.append(FieldError(Field.ILP_GOAL, f"That goal is not in {whose} learning plan."))
    if new_title:
        title, target, date_errors = goal_from_line(new_title)
        errors += date_errors + _line_errors(Field.ILP_GOAL, "The goal", [title])
        if not title:
            errors.append(FieldError(Field.ILP_GOAL, "Give the new goal a title, then its date."))
        if target is not None and cmd.held_on is not None and target < cmd.held_on:
            errors.append(
                FieldError(
                    Field.ILP_GOAL,
                    f"The goal's target date {target.isoformat()} is before the session "
                    f"({cmd.held_on.isoformat()}).",
                )
            )
    return errors


def _reviews(cmd: LogSession, ctx: RecordContext) -> list[FieldError]:
    errors = []
    reviews = cmd.all_reviews()
    twice = set(cmd.grouped_action_ids) & set(cmd.reviews)
    if twice or (cmd.grouped_review is not None and cmd.grouped_review not in GROUP_CHOICES):
        errors.append(
            FieldError(
                Field.REVIEW,
                "The review of the other open actions is not the form's; reload the form.",
            )
        )
    unknown = sorted(set(reviews) - ctx.open_action_ids)
    if unknown:
        listed = ", ".join(f"#{action_id}" for action_id in unknown)
        errors.append(
            FieldError(
                Field.REVIEW,
                f"{_plural(len(unknown), 'action')} ({listed}) reviewed here "
                f"{'is' if len(unknown) == 1 else 'are'} not open for this person; "
                "reload the form.",
            )
        )
    # left open (carried over) is all a session can say about actions agreed after it
    closed_later = sorted(
        action_id
        for action_id, status in reviews.items()
        if action_id in ctx.later_action_ids
        and status not in (ActionStatus.OPEN, ActionStatus.CARRIED_OVER)
    )
    if closed_later and cmd.held_on is not None:
        listed = ", ".join(f"#{action_id}" for action_id in closed_later)
        errors.append(
            FieldError(
                Field.REVIEW,
                f"{_plural(len(closed_later), 'action')} ({listed}) "
                f"{'was' if len(closed_later) == 1 else 'were'} agreed on or after "
                f"{cmd.held_on.isoformat()}, the date of this session; review "
                f"{'it' if len(closed_later) == 1 else 'them'} in a later session.",
            )
        )
    return errors


def _level_now(cmd: LogSession) -> list[FieldError]:
    level = cmd.level_now
    if level is not None and not 0 <= level <= MAX_LEVEL:
        names = ", ".join(f"{n} {name}" for n, name in enumerate(SKILL_LEVEL_NAMES))
        return [FieldError(Field.LEVEL_NOW, f"Level {level} is not a level; choose 0-4 ({names}).")]
    return []


def validate_session(cmd: LogSession, ctx: RecordContext) -> list[FieldError]:
    """Every field error of the record at once, in the form's order; empty when it may be saved.

    The appraisal-language check is separate (`bot.appraisal`): it warns, it does not refuse.
    """
    return [
        *_employee(cmd, ctx),
        *_held_on(cmd, ctx),
        *_duration(cmd),
        *_focus_type(cmd),
        *_skill(cmd, ctx),
        *_key_points(cmd),
        *_actions(cmd),
        *_courses(cmd, ctx),
        *_ilp_goal(cmd, ctx),
        *_reviews(cmd, ctx),
        *_level_now(cmd),
    ]
