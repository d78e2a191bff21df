"""The LMS door's part of `adapters/bootstrap.py`: the gateways the outbox dispatcher sends
"xapi" and "moodle" rows through, the webhook route, and the completion polls, each present
only when its settings are."""

from __future__ import annotations

from aiohttp import web

from adapters.application import Application
from adapters.config import Settings
from adapters.lms.moodle import MoodleClient, MoodleGateway
from adapters.lms.polls import CompletionPolls
from adapters.lms.webhook import LmsWebhook, mount
from adapters.lms.xapi import LrsClient, XapiGateway
from bot.ports import LmsGateway
from bot.services.assignments import MOODLE, XAPI


def lrs_client(settings: Settings) -> LrsClient | None:
    if not settings.lrs_endpoint:
        return None
    return LrsClient(settings.lrs_endpoint, settings.lrs_username, settings.lrs_password)


def moodle_client(settings: Settings) -> MoodleClient | None:
    if not (settings.moodle_url and settings.moodle_token):
        return None
    return MoodleClient(settings.moodle_url, settings.moodle_token)


def lms_gateways(settings: Settings) -> dict[str, LmsGateway]:
    """The outbox channels the configured LMS takes."""
    gateways: dict[str, LmsGateway] = {}
    lrs, moodle = lrs_client(settings), moodle_client(settings)
    if lrs is not None:
        gateways[XAPI] = XapiGateway(lrs, settings.public_url or "http://localhost")
    if moodle is not None:
        gateways[MOODLE] = MoodleGateway(moodle)
    return gateways


def mount_lms(web_app: web.Application, application: Application) -> CompletionPolls | None:
    """Mount `POST /lms/events`; the completion polls to run (None when no LMS is set)."""
    settings = application.settings
    mount(
        web_app,
        LmsWebhook(
            settings.lms_webhook_secret, application.completions, application.outbox_written
        ),
    )
    return completion_polls(application)


def completion_polls(application: Application) -> CompletionPolls | None:
    """The polls of the configured LRS and Moodle; None when neither is set."""
    settings = application.settings
    lrs, moodle = lrs_client(settings), moodle_client(settings)
    if lrs is None and moodle is None:
        return None
    return CompletionPolls(
        application.completions,
        lrs=lrs,
        moodle=moodle,
        recorded=application.outbox_written,
    )
