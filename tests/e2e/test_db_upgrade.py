"""`coachbot db upgrade` says which database it migrated and from which revision."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from storage.db import alembic_config
from tests.support.cli import run_cli

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()
FIRST = "7edbbc0d2571"


def test_it_names_the_database_it_created_then_finds_it_at_the_latest(tmp_path: Path) -> None:
    database = tmp_path / "coachbot.db"
    done = run_cli("db", "upgrade", cwd=tmp_path, DATABASE_URL="sqlite:///./coachbot.db")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"created the tables in {database} (revision {HEAD}, the latest)\n"
    done = run_cli("db", "upgrade", cwd=tmp_path, DATABASE_URL="sqlite:///./coachbot.db")
    assert done.stdout == f"{database} is already at the latest revision ({HEAD})\n"


def test_it_says_from_which_revision_it_upgraded(tmp_path: Path) -> None:
    database = tmp_path / "coachbot.db"
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, FIRST)
    engine.dispose()
    done = run_cli("db", "upgrade", cwd=tmp_path, DATABASE_URL=f"sqlite:///{database}")
    assert done.stdout == f"upgraded {database} from revision {FIRST} to {HEAD} (the latest)\n"
