"""The Slack door's part of `adapters/bootstrap.py`: the Web API client, the Bolt app with its
listeners on `POST /slack/events` (and, installed through OAuth, the install pages), and the
`Messenger` that sends Slack DMs through the installation covering each person."""

from __future__ import annotations

from aiohttp import web

from adapters.application import Application
from adapters.slack.app import build_bolt_app, build_client, mount
from adapters.slack.door import SlackDoor
from adapters.slack.identity import SlackProfiles
from adapters.slack.installs import ManyWorkspaces, slack_reach
from adapters.slack.listeners import register
from adapters.slack.messenger import SlackMessenger
from adapters.slack.oauth import mount_install_pages, oauth_settings


def mount_slack(web_app: web.Application, application: Application) -> SlackMessenger:
    """Add the Slack routes to the app (with OAuth, the install pages too); returns the
    messenger for `messengers["slack"]`."""
    settings = application.settings
    client = build_client(settings)
    stores = application.slack_oauth
    reach = slack_reach(
        client,
        token=settings.slack_bot_token,
        stores=stores,
        installations=application.installations,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        rotation_minutes=settings.slack_token_rotation_minutes,
    )
    oauth = oauth_settings(application, stores, reach) if stores is not None else None
    rotation = reach.rotation if isinstance(reach, ManyWorkspaces) else None
    bolt_app = build_bolt_app(settings, client, oauth, rotation)
    register(bolt_app, SlackDoor(application, SlackProfiles(client, reach), reach))
    mount(web_app, bolt_app, settings.slack_signing_secret or "")
    if oauth is not None:
        mount_install_pages(web_app, bolt_app)
    return SlackMessenger(client, reach, many=stores is not None)
