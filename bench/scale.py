"""coachbot at 10,000, 50,000 and 100,000 people (about 20 sessions each over two years, the
shape of bench/report.py's organisation), on SQLite and PostgreSQL. For each size it prints:
the programme report over 90 and 365 days against its raw aggregate (bench/report.py); the nudge
sweep's steady state and the window's first sweep against its one query (bench/sweep.py); the
people import against a raw executemany (bench/import_people.py); course search over a 20,000
course catalogue in the organisation's database (bench/course_search.py); and the resident
memory of `coachbot serve` after a burst of 200 /coaching forms. Then each cost's growth
factor from the smallest size to the largest, against the growth in people.
Targets at every size: report <= 3x, sweep <= 3x, import <= 3x; the first sweep at 100,000
people under 30 s; RSS under 400 MB; no cost growing faster than the people.
Exits non-zero when a target is missed.
Run: `.venv/bin/python bench/scale.py [--sizes 10000,50000,100000] [--only sqlite|postgresql]`
(the default sizes are 2,000 and 10,000, a few minutes; the full run takes about an hour)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import course_search  # noqa: E402
import import_people  # noqa: E402
import report  # noqa: E402
import sweep  # noqa: E402
import workers  # noqa: E402
from slack_ack import _child  # noqa: E402
from sqlalchemy import update  # noqa: E402

from storage.db import create_engine  # noqa: E402
from storage.tables import metadata  # noqa: E402
from tests.support.databases import PostgresFactory, SqliteFactory  # noqa: E402
from tests.support.pgcluster import throwaway_cluster  # noqa: E402

RATIO_TARGET = 3.0
FIRST_SWEEP_TARGET_S = 30.0
FIRST_SWEEP_TARGET_AT = 100_000
RSS_TARGET_MB = 400.0
SESSIONS_PER_PERSON = 20
ASSIGNMENTS_PER_PERSON = 7.5  # bench/report.py's 150,000 for 20,000 people
SWEEP_AT = datetime(2026, 7, 6, 9, 30, tzinfo=ZoneInfo("Europe/London"))  # Monday after AS_OF
SWEEP_TODAY = date(2026, 7, 6)
COURSES = 20_000
FORMS = 200
SAMPLE_IDS = {1: "U0MGR0001", 2: "U0EMP0001", 3: "U0MGR0002", 4: "U0MGR0003"}
"""People of the generated organisation given the Slack ids the form burst signs as (the
emulator's sample users): person 1 manages persons 2 to 9."""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def org_figures(url: str, people: int, emulator_api: str, repeat: int) -> dict[str, float]:
    """Load the organisation, then the report, sweep and search figures on it."""
    rows = report.organisation(
        people, people * SESSIONS_PER_PERSON, int(people * ASSIGNMENTS_PER_PERSON)
    )
    engine = create_engine(url)
    out: dict[str, float] = {}
    try:
        started = time.perf_counter()
        await report.load(engine, rows)
        out["load_s"] = time.perf_counter() - started
        del rows
        for days in (90, 365):
            reports, baselines = await report.timed(engine, repeat, days)
            out[f"report{days}_s"], out[f"raw{days}_s"] = min(reports), min(baselines)
        person = metadata.tables["person"]
        async with engine.begin() as db:
            for person_id, slack_id in SAMPLE_IDS.items():
                await db.execute(
                    update(person).where(person.c.id == person_id).values(slack_user_id=slack_id)
                )
        swept = await sweep.figures(engine, repeat, SWEEP_AT, SWEEP_TODAY)
        out["sweep_s"], out["sweep_query_s"] = swept["sweep_s"], swept["query_s"]
        out["first_sweep_s"], out["queued"] = swept["first_s"], swept["queued"]
    finally:
        await engine.dispose()
    ranked, like, _ = await course_search.run(url, COURSES, course_search.queries(100), 2)
    out["search_p99_ms"], out["like_p99_ms"] = ranked, like
    server, bot, _ = workers.start_serving(1, url, emulator_api)
    try:
        await workers.burst(bot, emulator_api.removesuffix("/api/"), False, FORMS, 50)
        out["rss_mb"] = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(30)
    return out


def import_figures(fresh: Callable[[], str], people: int, folder: Path) -> dict[str, float]:
    rows = import_people.organisation(people)
    path = folder / f"people-{people}.csv"
    import_people.write_csv(rows, path)
    raw = asyncio.run(import_people.raw_insert(fresh(), rows))
    real = asyncio.run(import_people.real_import(fresh(), path, people))
    return {"import_s": real, "raw_import_s": raw}


def measure(
    label: str, fresh: Callable[[], str], sizes: list[int], emulator_api: str, repeat: int
) -> dict[int, dict[str, float]]:
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for people in sizes:
            started = time.perf_counter()
            figures = asyncio.run(org_figures(fresh(), people, emulator_api, repeat))
            figures |= import_figures(fresh, people, Path(folder))
            results[people] = figures
            show(label, people, figures, time.perf_counter() - started)
    return results


def show(label: str, people: int, f: dict[str, float], took: float) -> None:
    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"

    print(f"{label} {people:,} people (loaded in {f['load_s']:.0f} s, measured in {took:.0f} s)")
    for days in (90, 365):
        ratio = f[f"report{days}_s"] / f[f"raw{days}_s"]
        print(
            f"  report {days:>3}d      {ms(f[f'report{days}_s']):>9} vs raw aggregate "
            f"{ms(f[f'raw{days}_s']):>9} = {ratio:5.2f}x {_verdict(ratio <= RATIO_TARGET)}"
        )
    ratio = f["sweep_s"] / f["sweep_query_s"]
    print(
        f"  sweep (steady)   {ms(f['sweep_s']):>9} vs its one query {ms(f['sweep_query_s']):>9}"
        f" = {ratio:5.2f}x {_verdict(ratio <= RATIO_TARGET)}"
    )
    first_ok = people < FIRST_SWEEP_TARGET_AT or f["first_sweep_s"] < FIRST_SWEEP_TARGET_S
    print(
        f"  first sweep      {ms(f['first_sweep_s']):>9} queueing {f['queued']:.0f} rows "
        f"= {f['first_sweep_s'] / f['sweep_query_s']:.2f}x its query {_verdict(first_ok)}"
    )
    ratio = f["import_s"] / f["raw_import_s"]
    print(
        f"  people import    {ms(f['import_s']):>9} vs raw executemany "
        f"{ms(f['raw_import_s']):>9} = {ratio:5.2f}x {_verdict(ratio <= RATIO_TARGET)}"
    )
    search_ok = f["search_p99_ms"] < course_search.P99_TARGET_MS
    print(
        f"  course search    p99 {f['search_p99_ms']:.2f} ms (LIKE p99 "
        f"{f['like_p99_ms']:.2f} ms) {_verdict(search_ok)}"
    )
    print(
        f"  serve RSS        {f['rss_mb']:.0f} MB after {FORMS} forms "
        f"{_verdict(f['rss_mb'] < RSS_TARGET_MB)}"
    )


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


COSTS = {
    "report 90d": "report90_s",
    "report 365d": "report365_s",
    "sweep (steady)": "sweep_s",
    "first sweep": "first_sweep_s",
    "people import": "import_s",
    "course search p99": "search_p99_ms",
    "serve RSS": "rss_mb",
}


def growth(label: str, results: dict[int, dict[str, float]]) -> bool:
    """Each cost's growth from the smallest size to the largest; ok while no faster than the
    people (a fixed part, such as the interpreter's memory, makes it slower)."""
    small, large = min(results), max(results)
    if small == large:
        return True
    people = large / small
    print(f"{label} growth {small:,} -> {large:,} people ({people:.0f}x the people)")
    ok = True
    for name, key in COSTS.items():
        factor = results[large][key] / results[small][key]
        ok &= factor <= people
        print(f"  {name:<18} {factor:6.2f}x {_verdict(factor <= people)}")
    return ok


def targets_met(results: dict[int, dict[str, float]]) -> bool:
    ok = True
    for people, f in results.items():
        ok &= f["report90_s"] / f["raw90_s"] <= RATIO_TARGET
        ok &= f["report365_s"] / f["raw365_s"] <= RATIO_TARGET
        ok &= f["sweep_s"] / f["sweep_query_s"] <= RATIO_TARGET
        ok &= f["import_s"] / f["raw_import_s"] <= RATIO_TARGET
        ok &= people < FIRST_SWEEP_TARGET_AT or f["first_sweep_s"] < FIRST_SWEEP_TARGET_S
        ok &= f["search_p99_ms"] < course_search.P99_TARGET_MS
        ok &= f["rss_mb"] < RSS_TARGET_MB
    return ok


SIZED_FOR_100K = {"shared_buffers": "2GB", "effective_cache_size": "8GB"}
"""PostgreSQL's memory as an operator would size it for the largest organisation here (its
defaults, 128 MB of buffers, are for a laptop): the 100,000 people's session table alone is
over a gigabyte."""


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="2000,10000", help="people, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    ok = True
    emulator, urls = _child("--serve-emulator", "--trigger-lifetime", "600")
    try:
        every: dict[str, dict[int, dict[str, float]]] = {}
        if args.only != "postgresql":
            with tempfile.TemporaryDirectory() as folder:
                fresh = SqliteFactory(Path(folder)).fresh
                every["SQLite"] = measure("SQLite", fresh, sizes, urls["emulator"], args.repeat)
        if args.only != "sqlite":
            with throwaway_cluster(SIZED_FOR_100K) as admin_url:
                fresh = PostgresFactory(admin_url).fresh
                every["PostgreSQL"] = measure(
                    "PostgreSQL", fresh, sizes, urls["emulator"], args.repeat
                )
        for label, results in every.items():
            ok &= targets_met(results)
            ok &= growth(label, results)
    finally:
        emulator.terminate()
        emulator.wait()
    print("all targets met" if ok else "some targets MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
