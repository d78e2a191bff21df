"""What the Slack listeners share: the settings, the unit of work, the clock, who is who, and a
nudge for the outbox dispatcher once a transaction has queued messages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.config import Settings
from adapters.slack.identity import UNKNOWN_PERSON, SlackIdentity
from adapters.slack.replies import tell
from bot.clock import Clock, local_date
from bot.model import Person
from bot.ports import UnitOfWork


@dataclass
class SlackDoor:
    settings: Settings
    engine: AsyncEngine
    unit_of_work: Callable[[], UnitOfWork]
    clock: Clock
    identity: SlackIdentity
    outbox_written: Callable[[], None] = lambda: None

    async def person_or_tell(
        self, client: AsyncWebClient, user_id: str, channel_id: str | None = None
    ) -> Person | None:
        """The person behind a Slack user; someone unknown is told that L&D must add them."""
        person = await self.identity.person(user_id)
        if person is None:
            await tell(client, user_id, channel_id, UNKNOWN_PERSON)
        return person

    def today_for(self, person: Person) -> date:
        """The person's local date (their zone, else the organisation's)."""
        return local_date(self.clock.now(), person.timezone or self.settings.timezone)
