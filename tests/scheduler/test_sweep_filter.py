"""The sweep leaves out, in SQL, relationships whose nudges are all queued already (for the
sweep, as remembered in `queued_nudges`); that must never change what is planned. Over four
days of sweeps, sessions logged (some late, starting a period due at once), snoozes,
deliveries and rows dropped, the filtered plan's fresh nudges and the preview equal those of
the whole snapshot, and a day's preview read at once (the console's Nudges page) equals the
preview at each of its moments."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.model import OutboxStatus
from bot.services.nudges import (
    ANY_STATUS,
    SENT,
    NudgePolicy,
    plan,
    preview,
    preview_day,
    sweep,
)
from storage.dispatch_queue import SqlDispatchQueue
from storage.nudge_store import SqlNudgeStore
from storage.repositories import dialect_insert
from tests.support.sweep_org import T, populate

ZONES = ("Europe/London", "Pacific/Auckland", "America/Los_Angeles", "Asia/Kolkata", None)


async def _vary_people(engine: AsyncEngine, rng: random.Random) -> None:
    async with engine.begin() as db:
        ids = [
            row[0] for row in await db.execute(select(T["person"].c.id).order_by(T["person"].c.id))
        ]
        for person_id in ids:
            await db.execute(
                update(T["person"])
                .where(T["person"].c.id == person_id)
                .values(
                    timezone=rng.choice(ZONES),
                    start_date=rng.choice((None, date(2020, 1, 1), date(2026, 1, 20))),
                    cadence=rng.choice(("monthly", "fortnightly", "quarterly", None)),
                )
            )


async def _fresh(
    store: SqlNudgeStore, at: datetime, policy: NudgePolicy, filtered: bool
) -> list[str]:
    planned = await (plan(store, at, policy, ANY_STATUS) if filtered else plan(store, at, policy))
    known = await store.keys_with_status([n.dedupe_key for n in planned.nudges])
    return sorted(n.dedupe_key for n in planned.nudges if n.dedupe_key not in known)


async def _unsent(
    store: SqlNudgeStore, at: datetime, policy: NudgePolicy, filtered: bool
) -> list[str]:
    """What the preview would list: planned and not sent."""
    planned = await (plan(store, at, policy, SENT) if filtered else plan(store, at, policy))
    known = await store.keys_with_status([n.dedupe_key for n in planned.nudges])
    return sorted(
        n.dedupe_key for n in planned.nudges if known.get(n.dedupe_key) is not OutboxStatus.SENT
    )


async def _a_day_passes(engine: AsyncEngine, rng: random.Random, at: datetime) -> None:
    async with engine.begin() as db:
        pairs = [
            (row[0], row[1])
            for row in await db.execute(
                select(
                    T["coaching_relationship"].c.manager_id,
                    T["coaching_relationship"].c.employee_id,
                ).order_by(T["coaching_relationship"].c.id)
            )
        ]
        logged = [(pair, rng.randint(0, 3)) for pair in rng.sample(pairs, len(pairs) // 15)]
        logged += [(pair, rng.randint(15, 40)) for pair in rng.sample(pairs, len(pairs) // 15)]
        for (manager, employee), days_ago in logged:  # some logged late: a period due at once
            await db.execute(
                dialect_insert(db, T["coaching_session"])
                .on_conflict_do_nothing()
                .values(
                    manager_id=manager,
                    employee_id=employee,
                    held_on=(at - timedelta(days=days_ago)).date(),
                    duration_minutes=30,
                    focus_type="skill_development",
                    skill_id="SK-1",
                    key_points=["A development conversation"],
                    created_at=at,
                )
            )
        for manager, employee in rng.sample(pairs, len(pairs) // 20):
            await db.execute(
                T["snooze"]
                .insert()
                .values(
                    manager_id=manager, employee_id=employee, until=(at + timedelta(days=3)).date()
                )
            )


async def _some_are_delivered(engine: AsyncEngine, rng: random.Random) -> None:
    """Half the pending rows are sent, a tenth failed, a tenth dropped by the dispatcher."""
    outbox = T["outbox"]
    async with engine.begin() as db:
        pending = [
            r[0]
            for r in await db.execute(
                select(outbox.c.id).where(outbox.c.status == "pending").order_by(outbox.c.id)
            )
        ]
        sent = rng.sample(pending, len(pending) // 2)
        rest = sorted(set(pending) - set(sent))
        failed = rng.sample(rest, len(pending) // 10)
        dropped = rng.sample(sorted(set(rest) - set(failed)), len(pending) // 10)
        if sent:
            await db.execute(update(outbox).where(outbox.c.id.in_(sent)).values(status="sent"))
        if failed:
            await db.execute(update(outbox).where(outbox.c.id.in_(failed)).values(status="failed"))
    await SqlDispatchQueue(engine).drop(dropped)


async def test_the_filtered_sweep_plans_what_the_whole_snapshot_plans(engine: AsyncEngine) -> None:
    await populate(engine, 240)
    rng = random.Random(5)
    await _vary_people(engine, rng)
    store = SqlNudgeStore(engine)
    policy = NudgePolicy("Europe/London")
    start = datetime(2026, 3, 6, 0, 0, tzinfo=UTC)
    compared = 0
    for step in range(4 * 12):  # every two hours over four days
        at = start + timedelta(hours=2 * step)
        fresh = await _fresh(store, at, policy, filtered=False)
        assert await _fresh(store, at, policy, filtered=True) == fresh, at
        unsent = await _unsent(store, at, policy, filtered=False)
        assert await _unsent(store, at, policy, filtered=True) == unsent, at
        compared += len(fresh) + len(unsent)
        if fresh:
            await sweep(store, at, policy)
            await _some_are_delivered(engine, rng)
        if step % 12 == 11:
            await _a_day_passes(engine, rng, at)
    assert compared > 100  # the comparison saw real nudges, not only empty plans


async def test_a_days_preview_read_at_once_equals_the_preview_at_each_moment(
    engine: AsyncEngine,
) -> None:
    await populate(engine, 240)
    rng = random.Random(11)
    await _vary_people(engine, rng)
    store = SqlNudgeStore(engine)
    policy = NudgePolicy("Europe/London")
    listed = 0
    for day in range(4):
        midnight = datetime(2026, 3, 6 + day, 0, 0, tzinfo=UTC)  # London is on UTC in March
        moments = [midnight + timedelta(hours=2 * n) for n in range(12)]
        one_by_one = [await preview(store, at, policy) for at in moments]
        assert await preview_day(store, moments, policy) == one_by_one, midnight
        listed += sum(len(entries) for entries in one_by_one)
        for at in moments[4:6]:  # the morning's sweeps queue, some are delivered
            await sweep(store, at, policy)
        await _some_are_delivered(engine, rng)
        await _a_day_passes(engine, rng, moments[-1])
    assert listed > 100  # the comparison saw real reminders, not only empty days
