"""Who is who on a chat platform: a platform user is the directory's person with their platform
id, else the person with the e-mail the platform's own directory gives for them (never one the
request carries: its fields are the sender's to choose, and the match is stored for good). The
match is remembered, and a zone the platform knows is kept as the person's."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from bot.errors import TryAgain
from bot.model import Person
from bot.ports import UnitOfWork


class ChatPlatform(enum.StrEnum):
    SLACK = "slack"
    TEAMS = "teams"


@dataclass(frozen=True)
class ChatProfile:
    """What a platform's directory says about one of its users."""

    email: str | None
    timezone: str | None = None  # IANA; None where the platform does not say
    deleted: bool = False


class ChatProfiles(Protocol):
    """A platform's directory of its users (Slack `users.info`, the Teams member lookup)."""

    platform: ChatPlatform
    gives_zones: bool
    """Whether a profile carries the user's zone (then a person without one is looked up)."""

    async def profile(self, user_id: str) -> ChatProfile | None:
        """The user's profile; None when the platform could not say."""
        ...


def _platform_id(person: Person, platform: ChatPlatform) -> str | None:
    return person.slack_user_id if platform is ChatPlatform.SLACK else person.teams_user_id


class ChatIdentity:
    """Resolves one platform's users to people; remembers each match so that later requests
    need no lookup."""

    def __init__(self, unit_of_work: Callable[[], UnitOfWork]) -> None:
        self.unit_of_work = unit_of_work
        self._person_ids: dict[tuple[ChatPlatform, str], int] = {}

    async def person(self, user_id: str, profiles: ChatProfiles) -> Person | None:
        """The active person behind `user_id`, or None for someone the directory lacks."""
        platform = profiles.platform
        key = (platform, user_id)
        async with self.unit_of_work() as uow:
            cached = self._person_ids.get(key)
            person = await uow.people.get(cached) if cached else None
            if person is not None and _platform_id(person, platform) == user_id and person.active:
                return person
            # Nothing remembered, or the row changed under the match (an import gave another
            # id, the person was erased or deactivated): resolve from the database as a
            # process that never saw them would.
            self._person_ids.pop(key, None)
            if platform is ChatPlatform.SLACK:
                person = await uow.people.by_slack_id(user_id)
            else:
                person = await uow.people.by_teams_id(user_id)
        if person is not None and not person.active:
            return None
        if person is not None and (person.timezone or not profiles.gives_zones):
            self._person_ids[key] = person.id
            return person
        return await self._match_by_profile(user_id, profiles, person)

    async def _match_by_profile(
        self, user_id: str, profiles: ChatProfiles, known: Person | None
    ) -> Person | None:
        """Ask the platform for the user's profile: their e-mail finds them in the directory
        (unless already known by id) and a zone it gives is stored as the person's."""
        profile = await profiles.profile(user_id)
        if profile is None:
            return known
        async with self.unit_of_work() as uow:
            person = known
            if person is None and profile.email:
                person = await uow.people.by_email(profile.email)
        if person is None or not person.active or profile.deleted:
            return None
        zone = profile.timezone or person.timezone
        platform = profiles.platform
        try:
            async with self.unit_of_work() as uow:
                if known is None and platform is ChatPlatform.SLACK:
                    await uow.people.set_chat_identity(person.id, slack_user_id=user_id)
                elif known is None:
                    await uow.people.set_chat_identity(person.id, teams_user_id=user_id)
                if zone and zone != person.timezone:
                    await uow.people.set_timezone(person.id, zone)
                await uow.commit()
                matched = await uow.people.get(person.id)
        except TryAgain:
            # Too busy to remember the match in time: the platform's profile still says who
            # this is, so answer as that person; the next request stores the match.
            if platform is ChatPlatform.SLACK:
                return replace(person, slack_user_id=user_id, timezone=zone)
            return replace(person, teams_user_id=user_id, timezone=zone)
        if matched is not None:
            self._person_ids[(platform, user_id)] = matched.id
        return matched
