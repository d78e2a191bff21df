"""`make run` without credentials: the sandbox's start-up text holds a sign-in link to the
console for the sample organisation's L&D admin, which signs a browser in."""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp import ClientSession, CookieJar

from tests.console.conftest import hidden_fields
from tests.support.serve_process import environment, serving


async def test_the_sandbox_prints_a_sign_in_link_for_its_ld_admin(tmp_path: Path) -> None:
    async with serving(tmp_path, environment(tmp_path)) as served:
        found = re.search(r"Open the L&D console as Dana Okafor.*?: (\S+)", served.printed, re.S)
        assert found, served.printed
        link = found.group(1)
        assert link.startswith(f"http://127.0.0.1:{served.port}/console/sign-in?person=")
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as browser:
            shown = await browser.get(link)
            assert shown.status == 200
            done = await browser.post(
                f"http://127.0.0.1:{served.port}/console/sign-in",
                data=hidden_fields(await shown.text()),
            )
            assert done.status == 200
            page = await done.text()
            assert "Coaching programme" in page and "Dana Okafor" in page
