"""No console page or download holds what was said in a session: strings planted in key
points, actions, assignment reasons, goals and queued messages appear nowhere, on any page a
signed-in admin can reach by following links (and the Programme pages name no one)."""

from __future__ import annotations

import re
from html import unescape

from aiohttp import ClientSession

from tests.console.conftest import ConsoleWorld
from tests.reports.sample import AS_OF
from tests.storage.org import insert

PLANTED = ("NOTE-SECRET", "ACTION-SECRET", "REASON-SECRET", "GOAL-SECRET", "PAYLOAD-SECRET")
STARTS = [
    "/console/programme",
    f"/console/programme?as_of={AS_OF}",
    f"/console/programme?as_of={AS_OF}&period=365d",
    f"/console/programme?as_of={AS_OF}&department=Eng",
    f"/console/programme?as_of={AS_OF}&team=Field&period=30d",
    "/console/people?q=example.org",
    "/console/people?q=person",
]
HREF = re.compile(r'href="(/console/[^"#]*)"')


async def _crawl(console: ConsoleWorld, browser: ClientSession) -> dict[str, str]:
    """Every console page and download reachable from `STARTS` by links, by path."""
    seen: dict[str, str] = {}
    queue = list(STARTS)
    while queue:
        path = queue.pop()
        if path in seen or path.startswith("/console/static/"):
            continue
        page = await console.get(browser, path)
        assert page.status in (200, 404), (path, page.status)
        seen[path] = page.text
        queue += [unescape(link) for link in HREF.findall(page.text)]
    return seen


async def test_no_page_or_download_holds_a_note(org_console: ConsoleWorld) -> None:
    engine = org_console.slack.coachbot.engine
    person_a = 6  # after the five managers
    await insert(engine, "ilp_goal", employee_id=person_a, title="GOAL-SECRET", status="planned")
    await insert(
        engine,
        "outbox",
        dedupe_key="planted",
        kind="session_logged",
        recipient_id=person_a,
        about_id=person_a,
        payload={"key_points": ["PAYLOAD-SECRET"]},
    )
    browser = await org_console.signed_in()
    pages = await _crawl(org_console, browser)
    people = [path for path in pages if re.fullmatch(r"/console/people/\d+", path)]
    assert len(people) > 10  # the crawl reached every person of the sample organisation
    assert any(path.endswith("/export.json") for path in pages)
    assert any(path.endswith("/erase") for path in pages)
    assert any(path.startswith("/console/programme.csv") for path in pages)
    assert {"/console/imports", "/console/nudges"} <= set(pages)
    for path, text in pages.items():
        for secret in PLANTED:
            assert secret not in text, f"{secret} on {path}"
        if path.startswith("/console/programme"):
            assert "Person " not in text and "@example.org" not in text.replace(
                "dana@example.org", ""
            ), path
    export = pages[f"/console/people/{person_a}/export.json"]
    assert "(withheld" in export  # the planted rows are there, their text is not
