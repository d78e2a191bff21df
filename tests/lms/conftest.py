"""The L&D connection's fixtures: a real Ralph LRS for the session, a Moodle fake per test, an
outbox dispatcher with the LMS gateways, and the small organisation of the storage tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.lms.moodle import MoodleClient, MoodleGateway
from adapters.lms.xapi import LrsClient, XapiGateway
from bot.clock import FixedClock
from bot.ports import LmsGateway
from scheduler.outbox import OutboxDispatcher
from storage.dispatch_queue import SqlDispatchQueue
from storage.unit_of_work import unit_of_work_factory
from tests.services.helpers import NOW
from tests.support.moodle_fake import TOKEN, MoodleFake
from tests.support.ralph import RalphLrs


@pytest.fixture(scope="session")
def ralph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RalphLrs]:
    lrs = RalphLrs(tmp_path_factory.mktemp("ralph"))
    lrs.start()
    yield lrs
    lrs.stop()


@pytest.fixture
def lrs_client(ralph: RalphLrs) -> LrsClient:
    return LrsClient(ralph.endpoint, ralph.username, ralph.password)


@pytest.fixture
async def moodle() -> AsyncIterator[MoodleFake]:
    fake = MoodleFake(
        courses={42: "Negotiation basics", 43: "Speaking with confidence"},
        users={7: "ed@example.org", 8: "zoe@example.org"},
    )
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
def moodle_client(moodle: MoodleFake) -> MoodleClient:
    return MoodleClient(moodle.base_url, TOKEN)


@dataclass
class Outbox:
    """The dispatcher of these tests: no chat door, the LMS gateways given, a clock to move."""

    dispatcher: OutboxDispatcher
    clock: FixedClock

    async def deliver(self) -> None:
        while await self.dispatcher.deliver_due():
            pass

    async def later(self, seconds: float) -> None:
        self.clock.set(self.clock.now() + timedelta(seconds=seconds))
        await self.deliver()


def outbox(engine: AsyncEngine, **gateways: LmsGateway) -> Outbox:
    clock = FixedClock(NOW)
    dispatcher = OutboxDispatcher(
        SqlDispatchQueue(engine), unit_of_work_factory(engine), {}, clock, lms_gateways=gateways
    )
    return Outbox(dispatcher, clock)


def xapi_outbox(engine: AsyncEngine, client: LrsClient) -> Outbox:
    return outbox(engine, xapi=XapiGateway(client))


def moodle_outbox(engine: AsyncEngine, client: MoodleClient) -> Outbox:
    return outbox(engine, moodle=MoodleGateway(client))
