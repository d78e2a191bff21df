"""Stored conversation references (storage/conversations.py) on SQLite and PostgreSQL: one per
person and platform, replaced by the latest, with the tenant kept beside the reference."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.conversations import SqlConversations
from tests.storage.org import insert

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def test_the_latest_reference_per_person_and_platform_is_kept(engine: AsyncEngine) -> None:
    ann = await insert(engine, "person", email="ann@example.org", name="Ann")
    bob = await insert(engine, "person", email="bob@example.org", name="Bob")
    assert await SqlConversations(engine).of(ann, "teams") is None
    assert await SqlConversations(engine).latest("teams") is None

    first = {"conversation": {"id": "a:1"}, "serviceUrl": "https://smba.example/emea/"}
    await SqlConversations(engine).save(ann, "teams", first, "tenant-1", AT)
    moved = {"conversation": {"id": "a:2"}, "serviceUrl": "https://smba.example/amer/"}
    await SqlConversations(engine).save(ann, "teams", moved, "tenant-1", AT + timedelta(hours=1))
    await SqlConversations(engine).save(bob, "teams", first, None, AT)

    stored = await SqlConversations(engine).of(ann, "teams")
    assert stored is not None and stored.reference == moved and stored.tenant_id == "tenant-1"
    latest = await SqlConversations(engine).latest("teams")
    assert latest is not None and latest.person_id == ann
    assert await SqlConversations(engine).of(ann, "slack") is None


async def test_a_removal_forgets_the_reference_until_the_person_writes_again(
    engine: AsyncEngine,
) -> None:
    ann = await insert(engine, "person", email="ann@example.org", name="Ann")
    bob = await insert(engine, "person", email="bob@example.org", name="Bob")
    chat = {"conversation": {"id": "a:1"}, "serviceUrl": "https://smba.example/emea/"}
    await SqlConversations(engine).save(bob, "teams", chat, "tenant-1", AT)
    await SqlConversations(engine).save(ann, "teams", chat, "tenant-1", AT + timedelta(hours=1))
    await SqlConversations(engine).forget(ann, "teams", AT + timedelta(hours=2))
    await SqlConversations(engine).forget(bob, "slack", AT)  # never there: recorded anyway

    gone = await SqlConversations(engine).of(ann, "teams")
    assert gone is not None and gone.removed and gone.reference == {} and gone.tenant_id is None
    latest = await SqlConversations(engine).latest("teams")  # where a first chat is opened from
    assert latest is not None and latest.person_id == bob

    assert await SqlConversations(engine).save(
        ann, "teams", chat, "tenant-1", AT + timedelta(hours=3)
    )
    back = await SqlConversations(engine).of(ann, "teams")
    assert back is not None and not back.removed and back.reference == chat


async def test_of_two_saves_at_once_only_one_is_told_the_person_is_new(
    engine: AsyncEngine,
) -> None:
    """Teams announces an install twice at once; the welcome goes with the save told True."""
    ann = await insert(engine, "person", email="ann@example.org", name="Ann")
    chat = {"conversation": {"id": "a:1"}, "serviceUrl": "https://smba.example/emea/"}
    for _ in range(2):
        saves = [SqlConversations(engine).save(ann, "teams", chat, "t", AT) for _ in range(4)]
        assert sorted(await asyncio.gather(*saves)) == [False, False, False, True]
        await SqlConversations(engine).forget(ann, "teams", AT)
