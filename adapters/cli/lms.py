"""`coachbot lms sync`: pull the course catalogue from the configured LMS (Moodle web
services); `coachbot lms poll`: fetch completions once from the LRS and Moodle."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from adapters.config import Settings
from adapters.lms.catalogue import sync_catalogue
from adapters.lms.moodle import MoodleClient, MoodleError
from adapters.lms.polls import CompletionPolls
from adapters.lms.xapi import LrsClient
from bot.clock import SystemClock
from storage.db import create_engine
from storage.lms import SqlLmsStore
from storage.unit_of_work import unit_of_work_factory


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
    engine = create_engine(settings.database_url)
    try:
        changes = await sync_catalogue(
            MoodleClient(settings.moodle_url, settings.moodle_token), SqlLmsStore(engine)
        )
    except MoodleError as exc:
        print(f"coachbot: catalogue sync failed, nothing changed: {exc}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print(
        f"courses from Moodle: {changes.added} added, {changes.updated} updated, "
        f"{changes.unchanged} unchanged"
    )
    return 0


async def run_poll(settings: Settings, args: argparse.Namespace) -> int:
    if not (settings.lrs_endpoint or (settings.moodle_url and settings.moodle_token)):
        print("coachbot: no LMS configured (LRS_ENDPOINT, MOODLE_URL)", file=sys.stderr)
        return 1
    engine = create_engine(settings.database_url)
    try:
        polls = CompletionPolls(
            SqlLmsStore(engine),
            unit_of_work_factory(engine),
            SystemClock(),
            lrs=LrsClient(settings.lrs_endpoint, settings.lrs_username, settings.lrs_password)
            if settings.lrs_endpoint
            else None,
            moodle=MoodleClient(settings.moodle_url, settings.moodle_token)
            if settings.moodle_url and settings.moodle_token
            else None,
        )
        result = await polls.poll_once()
    finally:
        await engine.dispose()
    for line in result.skipped:
        print(f"skipped {line}", file=sys.stderr)
    for line in result.failures:
        print(f"coachbot: poll failed: {line}", file=sys.stderr)
    print(f"completions: {result.recorded} recorded, {result.duplicates} already known")
    return 1 if result.failures else 0
