"""The Slack door's part of `adapters/bootstrap.py`: the Web API client, the Bolt app with its
listeners on `POST /slack/events`, and the `Messenger` that sends Slack DMs."""

from __future__ import annotations

from aiohttp import web

from adapters.application import Application
from adapters.slack.app import build_bolt_app, build_client, mount
from adapters.slack.door import SlackDoor
from adapters.slack.identity import SlackProfiles
from adapters.slack.listeners import register
from adapters.slack.messenger import SlackMessenger


def mount_slack(web_app: web.Application, application: Application) -> SlackMessenger:
    """Add the Slack route to the app; returns the messenger for `messengers["slack"]`."""
    settings = application.settings
    client = build_client(settings)
    bolt_app = build_bolt_app(settings, client)
    register(bolt_app, SlackDoor(application, SlackProfiles(client)))
    mount(web_app, bolt_app, settings.slack_signing_secret or "")
    return SlackMessenger(client)
