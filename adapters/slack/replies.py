"""Short answers to one person: ephemeral where the command was typed, else in the app's DM."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import escape, mrkdwn

HELP = (
    "*coachbot* helps you run development-focused 1:1 coaching.\n"
    "• `/coaching`: managers log a session with a direct report (about two minutes): "
    "focus, key points, agreed actions and courses. Without reports, you see your own "
    "development record.\n"
    "• `/coaching @person`: open the form with that report already chosen.\n"
    "• `/coaching help`: this message.\n"
    "• `/coaching-report`: programme figures, for L&D admins; `/coaching-report console`: a "
    "sign-in link to the L&D console in your browser.\n"
    "Your Home tab shows your open actions, courses and, for managers, who is due a session."
)

NOT_YOUR_FORM = (
    "This form was not opened for you, so nothing was saved. Close it and open your own."
)


def notice(text: str, title: str = "coachbot") -> View:
    """A modal that only says something (a refusal, an explanation); `text` is escaped, as in
    `tell`."""
    return View(
        type="modal",
        callback_id="coachbot_notice",
        title=title,
        close="OK",
        blocks=[SectionBlock(text=mrkdwn(escape(text)))],
    )


LOADING: dict[str, Any] = notice(":hourglass_flowing_sand: Getting your coaching form…").to_dict()


async def tell(client: AsyncWebClient, user_id: str, channel_id: str | None, text: str) -> None:
    """An ephemeral message in the channel; where the app cannot post there, a DM. `text` is
    a sentence with light markdown that may quote what people typed (an action, a name): it is
    escaped here, so nothing quoted can mention or link."""
    await _ephemeral_else_dm(client, user_id, channel_id, escape(text))


async def tell_markup(
    client: AsyncWebClient, user_id: str, channel_id: str | None, text: str
) -> None:
    """`tell` for text already escaped (holding a link of our own), never unfurled (ephemeral
    messages never are; the DM is told not to)."""
    await _ephemeral_else_dm(client, user_id, channel_id, text, unfurl_links=False)


async def _ephemeral_else_dm(
    client: AsyncWebClient, user_id: str, channel_id: str | None, text: str, **dm: Any
) -> None:
    if channel_id:
        try:
            await client.chat_postEphemeral(channel=channel_id, user=user_id, text=text)
            return
        except SlackApiError as exc:
            if exc.response.get("error") not in {"channel_not_found", "not_in_channel"}:
                raise
    await client.chat_postMessage(channel=user_id, text=text, **dm)
