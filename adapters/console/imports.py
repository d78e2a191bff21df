"""The Imports page: upload one of the CSV files `coachbot import` takes; the console checks it
first (the same all-or-nothing import, as a dry run) and shows what would change or every
`FILE:LINE: column: problem`; *Apply* runs the import itself, by the same code. The file is held
server-side between the two, for the session that uploaded it only; each run goes on in the
background while its page (refreshing itself, no script needed) shows the progress. Below the
form, the history of applied imports: who, when, what changed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import PurePath

from aiohttp import BodyPartReader, web

from adapters.console.web import admin, application, plain_page, render, see_other, signed_in
from adapters.imports import KINDS, ImportedBy, held
from adapters.imports.held import HeldUpload
from bot.services.console import hashed

CONSOLE = "L&D console"
"""What the history says applied an import when the admin who did has since been erased."""

UPLOAD_LIMIT_MB = 20
"""Enough for a people file of 50,000 rows; larger files are for `coachbot import`."""
UPLOAD_LIMIT = UPLOAD_LIMIT_MB * 1024 * 1024
CHUNK = 64 * 1024
REFRESH_SECONDS = 1
HISTORY_LENGTH = 50
KIND_LABELS = {
    "people": "People (the whole directory: managers, roles, chat identities)",
    "skills": "Skills",
    "courses": "Courses",
    "skill-levels": "Skill levels",
    "sessions": "Past coaching sessions",
}
TOO_LARGE = (
    f"The file is larger than the console takes ({UPLOAD_LIMIT_MB} MB), so nothing was "
    "uploaded. Split it into smaller files, or import it with `coachbot import` on the server."
)
NOT_FOUND = (
    "There is no such upload for this session: uploads belong to the session that made them "
    "and are dropped after 8 hours. Upload the file again."
)
UPLOAD_PATH = r"/imports/{upload:[A-Za-z0-9_-]{1,64}}"
"""An upload's page: its id is a random URL-safe token."""
RUNS_KEY = web.AppKey("console_import_runs", dict)


@dataclass
class Run:
    """An import going on in this process: how far it has got."""

    phase: str = "reading the file"
    done: int = 0
    total: int = 0
    task: asyncio.Task[None] | None = None  # held here: the loop keeps only a weak reference

    def watch(self, phase: str, done: int, total: int) -> None:
        self.phase, self.done, self.total = phase, done, total


def register(console: web.Application) -> None:
    console[RUNS_KEY] = {}
    console.router.add_get("/imports", imports_page, name="imports")
    console.router.add_post("/imports", upload, name="imports_upload")
    console.router.add_get(UPLOAD_PATH, upload_page, name="imports_upload_page")
    console.router.add_post(UPLOAD_PATH + "/apply", apply, name="imports_apply")


def _owner(request: web.Request) -> str:
    """Uploads belong to the session (its CSRF secret names it), not only to the person."""
    return hashed(signed_in(request).csrf_token)


async def forget_uploads(request: web.Request) -> None:
    """Drop the session's held uploads (it is signing out; a file may hold a whole directory)."""
    await held.uploads(application(request).engine).drop_owned(_owner(request))


async def imports_page(
    request: web.Request, problem: str | None = None, status: int = 200
) -> web.StreamResponse:
    app = application(request)
    await held.uploads(app.engine).drop_stale(app.clock.now())
    context = {
        "kinds": KIND_LABELS,
        "history": await held.history(app.engine, HISTORY_LENGTH),
        "changes": held.changes_text,
        "problem": problem,
        "limit_mb": UPLOAD_LIMIT_MB,
    }
    return render(request, "imports.html", context, status=status)


@dataclass
class Uploaded:
    kind: str = ""
    file_name: str = ""
    content: bytes = b""
    too_large: bool = False


async def _read_form(request: web.Request) -> Uploaded:
    """The form's `kind` and `file`, the file read in chunks and no further than the limit."""
    form = Uploaded()
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "kind":
            form.kind = (await part.read_chunk(100)).decode("utf-8", "replace")
        elif part.name == "file" and not form.file_name:
            # the name is shown and stored: printable characters only (never a NUL)
            name = PurePath(part.filename or "").name
            form.file_name = "".join(c for c in name if c.isprintable())[:200] or (
                "upload.csv" if part.filename else ""
            )
            content = bytearray()
            while chunk := await part.read_chunk(CHUNK):
                content += chunk
                if len(content) > UPLOAD_LIMIT:
                    form.too_large = True
                    return form
            form.content = bytes(content)
    return form


async def upload(request: web.Request) -> web.StreamResponse:
    form = await _read_form(request)
    if form.too_large:
        return plain_page(request, "File too large", TOO_LARGE, status=413)
    if form.kind not in KINDS:
        return await imports_page(request, "Choose what the file holds.", 400)
    if not form.file_name:
        return await imports_page(request, "Choose a CSV file to upload.", 400)
    if not form.content:
        return await imports_page(request, f"{form.file_name} is empty.", 400)
    app = application(request)
    uploads = held.uploads(app.engine)
    upload_id = await uploads.hold(
        _owner(request), form.kind, form.file_name, form.content, app.clock.now()
    )
    kept = await uploads.get(upload_id, _owner(request))
    assert kept is not None
    _start(request, kept, dry_run=True)
    return see_other(f"/console/imports/{upload_id}")


async def apply(request: web.Request) -> web.StreamResponse:
    upload_id = request.match_info["upload"]
    uploads = held.uploads(application(request).engine)
    kept = await uploads.get(upload_id, _owner(request))
    if kept is None:
        return plain_page(request, "Upload not found", NOT_FOUND, status=404)
    if await uploads.move(upload_id, _owner(request), held.CHECKED, held.APPLYING):
        _start(request, kept, dry_run=False)
    return see_other(f"/console/imports/{upload_id}")


async def upload_page(request: web.Request) -> web.StreamResponse:
    upload_id = request.match_info["upload"]
    kept = await held.uploads(application(request).engine).get(upload_id, _owner(request))
    if kept is None:
        return plain_page(request, "Upload not found", NOT_FOUND, status=404)
    running = kept.state in (held.CHECKING, held.APPLYING)
    result = kept.result or {}
    context = {
        "upload": kept,
        "label": KIND_LABELS[kept.kind],
        "running": running,
        "run": request.config_dict[RUNS_KEY].get(upload_id),
        "result": result,
        "applied": kept.state == held.APPLIED,
        "can_apply": kept.state == held.CHECKED and bool(result.get("ok")),
    }
    response = render(request, "import_upload.html", context)
    if running:  # the page follows the run without any script
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


def _start(request: web.Request, kept: HeldUpload, *, dry_run: bool) -> None:
    """Run the import in the background, in a worker thread (see `run_held_apart`); its page
    follows it."""
    app = application(request)
    runs: dict[str, Run] = request.config_dict[RUNS_KEY]
    run = runs[kept.id] = Run()
    run.task = asyncio.create_task(
        asyncio.to_thread(
            held.run_held_apart,
            app.settings.database_url,
            kept,
            held.HeldRun(
                dry_run, app.clock, app.timezone, ImportedBy(CONSOLE, admin(request).id), run.watch
            ),
        )
    )
    run.task.add_done_callback(lambda _: runs.pop(kept.id, None))
