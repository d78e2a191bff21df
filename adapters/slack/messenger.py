"""The `Messenger` port on Slack: a DM is `chat.postMessage` to the user's id, through the
token of the installation covering them, carrying the outbox key in message metadata so that
an in-doubt delivery can be checked afterwards."""

from __future__ import annotations

from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import escape, reply_blocks
from adapters.slack.installs import NotCovered, OneWorkspace, SlackReach
from bot.ports import AwaitingReinstall, ChatAddress, RateLimited, RetryLater, Undeliverable
from bot.replies import Reply

METADATA_EVENT = "coachbot_outbox"
PERMANENT = {
    "user_not_found",
    "users_not_found",
    "account_inactive",
    "channel_not_found",
    "is_archived",
    "not_in_channel",
    "cannot_dm_bot",
    "user_disabled",
    "invalid_auth",
    "not_authed",
    "token_revoked",
}
GONE = {"invalid_auth", "not_authed", "token_revoked", "token_expired"}
"""Errors about the token rather than the person: installed through OAuth, the installation
was removed (or its token refused) and the message waits for it to be installed again."""


class SlackMessenger:
    """Sends replies as Slack DMs through the installation covering each person; finds users
    by e-mail when their id is unknown (cached)."""

    def __init__(
        self, client: AsyncWebClient, reach: SlackReach | None = None, *, many: bool = False
    ) -> None:
        self.client = client
        self.reach: SlackReach = reach or OneWorkspace(client.token or "")
        self.many = many
        self._ids_by_email: dict[str, str] = {}

    async def send(self, address: ChatAddress, reply: Reply) -> str:
        user_id = address.user_id or await self._lookup(str(address.extra.get("email", "")))
        token = await self._token(user_id)
        arguments: dict[str, Any] = {
            "token": token,
            "channel": user_id,
            "text": escape(reply.summary),  # the notification text quotes names and titles
            "blocks": reply_blocks(reply),
            "unfurl_links": False,
        }
        if reply.ref:
            arguments["metadata"] = {
                "event_type": METADATA_EVENT,
                "event_payload": {"key": reply.ref},
            }
        response = await self._call("chat_postMessage", **arguments)
        return f"{response.get('channel', user_id)}:{response.get('ts', '')}"

    async def was_delivered(self, address: ChatAddress, ref: str, oldest: float) -> bool:
        """Whether a message carrying `ref` reached the DM since `oldest` (unix seconds)."""
        user_id = address.user_id or await self._lookup(str(address.extra.get("email", "")))
        token = await self._token(user_id)
        opened = await self._call("conversations_open", users=user_id, token=token)
        channel = opened["channel"]["id"]
        cursor: str | None = None
        while True:
            page = await self._call(
                "conversations_history",
                channel=channel,
                oldest=f"{oldest:.6f}",
                include_all_metadata=True,
                limit=200,
                cursor=cursor,
                token=token,
            )
            for message in page.get("messages", []):
                metadata = message.get("metadata") or {}
                if metadata.get("event_payload", {}).get("key") == ref:
                    return True
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return False

    async def _token(self, user_id: str) -> str:
        try:
            return (await self.reach.reach(user_id)).token
        except NotCovered:
            raise AwaitingReinstall("uninstalled") from None

    async def _lookup(self, email: str) -> str:
        """The Slack user with this e-mail, asked of each installation in turn."""
        if not email:
            raise Undeliverable("no Slack user id or e-mail for this person")
        if email in self._ids_by_email:
            return self._ids_by_email[email]
        reaches = await self.reach.every_token()
        if not reaches:
            raise AwaitingReinstall("uninstalled")
        for number, reach in enumerate(reaches, 1):
            try:
                response = await self._call("users_lookupByEmail", email=email, token=reach.token)
            except Undeliverable as exc:
                if number < len(reaches) and exc.reason == "users_not_found":
                    continue
                raise
            user = response["user"]
            team_id = user.get("team_id") or reach.team_id
            await self.reach.seen(user["id"], team_id, reach.enterprise_id)
            self._ids_by_email[email] = user["id"]
            break
        return self._ids_by_email[email]

    async def _call(self, method: str, **arguments: Any) -> Any:
        try:
            return await getattr(self.client, method)(**arguments)
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if exc.response.status_code == 429 or error == "ratelimited":
                retry_after = float(exc.response.headers.get("Retry-After", "1") or 1)
                raise RateLimited(retry_after, "rate limited") from None
            if self.many and error in GONE:
                raise AwaitingReinstall("uninstalled") from None
            if error in PERMANENT:
                raise Undeliverable(error) from None
            if exc.response.status_code >= 500:
                raise RetryLater(10, f"Slack answered {exc.response.status_code}") from None
            raise Undeliverable(error or "slack_error") from None
        except (ClientError, TimeoutError) as exc:
            raise RetryLater(10, f"connection: {type(exc).__name__}") from None
