"""Signing in to the L&D console without a password: an L&D admin asks in chat, gets a link
that works once, within 10 minutes, for them only; spending it opens a session that ends after
8 hours idle or at sign-out. The role is checked when the link is made, when it is spent and on
every request of the session. Secrets are random; only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from bot.clock import Clock
from bot.errors import Refusal
from bot.model import Person
from bot.ports import ConsoleSignIns, UnitOfWork

LINK_LIFETIME = timedelta(minutes=10)
IDLE_LIMIT = timedelta(hours=8)
SIGN_IN_PATH = "/console/sign-in"

NOT_LD_CONSOLE = (
    "Sorry, the console is for the L&D team only. If you need coaching figures for your area, "
    "ask your L&D partner."
)
NO_PUBLIC_URL = (
    "The console cannot be opened yet: whoever runs coachbot needs to set COACHBOT_PUBLIC_URL "
    "(the address people open it at)."
)
LINK_REFUSED = (
    "This sign-in link cannot be used: it has expired, has been used already, or is not "
    "yours. Ask for a new one in chat (the Console button on your coachbot Home, "
    "/coaching-report console in Slack, or console in Teams)."
)


CONSOLE_BUTTON = "Open the L&D console"
CONSOLE_WORD = "console"
"""What an L&D admin types to get a link: `/coaching-report console` in Slack, `console` in
Teams."""


def link_text(minutes: int) -> str:
    """The words sent with a sign-in link, on every platform."""
    return (
        f"Your sign-in link to the L&D console. It works once, within {minutes} minutes, and "
        "only for you: please don't forward it."
    )


def hashed(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class SignInLink:
    url: str
    minutes: int


@dataclass(frozen=True, slots=True)
class OpenedSession:
    """The secret for the browser's cookie (never stored as it is) and whose session it is."""

    cookie: str
    person: Person


@dataclass(frozen=True, slots=True)
class SignedIn:
    person: Person
    csrf_token: str


class ConsoleAccess:
    """The console's sign-in use-cases, with their dependencies."""

    def __init__(
        self,
        sign_ins: ConsoleSignIns,
        unit_of_work: Callable[[], UnitOfWork],
        clock: Clock,
        public_url: str | None,
    ) -> None:
        self._sign_ins = sign_ins
        self._unit_of_work = unit_of_work
        self._clock = clock
        self._public_url = (public_url or "").rstrip("/")

    @property
    def secure(self) -> bool:
        """Whether the console is reached over https (its cookie is then Secure)."""
        return self._public_url.startswith("https://")

    async def _admin(self, person_id: int) -> Person | None:
        async with self._unit_of_work() as uow:
            person = await uow.people.get(person_id)
        if person is None or not person.active or not person.is_ld_admin:
            return None
        return person

    async def sign_in_link(self, person: Person) -> SignInLink:
        """A new one-time link for this person; a Refusal for anyone who is not an active L&D
        admin now (the role is read again, not taken from the caller) or without a public URL."""
        if await self._admin(person.id) is None:
            raise Refusal(NOT_LD_CONSOLE)
        if not self._public_url:
            raise Refusal(NO_PUBLIC_URL)
        secret = secrets.token_urlsafe(32)
        expires_at = self._clock.now() + LINK_LIFETIME
        await self._sign_ins.add_link(hashed(secret), person.id, expires_at)
        query = urlencode({"person": person.id, "token": secret})
        return SignInLink(
            f"{self._public_url}{SIGN_IN_PATH}?{query}", int(LINK_LIFETIME.total_seconds() // 60)
        )

    async def link_usable(self, person_id: int, secret: str) -> bool:
        """Whether the link would sign its person in now (nothing is spent)."""
        if not secret or await self._admin(person_id) is None:
            return False
        return await self._sign_ins.link_usable(hashed(secret), person_id, self._clock.now())

    async def spend_link(self, person_id: int, secret: str) -> OpenedSession:
        """Spend the link and open a session; a Refusal (nothing changed) for an expired, used,
        forged or another person's link, or a person who is no longer an L&D admin."""
        person = await self._admin(person_id) if secret else None
        now = self._clock.now()
        if person is None or not await self._sign_ins.spend_link(hashed(secret), person_id, now):
            raise Refusal(LINK_REFUSED)
        cookie = secrets.token_urlsafe(32)
        csrf_token = secrets.token_hex(32)
        await self._sign_ins.open_session(hashed(cookie), person.id, csrf_token, now, IDLE_LIMIT)
        return OpenedSession(cookie, person)

    async def signed_in(self, cookie: str) -> SignedIn | None:
        """Who this session cookie signs in, if its session is live and its person is still an
        active L&D admin; a session whose person lost the role is ended."""
        if not cookie:
            return None
        session = await self._sign_ins.session(hashed(cookie), self._clock.now(), IDLE_LIMIT)
        if session is None:
            return None
        person = await self._admin(session.person_id)
        if person is None:
            await self._sign_ins.end_session(hashed(cookie))
            return None
        return SignedIn(person, session.csrf_token)

    async def sign_out(self, cookie: str) -> None:
        if cookie:
            await self._sign_ins.end_session(hashed(cookie))


def same_token(given: str, expected: str) -> bool:
    """A constant-time comparison of a form's CSRF token with the session's."""
    return bool(given) and hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8")
    )
