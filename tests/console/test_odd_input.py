"""Whatever a browser sends, the console answers without a server error: out-of-range ids and
dates, NUL characters, and the like are refused with a page saying what is wrong."""

from __future__ import annotations

from urllib.parse import quote

from tests.console.conftest import DANA, ConsoleWorld, csrf_of

ODD = [
    "\x00",
    "a\x00b",
    "99999999999",
    "9999-12-31",
    "0001-01-01",
    "-1",
    "%",
    "é" * 300,
    "' OR 1=1 --",
]


async def test_odd_input_never_gets_a_server_error(console: ConsoleWorld) -> None:
    anonymous = console.browser()
    browser = await console.signed_in(DANA)
    ed = console.people.ed
    csrf = csrf_of((await console.get(browser, f"/console/people/{ed}")).text)
    for value in [*ODD, "%FF", "%C0%80"]:
        q = value if value.startswith("%") and len(value) > 1 else quote(value)
        for path in (
            f"/console/sign-in?person={q}&token={q}",
            f"/console/people?q={q}",
            f"/console/people/{q}",
            f"/console/programme?as_of={q}",
            f"/console/programme?period={q}&department={q}&team={q}",
            f"/console/programme.csv?as_of={q}&team={q}",
            f"/console/programme.json?department={q}",
        ):
            for who in (anonymous, browser):
                page = await console.get(who, path)
                assert page.status < 500, (path, page.status)
        for path, form in (
            ("/console/sign-in", {"person": value, "token": value}),
            (f"/console/people/{ed}/leave", {"first_day": value, "last_day": value}),
            (f"/console/people/{ed}/leave", {"first_day": "2030-01-01", "last_day": value}),
            (f"/console/people/{ed}/leave/remove", {"first_day": value}),
            (f"/console/people/{ed}/erase", {"email": value}),
        ):
            page = await console.post(browser, path, {"csrf_token": csrf, **form})
            assert page.status < 500, (path, value, page.status)
    assert (await console.get(browser, f"/console/people/{ed}")).status == 200
