"""Day one of a real organisation: people.csv imported at 03:00 UTC, with managers on both
sides of the date line (Los Angeles and Honolulu are still on the day before, Kiritimati and
Auckland already on the import's day), each coaching one report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from adapters.imports import import_file
from bot.clock import FixedClock
from storage.db import create_engine
from tests.imports.support import people_csv

IMPORTED_AT = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
NOW = IMPORTED_AT + timedelta(minutes=5)  # the managers open the bot right after the import


@dataclass(frozen=True)
class Manager:
    key: str
    name: str
    timezone: str
    local_date: date  # at NOW
    report_key: str
    report_name: str

    @property
    def email(self) -> str:
        return f"{self.key}@example.org"

    @property
    def report_email(self) -> str:
        return f"{self.report_key}@example.org"

    @property
    def slack_id(self) -> str:
        return f"U0{self.key.upper()}"

    @property
    def teams_id(self) -> str:
        return f"29:{self.key}"


MANAGERS = (
    Manager("lena", "Lena Brooks", "America/Los_Angeles", date(2026, 12, 2), "leo", "Leo Park"),
    Manager("hana", "Hana Kahale", "Pacific/Honolulu", date(2026, 12, 2), "hoku", "Hoku Lee"),
    Manager("kiri", "Kiri Tebano", "Pacific/Kiritimati", date(2026, 12, 3), "kai", "Kai Teuea"),
    Manager("aroha", "Aroha Ngata", "Pacific/Auckland", date(2026, 12, 3), "ari", "Ari Wiremu"),
)


def people_rows() -> list[str]:
    rows = []
    for m in MANAGERS:
        ids = f"{m.slack_id},{m.teams_id},{m.timezone}"
        rows.append(f"{m.email},{m.name},Sales,,,monthly,,,{ids}")
        report_ids = f"U0{m.report_key.upper()},29:{m.report_key},{m.timezone}"
        rows.append(f"{m.report_email},{m.report_name},Sales,,{m.email},monthly,,,{report_ids}")
    return rows


async def import_day_one(database_url: str, folder: Path) -> None:
    """The organisation's first imports (people, skills), at `IMPORTED_AT`."""
    files = {
        "people": people_csv(*people_rows()),
        "skills": "skill_id,name\nSK-NEGO,Negotiation\n",
    }
    engine = create_engine(database_url)
    try:
        for kind, content in files.items():
            path = folder / f"{kind}.csv"
            path.write_text(content, encoding="utf-8")
            result = await import_file(
                engine, kind, path, clock=FixedClock(IMPORTED_AT), timezone="UTC"
            )
            assert result.ok, result.problems
    finally:
        await engine.dispose()
