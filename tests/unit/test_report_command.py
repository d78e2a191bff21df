"""The chat report command's words."""

from __future__ import annotations

import pytest

from bot.errors import FieldError
from bot.report_command import parse_report_command
from bot.services.reports import ReportRequest


@pytest.mark.parametrize(
    ("text", "request_"),
    [
        ("", ReportRequest(period_days=90)),
        ("30d", ReportRequest(period_days=30)),
        ("  365D ", ReportRequest(period_days=365)),
        ("department Customer Success 30d", ReportRequest(30, department="Customer Success")),
        ('team "North"', ReportRequest(90, team="North")),
        ("Department  Sales", ReportRequest(90, department="Sales")),
    ],
)
def test_what_an_ld_admin_can_ask(text: str, request_: ReportRequest) -> None:
    assert parse_report_command(text) == request_


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("45d", "is not a report period"),
        ("teams North", "I don't understand"),
        ("department", "Say which department"),
    ],
)
def test_what_it_refuses_names_the_problem(text: str, words: str) -> None:
    error = parse_report_command(text)
    assert isinstance(error, FieldError)
    assert words in error.message
