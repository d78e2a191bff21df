"""`coachbot lms sync`: pull the course catalogue from the configured LMS (Moodle web
services); `coachbot lms poll`: fetch completions once from the LRS and Moodle."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from adapters.assemble import opened_application
from adapters.config import Settings
from adapters.lms.catalogue import sync_catalogue
from adapters.lms.moodle import MoodleClient, MoodleError
from adapters.lms.wiring import completion_polls


def register(commands: Any) -> None:
    parser = commands.add_parser("lms", help="the LMS connection: catalogue sync, completions")
    sub = parser.add_subparsers(dest="lms_command", required=True)
    sync = sub.add_parser("sync", help="pull the course catalogue from the configured LMS")
    sync.set_defaults(handler=run_sync)
    poll = sub.add_parser("poll", help="fetch completions from the LRS and Moodle once")
    poll.set_defaults(handler=run_poll)


async def run_sync(settings: Settings, args: argparse.Namespace) -> int:
    if not (settings.moodle_url and settings.moodle_token):
        print("coachbot: no LMS to sync from: set MOODLE_URL and MOODLE_TOKEN", file=sys.stderr)
        return 1
    try:
        async with opened_application(settings) as application:
            changes = await sync_catalogue(
                MoodleClient(settings.moodle_url, settings.moodle_token),
                application.completions,
            )
    except MoodleError as exc:
        print(f"coachbot: catalogue sync failed, nothing changed: {exc}", file=sys.stderr)
        return 1
    print(
        f"courses from Moodle: {changes.added} added, {changes.updated} updated, "
        f"{changes.unchanged} unchanged"
    )
    return 0


async def run_poll(settings: Settings, args: argparse.Namespace) -> int:
    if not (settings.lrs_endpoint or (settings.moodle_url and settings.moodle_token)):
        print("coachbot: no LMS configured (LRS_ENDPOINT, MOODLE_URL)", file=sys.stderr)
        return 1
    async with opened_application(settings) as application:
        polls = completion_polls(application)
        assert polls is not None  # an LRS or Moodle is set (checked above)
        result = await polls.poll_once()
    for line in result.skipped:
        print(f"skipped {line}", file=sys.stderr)
    for line in result.failures:
        print(f"coachbot: poll failed: {line}", file=sys.stderr)
    print(f"completions: {result.recorded} recorded, {result.duplicates} already known")
    return 1 if result.failures else 0
