"""The `Messenger` port on Slack: a DM is `chat.postMessage` to the user's id, carrying the
outbox key in message metadata so that an in-doubt delivery can be checked afterwards."""

from __future__ import annotations

from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import escape, reply_blocks
from bot.ports import ChatAddress, RateLimited, RetryLater, Undeliverable
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


class SlackMessenger:
    """Sends replies as Slack DMs; finds users by e-mail when their id is unknown (cached)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._ids_by_email: dict[str, str] = {}

    async def send(self, address: ChatAddress, reply: Reply) -> str:
        user_id = address.user_id or await self._lookup(str(address.extra.get("email", "")))
        arguments: dict[str, Any] = {
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
        opened = await self._call("conversations_open", users=user_id)
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
            )
            for message in page.get("messages", []):
                metadata = message.get("metadata") or {}
                if metadata.get("event_payload", {}).get("key") == ref:
                    return True
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return False

    async def _lookup(self, email: str) -> str:
        if not email:
            raise Undeliverable("no Slack user id or e-mail for this person")
        if email not in self._ids_by_email:
            response = await self._call("users_lookupByEmail", email=email)
            self._ids_by_email[email] = response["user"]["id"]
        return self._ids_by_email[email]

    async def _call(self, method: str, **arguments: Any) -> Any:
        try:
            return await getattr(self.client, method)(**arguments)
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if exc.response.status_code == 429 or error == "ratelimited":
                retry_after = float(exc.response.headers.get("Retry-After", "1") or 1)
                raise RateLimited(retry_after, "rate limited") from None
            if error in PERMANENT:
                raise Undeliverable(error) from None
            if exc.response.status_code >= 500:
                raise RetryLater(10, f"Slack answered {exc.response.status_code}") from None
            raise Undeliverable(error or "slack_error") from None
        except (ClientError, TimeoutError) as exc:
            raise RetryLater(10, f"connection: {type(exc).__name__}") from None
