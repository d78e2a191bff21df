"""Who is who on Slack: a Slack user is matched to a person by `slack_user_id`, else by the
e-mail on their Slack profile (`users.info`), whose IANA `tz` is stored as the person's zone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import TryAgain
from bot.model import Person
from bot.ports import UnitOfWork

UNKNOWN_PERSON = (
    "I don't know you yet: coachbot only works for people in the organisation's directory. "
    "Ask your L&D team to add you (they import the people list), then try again."
)


class SlackIdentity:
    """Resolves Slack users to people; remembers each match so later requests need no call."""

    def __init__(self, client: AsyncWebClient, unit_of_work: Callable[[], UnitOfWork]) -> None:
        self.client = client
        self.unit_of_work = unit_of_work
        self._person_ids: dict[str, int] = {}

    async def person(self, slack_user_id: str) -> Person | None:
        async with self.unit_of_work() as uow:
            cached = self._person_ids.get(slack_user_id)
            person = await uow.people.get(cached) if cached else None
            if person is not None and person.slack_user_id == slack_user_id and person.active:
                return person
            # Nothing remembered, or the row changed under the match (an import gave another
            # id, the person was erased or deactivated): resolve from the database as a
            # process that never saw them would.
            self._person_ids.pop(slack_user_id, None)
            person = await uow.people.by_slack_id(slack_user_id)
        if person is not None and person.active and person.timezone:
            self._person_ids[slack_user_id] = person.id
            return person
        return await self._match_by_profile(slack_user_id, person)

    async def _match_by_profile(self, slack_user_id: str, known: Person | None) -> Person | None:
        """Ask Slack for the user's profile: their e-mail finds them in the directory (unless
        already known by id) and their IANA `tz` is stored as the person's zone."""
        try:
            response = await self.client.users_info(user=slack_user_id)
        except SlackApiError:
            return known if known is not None and known.active else None
        user = response.get("user") or {}
        email = (user.get("profile") or {}).get("email")
        async with self.unit_of_work() as uow:
            person = known if known is not None else await uow.people.by_email(email or "")
        if person is None or not person.active or user.get("deleted"):
            return None
        zone = str(user["tz"]) if user.get("tz") else person.timezone
        try:
            async with self.unit_of_work() as uow:
                if known is None:
                    await uow.people.set_chat_identity(person.id, slack_user_id=slack_user_id)
                if zone != person.timezone:
                    await uow.people.set_timezone(person.id, str(zone))
                await uow.commit()
                person = await uow.people.get(person.id)
        except TryAgain:
            # Too busy to remember the match in time: Slack's profile still says who this is,
            # so answer as that person; the next request stores the match.
            return replace(person, slack_user_id=slack_user_id, timezone=zone)
        if person is not None:
            self._person_ids[slack_user_id] = person.id
        return person
