"""The People page: search, a person's facts, leave added and removed (as `coachbot leave`
does, CSRF token required), the export download and erasure behind typing the e-mail."""

from __future__ import annotations

import json

from aiohttp import ClientSession, FormData
from sqlalchemy import select

from adapters.privacy_text import export_json
from bot.ports import WITHHELD
from storage.tables import metadata
from tests.console.conftest import DANA, ConsoleWorld, csrf_of

LEAVE = metadata.tables["leave"]
PERSON = metadata.tables["person"]


async def _leave_rows(console: ConsoleWorld) -> list[tuple[int, str, str]]:
    async with console.slack.coachbot.engine.connect() as db:
        rows = await db.execute(
            select(LEAVE.c.person_id, LEAVE.c.starts_on, LEAVE.c.ends_on).order_by(LEAVE.c.id)
        )
        return [(r.person_id, r.starts_on.isoformat(), r.ends_on.isoformat()) for r in rows]


async def _csrf(console: ConsoleWorld, browser: ClientSession, person_id: int) -> str:
    return csrf_of((await console.get(browser, f"/console/people/{person_id}")).text)


async def test_search_by_name_or_e_mail(console: ConsoleWorld) -> None:
    browser = await console.signed_in(DANA)
    page = await console.get(browser, "/console/people?q=maya")
    assert page.status == 200 and "Maya Patel" in page.text and "Ed Jones" not in page.text
    page = await console.get(browser, "/console/people?q=ed%40example")
    assert "Ed Jones" in page.text and "Maya Patel" not in page.text
    page = await console.get(browser, "/console/people?q=example.org")
    for name in ("Maya Patel", "Ed Jones", "Zoe Adams", "Olu Bello", "Kim Lee", "Dana Okafor"):
        assert name in page.text
    page = await console.get(browser, "/console/people?q=%25")  # a wildcard is a character
    assert "No one found" in page.text
    assert '<label for="q">' in page.text


async def test_a_persons_page_shows_manager_reports_and_identities(console: ConsoleWorld) -> None:
    browser = await console.signed_in(DANA)
    maya = await console.get(browser, f"/console/people/{console.people.maya}")
    assert maya.status == 200
    assert f'<a href="/console/people/{console.people.ed}">Ed Jones</a>' in maya.text
    assert f'<a href="/console/people/{console.people.zoe}">Zoe Adams</a>' in maya.text
    ed = await console.get(browser, f"/console/people/{console.people.ed}")
    assert f'<a href="/console/people/{console.people.maya}">Maya Patel</a>' in ed.text
    assert "monthly" in ed.text
    dana = await console.get(browser, f"/console/people/{console.dana}")
    assert "U0DANA" in dana.text  # learned when she asked for her link
    missing = await console.get(browser, "/console/people/999999")
    assert missing.status == 404


async def test_leave_is_added_and_removed(console: ConsoleWorld) -> None:
    browser = await console.signed_in(DANA)
    ed = console.people.ed
    added = await console.post(
        browser,
        f"/console/people/{ed}/leave",
        {
            "csrf_token": await _csrf(console, browser, ed),
            "first_day": "2030-08-01",
            "last_day": "2030-08-14",
        },
    )
    assert added.status == 200 and "Leave recorded." in added.text
    assert "2030-08-01" in added.text and "2030-08-14" in added.text
    assert await _leave_rows(console) == [(ed, "2030-08-01", "2030-08-14")]
    removed = await console.post(
        browser,
        f"/console/people/{ed}/leave/remove",
        {"csrf_token": csrf_of(added.text), "first_day": "2030-08-01"},
    )
    assert removed.status == 200 and "Leave removed." in removed.text
    assert await _leave_rows(console) == []


async def test_bad_leave_is_refused_with_the_reason_and_nothing_stored(
    console: ConsoleWorld,
) -> None:
    browser = await console.signed_in(DANA)
    ed = console.people.ed
    csrf = await _csrf(console, browser, ed)
    for form, said in [
        ({"first_day": "01/08/2030", "last_day": "2030-08-14"}, "is not a date (YYYY-MM-DD)"),
        ({"first_day": "2030-08-14", "last_day": "2030-08-01"}, "before it starts"),
    ]:
        page = await console.post(
            browser, f"/console/people/{ed}/leave", {"csrf_token": csrf, **form}
        )
        assert page.status == 400 and said in page.text
    page = await console.post(
        browser,
        f"/console/people/{ed}/leave/remove",
        {"csrf_token": csrf, "first_day": "2030-08-01"},
    )
    assert page.status == 400 and "has no leave starting 2030-08-01" in page.text
    assert await _leave_rows(console) == []


async def test_a_post_without_the_right_csrf_token_changes_nothing(console: ConsoleWorld) -> None:
    browser = await console.signed_in(DANA)
    ed = console.people.ed
    other = await console.signed_in(DANA)  # another session's token is not this one's
    for token in (
        {},
        {"csrf_token": ""},
        {"csrf_token": "x" * 64},
        {"csrf_token": await _csrf(console, other, ed)},
    ):
        leave = {"first_day": "2030-08-01", "last_day": "2030-08-14", **token}
        page = await console.post(browser, f"/console/people/{ed}/leave", leave)
        assert page.status == 403 and "nothing was changed" in page.text
        page = await console.post(
            browser, f"/console/people/{ed}/erase", {"email": "ed@example.org", **token}
        )
        assert page.status == 403
    assert await _leave_rows(console) == []
    assert (await console.get(browser, f"/console/people/{ed}")).status == 200
    nobody = console.browser()
    page = await console.post(
        nobody,
        f"/console/people/{ed}/leave",
        {"first_day": "2030-08-01", "last_day": "2030-08-14", "csrf_token": "x"},
    )
    assert page.status == 403 and await _leave_rows(console) == []


async def test_the_export_is_coachbot_person_export_with_notes_withheld(
    console: ConsoleWorld,
) -> None:
    browser = await console.signed_in(DANA)
    page = await console.get(browser, f"/console/people/{console.people.ed}/export.json")
    assert page.status == 200
    assert "attachment" in page.headers["Content-Disposition"]
    record = json.loads(page.text)
    assert record["person"]["email"] == "ed@example.org"
    application = console.slack.coachbot.application
    expected = await application.export_person("ed@example.org", withhold_notes=True)
    assert page.text == export_json(expected) + "\n"
    full = await application.export_person("ed@example.org")
    assert set(record) == set(full)  # every table the CLI's export has
    assert WITHHELD.startswith("(withheld")


async def test_erase_needs_the_e_mail_typed(console: ConsoleWorld) -> None:
    browser = await console.signed_in(DANA)
    ed = console.people.ed
    confirm = await console.get(browser, f"/console/people/{ed}/erase")
    assert confirm.status == 200 and "cannot be undone" in confirm.text
    assert '<label for="email">' in confirm.text
    csrf = csrf_of(confirm.text)
    for typed in ("", "zoe@example.org", "ed@example"):
        refused = await console.post(
            browser, f"/console/people/{ed}/erase", {"csrf_token": csrf, "email": typed}
        )
        assert refused.status == 400 and "nothing was erased" in refused.text
        async with console.slack.coachbot.engine.connect() as db:
            assert (await db.execute(select(PERSON.c.id).where(PERSON.c.id == ed))).first()
    erased = await console.post(
        browser, f"/console/people/{ed}/erase", {"csrf_token": csrf, "email": " ED@example.org "}
    )
    assert erased.status == 200 and "erased ed@example.org" in erased.text
    async with console.slack.coachbot.engine.connect() as db:
        assert (await db.execute(select(PERSON.c.id).where(PERSON.c.id == ed))).first() is None
    assert (await console.get(browser, f"/console/people/{ed}")).status == 404


async def test_an_upload_form_carries_its_csrf_token_in_its_address(
    console: ConsoleWorld,
) -> None:
    """A multipart POST is checked by the token in its URL (its body is the page's to stream):
    a token in the body alone is not enough."""
    browser = await console.signed_in(DANA)
    ed = console.people.ed
    csrf = await _csrf(console, browser, ed)

    def multipart() -> FormData:
        form = FormData()
        form.add_field("csrf_token", csrf)
        form.add_field("first_day", "2030-08-01")
        form.add_field("last_day", "2030-08-14")
        form.add_field("file", b"x", filename="x.csv", content_type="text/csv")
        return form

    refused = await console.post(browser, f"/console/people/{ed}/leave", multipart())
    assert refused.status == 403 and await _leave_rows(console) == []
    wrong = await console.post(browser, f"/console/people/{ed}/leave?csrf_token=nope", multipart())
    assert wrong.status == 403 and await _leave_rows(console) == []
    done = await console.post(browser, f"/console/people/{ed}/leave?csrf_token={csrf}", multipart())
    assert done.status == 200 and await _leave_rows(console) == [(ed, "2030-08-01", "2030-08-14")]
