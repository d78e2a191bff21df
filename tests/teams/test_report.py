"""`report` on Teams: L&D admins only; the card shows the figures and the chart by a signed
link under COACHBOT_PUBLIC_URL that the server answers for 24 hours, then no more."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.clock import FixedClock
from storage.db import create_engine
from tests.slack.conftest import People
from tests.storage.org import insert
from tests.support.openid import SigningKey
from tests.teams.cards import elements, text_of
from tests.teams.conftest import DANA, MAYA, PUBLIC_URL, TeamsWorld, start_teams

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
async def report_world(
    sqlite_url: str, people: People, signing_key: SigningKey, metadata_url: str, clock: FixedClock
) -> AsyncIterator[TeamsWorld]:
    engine = create_engine(sqlite_url)
    for n in range(4):  # enough people for figures to be shown (k = 5)
        person = await insert(
            engine, "person", email=f"p{n}@example.org", name=f"P {n}", department="Sales"
        )
        await insert(
            engine,
            "coaching_relationship",
            manager_id=people.olu,
            employee_id=person,
            started_on=date(2025, 1, 6),
        )
    await engine.dispose()
    teams, close = await start_teams(sqlite_url, signing_key, metadata_url, clock=clock)
    yield teams
    await close()


def chart_link(world: TeamsWorld) -> str:
    [image] = [e for e in elements(world.last_card(DANA)) if e.get("type") == "Image"]
    url = str(image["url"])
    assert url.startswith(f"{PUBLIC_URL}/charts/") and url.endswith(".png")
    return url.replace(PUBLIC_URL, world.url)


async def test_an_ld_admin_gets_the_figures_and_a_chart_link_that_expires(
    report_world: TeamsWorld, clock: FixedClock
) -> None:
    world = report_world
    await world.say(DANA, "report department Sales 90d")
    card = world.last_card(DANA)
    assert "Programme report" in text_of(card)
    assert "Sessions held: 0" in text_of(card)
    assert "Counted: sessions held that count towards completion" in text_of(card)
    for internal in ("released", "suppressed"):
        assert internal not in text_of(card)
    link = chart_link(world)

    response = await world.http.get(link)
    assert response.status == 200 and response.content_type == "image/png"
    assert (await response.read()).startswith(b"\x89PNG")

    forged = link.replace(".png", "x.png")
    assert (await world.http.get(forged)).status == 404
    clock.set(NOW + timedelta(hours=24, minutes=1))
    assert (await world.http.get(link)).status == 404


async def test_anyone_else_is_refused_politely(report_world: TeamsWorld) -> None:
    await report_world.say(MAYA, "report")
    card = report_world.last_card(MAYA)
    assert "for the L&D team only" in text_of(card)
    assert "Programme report" not in text_of(card)


async def test_words_it_does_not_understand_are_explained(report_world: TeamsWorld) -> None:
    await report_world.say(DANA, "report fortnight")
    assert "Usage: `report [department NAME" in text_of(report_world.last_card(DANA))


async def test_an_unknown_team_is_named_with_the_known_ones(report_world: TeamsWorld) -> None:
    await report_world.say(DANA, "report team Nope")
    card = report_world.last_card(DANA)
    assert text_of(card) == "no team named 'Nope' (known: North)"
