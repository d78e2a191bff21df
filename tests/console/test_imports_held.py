"""The Imports page's held upload over HTTP: the uploaded file stays on the server for the
session that uploaded it (another session, even the same admin's, cannot see or apply it);
*Apply* needs the session's CSRF token; a file over the size limit is refused with a message."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import urlencode

from aiohttp import ClientSession, FormData

from adapters.console.imports import UPLOAD_LIMIT_MB
from tests.console.conftest import ConsoleWorld, Page, csrf_of
from tests.imports.support import PEOPLE_HEADER

SKILLS = b"skill_id,name\nSK-NEW,Facilitation\n"
DANA = "dana@example.org,Dana Okafor,People,,,monthly,ld_admin,,,,Europe/London"


async def upload(
    world: ConsoleWorld, browser: ClientSession, content: bytes, kind: str = "skills"
) -> Page:
    page = await world.get(browser, "/console/imports")
    form = FormData()
    form.add_field("kind", kind)
    form.add_field("file", content, filename=f"{kind}.csv", content_type="text/csv")
    # an upload form carries its token in its address (its body is streamed)
    token = urlencode({"csrf_token": csrf_of(page.text)})
    return await world.post(browser, f"/console/imports?{token}", form)


async def settled(
    world: ConsoleWorld, browser: ClientSession, path: str, seen: list[Page] | None = None
) -> Page:
    """The upload's page once its run is over (it refreshes itself until then); the pages
    shown meanwhile are added to `seen`."""
    async with asyncio.timeout(120):
        while True:
            page = await world.get(browser, path)
            if "Refresh" not in page.headers:
                return page
            if seen is not None:
                seen.append(page)
            await asyncio.sleep(0.1)


async def test_signing_out_drops_the_sessions_held_upload(console: ConsoleWorld) -> None:
    mine = await console.signed_in()
    other = await console.signed_in()
    for browser in (mine, other):
        uploaded = await upload(console, browser, SKILLS)
        await settled(console, browser, uploaded.url.removeprefix(console.slack.url))
    assert await console.count("console_upload") == 2
    out = await console.post(
        mine,
        "/console/sign-out",
        {"csrf_token": csrf_of((await console.get(mine, "/console/imports")).text)},
    )
    assert out.status == 200
    assert await console.count("console_upload") == 1  # the other session's stays


async def test_an_upload_is_only_its_sessions_and_apply_needs_the_csrf_token(
    console: ConsoleWorld,
) -> None:
    mine = await console.signed_in()
    checked = await upload(console, mine, SKILLS)
    assert checked.status == 200
    path = checked.url.removeprefix(console.slack.url)
    assert path.startswith("/console/imports/")
    page = await settled(console, mine, path)
    assert "Applying it would change" in page.text and "Apply" in page.text
    skills = await console.count("skill")

    other = await console.signed_in()  # the same admin, another browser
    refused = await console.get(other, path)
    assert refused.status == 404 and "Upload not found" in refused.text
    token = csrf_of((await console.get(other, "/console/imports")).text)
    refused = await console.post(other, path + "/apply", {"csrf_token": token})
    assert refused.status == 404

    forged = await console.post(mine, path + "/apply", {"csrf_token": "forged"})
    assert forged.status == 403
    assert await console.count("skill") == skills
    assert await console.count("import_run") == 0

    applied = await console.post(mine, path + "/apply", {"csrf_token": csrf_of(page.text)})
    assert applied.status == 200
    done = await settled(console, mine, path)
    assert "Imported: skills.csv: 1 added" in done.text
    assert await console.count("skill") == skills + 1
    again = await console.post(mine, path + "/apply", {"csrf_token": csrf_of(page.text)})
    assert again.status == 200  # a second Apply changes nothing
    assert await console.count("import_run") == 1


async def test_a_file_over_the_limit_is_refused_with_a_message_and_nothing_is_held(
    console: ConsoleWorld,
) -> None:
    browser = await console.signed_in()
    line = b"SK-0000000,A skill with a long enough name to fill the file quickly\n"
    big = b"skill_id,name\n" + line * (UPLOAD_LIMIT_MB * 1024 * 1024 // len(line) + 1)
    refused = await upload(console, browser, big)
    assert refused.status == 413
    assert f"larger than the console takes ({UPLOAD_LIMIT_MB} MB)" in refused.text
    assert "nothing was uploaded" in refused.text
    assert await console.count("console_upload") == 0


async def test_an_upload_without_the_token_in_its_address_is_refused(
    console: ConsoleWorld,
) -> None:
    browser = await console.signed_in()
    form = FormData()
    form.add_field("kind", "skills")
    form.add_field("file", SKILLS, filename="skills.csv", content_type="text/csv")
    refused = await console.post(browser, "/console/imports", form)
    assert refused.status == 403
    assert await console.count("console_upload") == 0


async def test_a_directory_of_50000_people_is_checked_with_its_progress_shown(
    console: ConsoleWorld,
) -> None:
    browser = await console.signed_in()
    rows = [PEOPLE_HEADER, DANA] + [
        f"p{i}@example.org,Person {i},Sales,Team {i % 200},"
        f"{f'p{i % 500}@example.org' if i >= 500 else ''},monthly,,,,,Europe/London"
        for i in range(50_000)
    ]
    content = ("\n".join(rows) + "\n").encode()
    assert len(content) < UPLOAD_LIMIT_MB * 1024 * 1024
    people = await console.count("person")
    checked = await upload(console, browser, content, kind="people")
    path = checked.url.removeprefix(console.slack.url)
    seen = [checked] if "Refresh" in checked.headers else []
    done = await settled(console, browser, path, seen)
    assert '<th scope="row">Added</th><td class="num">50000</td>' in done.text
    assert "Applying it would change" in done.text
    for page in seen:  # however quick the check, what was shown while it ran
        assert "<progress" in page.text and "Checking the file" in page.text
    assert await console.count("person") == people


async def test_a_directory_leaving_out_the_admin_applying_it_is_refused_before_apply(
    console: ConsoleWorld,
) -> None:
    browser = await console.signed_in()
    people = await console.count("person")
    content = f"{PEOPLE_HEADER}\np1@example.org,Person 1,Sales,North,,monthly,,,,,\n".encode()
    checked = await upload(console, browser, content, kind="people")
    done = await settled(console, browser, checked.url.removeprefix(console.slack.url))
    assert "your own row is missing, so applying this file would deactivate you" in done.text
    assert "Applying it would change" not in done.text
    assert await console.count("person") == people


async def test_odd_input_to_the_imports_and_nudges_pages_never_gets_a_server_error(
    console: ConsoleWorld,
) -> None:
    browser = await console.signed_in()
    skills = await console.count("skill")
    csrf = csrf_of((await console.get(browser, "/console/nudges")).text)
    for value in ("%00", "a%00b", "99999999999", "-1", "%25", "x" * 300, "%27%20OR%201=1"):
        page = await console.get(browser, f"/console/imports/{value}")
        assert page.status < 500, (value, page.status)
        for path in (f"/console/imports/{value}/apply", f"/console/nudges/outbox/{value}/retry"):
            page = await console.post(browser, path, {"csrf_token": csrf})
            assert page.status < 500, (path, page.status)
    page = await console.get(browser, "/console/nudges?retried=%00")  # once: it plans a whole week
    assert page.status < 500
    for kind, name, content in (
        ("skills\x00", "skills.csv", SKILLS),
        ("nope", "skills.csv", SKILLS),
        ("skills", "../../etc/" + "é" * 300 + ".csv", SKILLS),
        ("skills", "skills.csv", b""),
        ("skills", "skills.csv", b"skill_id,name\nSK-1,Na\x00me\n"),
        ("skills", "skills.csv", b"\xff\xfe\x00"),
    ):
        page = await console.get(browser, "/console/imports")
        form = FormData()
        form.add_field("kind", kind)
        form.add_field("file", content, filename=name, content_type="text/csv")
        token = urlencode({"csrf_token": csrf_of(page.text)})
        sent = await console.post(browser, f"/console/imports?{token}", form)
        assert sent.status < 500, (kind, name, sent.status)
        if sent.status == 200:  # checked, never applied
            await settled(console, browser, sent.url.removeprefix(console.slack.url))
    assert await console.count("skill") == skills


async def test_an_upload_left_unapplied_is_dropped_after_8_hours(console: ConsoleWorld) -> None:
    browser = await console.signed_in()
    checked = await upload(console, browser, SKILLS)
    path = checked.url.removeprefix(console.slack.url)
    await settled(console, browser, path)
    assert await console.count("console_upload") == 1
    console.clock.set(console.clock.now() + timedelta(hours=7))
    await console.get(browser, "/console/imports")
    assert await console.count("console_upload") == 1
    console.clock.set(console.clock.now() + timedelta(hours=1, minutes=1))
    await console.get(browser, "/console/imports")  # the session, used, is still open
    assert await console.count("console_upload") == 0
    gone = await console.get(browser, path)
    assert gone.status == 404 and "Upload not found" in gone.text
