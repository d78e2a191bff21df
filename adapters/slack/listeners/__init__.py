"""Bolt listeners, one module per kind of request; each handler parses, calls one use-case,
renders and sends."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from adapters.slack.door import SlackDoor
from adapters.slack.listeners import (
    actions,
    commands,
    console,
    courses,
    events,
    nudges,
    options,
    record,
    report,
    views,
)


def register(app: AsyncApp, door: SlackDoor) -> None:
    for module in (
        events,
        commands,
        views,
        actions,
        options,
        nudges,
        report,
        courses,
        record,
        console,
    ):
        module.register(app, door)
