"""The Imports page: upload one of the CSV files `coachbot import` takes; the console checks it
first (the same all-or-nothing import, as a dry run) and shows what would change or every
`FILE:LINE: column: problem`; *Apply* runs the import itself, by the same code. The file is held
server-side between the two, for the session that uploaded it only; each run goes on in the
background while a status page (refreshing itself, no script needed) shows its progress.
Below the form, the history of applied imports: who, when, what changed."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from adapters.application import Application
from adapters.console.web import (
    UPLOAD_LIMIT_MB,
    admin,
    application,
    plain_page,
    render,
    see_other,
    signed_in,
)
from adapters.imports import KINDS, ImportFileError, ImportResult, import_file
from bot.services.console import hashed
from storage import importer
from storage.console_uploads import (
    APPLIED,
    APPLYING,
    CHECKED,
    CHECKING,
    HeldUpload,
    SqlConsoleUploads,
)
from storage.importer import ImportCounts

REFRESH_SECONDS = 1
HISTORY_LENGTH = 50
KIND_LABELS = {
    "people": "People (the whole directory: managers, roles, chat identities)",
    "skills": "Skills",
    "courses": "Courses",
    "skill-levels": "Skill levels",
    "sessions": "Past coaching sessions",
}
NOT_FOUND = (
    "There is no such upload for this session: uploads belong to the session that made them "
    "and are dropped after 8 hours. Upload the file again."
)
DATABASE_ERROR = "The database could not be reached, so nothing was imported. Try again shortly."
STOPPED = (
    "The import stopped before it finished (the server was stopping?), so nothing was imported."
)
RUNS_KEY = web.AppKey("console_import_runs", dict)


@dataclass
class Run:
    """An import going on in this process: how far it has got."""

    phase: str = "reading the file"
    done: int = 0
    total: int = 0

    def watch(self, phase: str, done: int, total: int) -> None:
        self.phase, self.done, self.total = phase, done, total


def register(console: web.Application) -> None:
    console[RUNS_KEY] = {}
    console.router.add_get("/imports", imports_page, name="imports")
    console.router.add_post("/imports", upload, name="imports_upload")
    console.router.add_get("/imports/{upload}", upload_page, name="imports_upload_page")
    console.router.add_post("/imports/{upload}/apply", apply, name="imports_apply")


def _uploads(request: web.Request) -> SqlConsoleUploads:
    return SqlConsoleUploads(application(request).engine)


def _owner(request: web.Request) -> str:
    """Uploads belong to the session (its CSRF secret names it), not only to the person."""
    return hashed(signed_in(request).csrf_token)


async def imports_page(
    request: web.Request, problem: str | None = None, status: int = 200
) -> web.StreamResponse:
    async with application(request).engine.connect() as connection:
        history = await importer.recent_runs(connection, HISTORY_LENGTH)
    context = {
        "kinds": KIND_LABELS,
        "history": history,
        "problem": problem,
        "limit_mb": UPLOAD_LIMIT_MB,
        "changes": changes_text,
    }
    return render(request, "imports.html", context, status=status)


async def upload(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    kind = str(form.get("kind", ""))
    file = form.get("file")
    if kind not in KINDS:
        return await imports_page(request, "Choose what the file holds.", 400)
    if not isinstance(file, web.FileField) or not file.filename:
        return await imports_page(request, "Choose a CSV file to upload.", 400)
    content = file.file.read()
    if not content:
        return await imports_page(request, f"{file.filename} is empty.", 400)
    app = application(request)
    upload_id = await _uploads(request).hold(
        _owner(request), kind, Path(file.filename).name, content, app.clock.now()
    )
    held = await _uploads(request).get(upload_id, _owner(request))
    assert held is not None
    _start(request, held, dry_run=True, who=admin(request).name)
    return see_other(f"/console/imports/{upload_id}")


async def apply(request: web.Request) -> web.StreamResponse:
    upload_id = request.match_info["upload"]
    uploads = _uploads(request)
    held = await uploads.get(upload_id, _owner(request))
    if held is None:
        return plain_page(request, "Upload not found", NOT_FOUND, status=404)
    if await uploads.move(upload_id, _owner(request), CHECKED, APPLYING):
        _start(request, held, dry_run=False, who=admin(request).name)
    return see_other(f"/console/imports/{upload_id}")


async def upload_page(request: web.Request) -> web.StreamResponse:
    upload_id = request.match_info["upload"]
    held = await _uploads(request).get(upload_id, _owner(request))
    if held is None:
        return plain_page(request, "Upload not found", NOT_FOUND, status=404)
    run: Run | None = request.config_dict[RUNS_KEY].get(upload_id)
    running = held.state in (CHECKING, APPLYING)
    context = {
        "upload": held,
        "label": KIND_LABELS[held.kind],
        "running": running,
        "run": run,
        "result": held.result or {},
        "applied": held.state == APPLIED,
        "can_apply": held.state == CHECKED and bool(held.result and held.result["ok"]),
    }
    response = render(request, "import_upload.html", context)
    if running:  # the page follows the run without any script
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


def changes_text(counts: ImportCounts) -> str:
    """What an import changed, leaving out what it did not: "1 added, 2 updated; courses
    assigned: 3"."""
    parts = [
        f"{n} {name}"
        for name, n in (
            ("added", counts.added),
            ("updated", counts.updated),
            ("deactivated", counts.deactivated),
        )
        if n
    ]
    parts += [f"{name}: {n}" for name, n in counts.details.items() if n]
    return ", ".join(parts) or "no change"


def _start(request: web.Request, held: HeldUpload, *, dry_run: bool, who: str) -> None:
    runs: dict[str, Run] = request.config_dict[RUNS_KEY]
    run = runs[held.id] = Run()
    task = asyncio.create_task(_run(application(request), held, dry_run, who, run))
    task.add_done_callback(lambda _: runs.pop(held.id, None))


async def _run(app: Application, held: HeldUpload, dry_run: bool, who: str, run: Run) -> None:
    """The import as `coachbot import` runs it, from a copy of the held file."""
    uploads = SqlConsoleUploads(app.engine)
    try:
        outcome = await _import(app, held, dry_run, who, run)
    except BaseException:
        # whatever stopped the run, the page must not wait for it forever
        failed = {"ok": False, "problems": [], "summary": STOPPED}
        await asyncio.shield(uploads.finish(held.id, CHECKED, failed))
        raise
    state = APPLIED if outcome["ok"] and not dry_run else CHECKED
    await uploads.finish(held.id, state, outcome)


async def _import(
    app: Application, held: HeldUpload, dry_run: bool, who: str, run: Run
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.csv"
        path.write_bytes(held.content)
        try:
            result = await import_file(
                app.engine,
                held.kind,
                path,
                clock=app.clock,
                timezone=app.timezone,
                dry_run=dry_run,
                file_name=held.file_name,
                show_progress=False,
                imported_by=who,
                watcher=run.watch,
            )
            outcome = _outcome(result)
        except ImportFileError as exc:
            outcome = {"ok": False, "problems": [str(exc)], "summary": str(exc)}
        except (SQLAlchemyError, OSError):
            outcome = {"ok": False, "problems": [], "summary": DATABASE_ERROR}
    return outcome


def _outcome(result: ImportResult) -> dict[str, Any]:
    c = result.counts
    return {
        "ok": result.ok,
        "dry_run": result.dry_run,
        "problems": result.problems,
        "summary": result.summary(),
        "counts": {
            "added": c.added,
            "updated": c.updated,
            "unchanged": c.unchanged,
            "deactivated": c.deactivated,
        },
        "details": c.details,
    }
