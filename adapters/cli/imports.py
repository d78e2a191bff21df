"""`coachbot import KIND FILE.csv [--dry-run]`: load people, skills, courses, skill levels or
sessions from CSV, all or nothing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from adapters.config import Settings
from adapters.imports import KINDS, ImportFileError, import_file
from bot.clock import SystemClock
from storage.db import create_engine, upgrade


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "import",
        help="import a CSV file (all or nothing)",
        description="Import a CSV file (UTF-8 with a header row, ISO dates). Every problem is "
        "reported as FILE:LINE: column: problem, and nothing is written unless the whole file "
        "is valid. A people file is the whole directory: people missing from it are "
        "deactivated.",
    )
    parser.add_argument("kind", choices=list(KINDS), help="what the file holds")
    parser.add_argument("file", help="the CSV file (UTF-8, header row)")
    parser.add_argument(
        "--dry-run", action="store_true", help="check the file and say what would change"
    )
    parser.set_defaults(handler=run)


async def run(settings: Settings, args: argparse.Namespace) -> int:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)  # as `serve` does: an import into a new database just works
        result = await import_file(
            engine,
            args.kind,
            Path(args.file),
            clock=SystemClock(),
            timezone=settings.timezone,
            dry_run=args.dry_run,
            file_name=args.file,
        )
    except ImportFileError as exc:
        print(f"coachbot: {exc}", file=sys.stderr)
        return 1
    except (SQLAlchemyError, OSError) as exc:
        reason = getattr(exc, "orig", None) or exc
        print(f"coachbot: database error, nothing imported: {reason}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    for line in result.problems:
        print(line, file=sys.stderr)
    print(result.summary(), file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1
