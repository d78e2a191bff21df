"""The session form is defined once (`bot/session_form.py`): both doors show the same fields,
with the same labels and limits, as the record checks them."""

from __future__ import annotations

from datetime import date
from typing import Any

from adapters.slack.session_modal import session_view
from adapters.teams.cards import session_card
from bot import session_form as form
from bot.model import Person
from bot.record import MAX_COURSES, MAX_DURATION, MIN_DURATION
from bot.services.sessions import SessionForm

MAYA = Person(1, "maya@example.org", "Maya Patel")
ED = Person(2, "ed@example.org", "Ed Jones")
TODAY = date(2026, 12, 1)


def the_form() -> SessionForm:
    return SessionForm(manager=MAYA, today=TODAY, reports=(ED,), employee=ED)


def slack_inputs() -> dict[str, dict[str, Any]]:
    blocks = session_view(the_form())["blocks"]
    return {block["block_id"]: block for block in blocks if block["type"] == "input"}


def teams_inputs() -> dict[str, dict[str, Any]]:
    body = session_card(the_form(), skills=[], courses=[])["body"]
    return {item["id"]: item for item in body if "id" in item}


def test_both_doors_show_the_same_fields_with_the_same_labels() -> None:
    slack, teams = slack_inputs(), teams_inputs()
    shown = [field for field in (*form.FIELDS, form.NEW_GOAL) if field is not form.ILP_GOAL]
    for field in shown:  # the goal choice shows only when the employee has open goals
        assert slack[field.id]["label"]["text"] == field.label
        assert teams[field.id]["label"] == field.label
    assert set(slack) == set(teams) == {field.id for field in shown}


def test_the_limits_shown_are_the_records_own() -> None:
    slack, teams = slack_inputs(), teams_inputs()
    duration = slack[form.DURATION.id]["element"]
    assert (duration["min_value"], duration["max_value"]) == (str(MIN_DURATION), str(MAX_DURATION))
    assert (teams[form.DURATION.id]["min"], teams[form.DURATION.id]["max"]) == (
        MIN_DURATION,
        MAX_DURATION,
    )
    assert slack[form.COURSES.id]["element"]["max_selected_items"] == MAX_COURSES
    for field in (form.KEY_POINTS, form.ACTIONS, form.NEW_GOAL):
        assert slack[field.id]["element"]["max_length"] == field.max_length
        assert teams[field.id]["maxLength"] == field.max_length
