"""The `Messenger` port on Teams: a proactive DM continues the person's stored conversation
(`continue_conversation`), or opens a 1:1 chat (`create_conversation`) when there is none yet.
Within Teams' limit of 7 messages a second per conversation; 429, 412, 502 and 504 (and other
5xx, timeouts) come back as `RetryLater` for the dispatcher to retry with backoff. Nothing is
sent to a person who removed the app: without asking Teams, their messages wait until they add
it again (`AwaitingReinstall`)."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import ClientError
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationParameters
from msrest.exceptions import ClientRequestError, HttpOperationError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.teams.cards import Card, reply_card
from adapters.teams.conversations import PLATFORM, as_reference, reference_of, tenant_of
from bot.clock import Clock
from bot.ports import AwaitingReinstall, ChatAddress, RateLimited, RetryLater, Undeliverable
from bot.replies import Reply
from storage.conversations import conversation_of, latest_conversation, save_conversation

PER_SECOND = 7  # Teams: messages a bot may send to one conversation in one second
RETRYABLE = {412, 429, 500, 502, 503, 504}
GONE = {401, 403, 404}
REMOVED = "the person removed coachbot in Teams"


def card_activity(content: Card, summary: str) -> Activity:
    """A message carrying one Adaptive Card; `summary` is what notifications show."""
    activity: Activity = MessageFactory.attachment(CardFactory.adaptive_card(content))
    activity.summary = summary
    return activity


class ConversationPacer:
    """Waits so that no conversation gets more than `per_second` messages in any second."""

    def __init__(self, per_second: int = PER_SECOND) -> None:
        self.per_second = per_second
        self._sent: dict[str, deque[float]] = defaultdict(deque)

    async def wait_turn(self, conversation_id: str) -> None:
        sent = self._sent[conversation_id]
        while True:
            now = time.monotonic()
            while sent and now - sent[0] >= 1.0:
                sent.popleft()
            if len(sent) < self.per_second:
                sent.append(now)
                return
            await asyncio.sleep(1.0 - (now - sent[0]))


class TeamsMessenger:
    """Sends replies as Teams DMs from the conversation references stored in the database."""

    def __init__(
        self,
        adapter: CloudAdapter,
        app_id: str | None,
        engine: AsyncEngine,
        clock: Clock,
        pacer: ConversationPacer | None = None,
    ) -> None:
        self.adapter = adapter
        self.app_id = app_id or ""
        self.engine = engine
        self.clock = clock
        self.pacer = pacer or ConversationPacer()

    async def send(self, address: ChatAddress, reply: Reply) -> str:
        return await self.send_card(address, reply_card(reply), reply.summary)

    async def send_card(self, address: ChatAddress, content: Card, summary: str) -> str:
        if address.person_id is None:
            raise Undeliverable("no person to look up a Teams conversation for")
        activity = card_activity(content, summary)
        stored = await conversation_of(self.engine, address.person_id, PLATFORM)
        if stored is not None and stored.removed:
            # Teams would refuse it: it waits for them to add the app again
            raise AwaitingReinstall(REMOVED)
        try:
            if stored is not None:
                return await self._continue(stored.reference, stored.tenant_id, activity)
            return await self._open_chat(address, activity)
        except HttpOperationError as exc:
            raise _failure(exc) from None
        except (ClientRequestError, ClientError, TimeoutError, OSError) as exc:
            raise RetryLater(10, f"connection: {type(exc).__name__}") from None

    async def _continue(
        self, reference: dict[str, Any], tenant_id: str | None, activity: Activity
    ) -> str:
        conversation_id = str((reference.get("conversation") or {}).get("id", ""))
        if tenant_id:
            activity.channel_data = {"tenant": {"id": tenant_id}}
        await self.pacer.wait_turn(conversation_id)
        sent: list[str] = []

        async def deliver(context: TurnContext) -> None:
            context.on_send_activities(_as_new_message)
            response = await context.send_activity(activity)
            sent.append(response.id if response and response.id else "")

        await self.adapter.continue_conversation(as_reference(reference), deliver, self.app_id)
        return f"{conversation_id}:{sent[0] if sent else ''}"

    async def _open_chat(self, address: ChatAddress, activity: Activity) -> str:
        """A first 1:1 chat: the service and tenant come from anyone's stored conversation."""
        known = await latest_conversation(self.engine, PLATFORM)
        if known is None or not address.user_id:
            raise Undeliverable("no Teams conversation yet: the person must install the app")
        service_url = str(known.reference.get("serviceUrl") or "")
        tenant = known.tenant_id
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=self.app_id),
            members=[ChannelAccount(id=address.user_id)],
            tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}} if tenant else None,
        )
        if tenant:
            activity.channel_data = {"tenant": {"id": tenant}}
        sent: list[str] = []
        person_id = address.person_id or 0

        async def deliver(context: TurnContext) -> None:
            created = context.activity
            await save_conversation(
                self.engine,
                person_id,
                PLATFORM,
                reference_of(created),
                tenant_of(created) or tenant,
                self.clock.now(),
            )
            await self.pacer.wait_turn(created.conversation.id)
            response = await context.send_activity(activity)
            sent.append(f"{created.conversation.id}:{response.id if response else ''}")

        channel = str(known.reference.get("channelId") or "msteams")
        await self.adapter.create_conversation(
            self.app_id, deliver, parameters, channel, service_url, None
        )
        return sent[0] if sent else ""


async def _as_new_message(
    context: TurnContext, activities: list[Activity], send: Callable[[], Awaitable[Any]]
) -> Any:
    """A proactive message starts a new message, not a reply to the continuation's id."""
    for activity in activities:
        activity.reply_to_id = None
    return await send()


def _failure(exc: HttpOperationError) -> Exception:
    response = getattr(exc, "response", None)
    status = int(getattr(response, "status_code", 0) or 0)
    headers = getattr(response, "headers", None) or {}
    retry_after = float(headers.get("Retry-After", "0") or 0) if headers else 0.0
    if status == 429:
        return RateLimited(retry_after or 1.0, "Teams: rate limited (429)")
    if status in RETRYABLE:
        return RetryLater(retry_after or 10.0, f"Teams answered {status}")
    if status in GONE:
        return Undeliverable(f"Teams answered {status}: conversation or user not reachable")
    return Undeliverable(f"Teams answered {status or 'an error'}")
