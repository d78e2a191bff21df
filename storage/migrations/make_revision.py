"""Developer tool: `python -m storage.migrations.make_revision "message"` autogenerates a
migration by comparing the tables with a database migrated to head."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from storage.db import alembic_config


def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{Path(folder) / 'rev.db'}")
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            command.revision(config, message=message, autogenerate=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "change")
