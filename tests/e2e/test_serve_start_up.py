"""What `coachbot serve` does before it listens, through the real entry point: the sandbox only
on loopback, with a secret of its own, in a database of its own and never on an organisation's
data; a half-set chat platform or an unusable database stops it with one line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiohttp
import pytest

from adapters.sandbox.slack_actor import SlackActor
from tests.support.serve_process import coachbot, environment, serving

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TEAMS = {
    "MicrosoftAppId": "00000000-0000-0000-0000-00000000c0ac",
    "MicrosoftAppPassword": "pw",
    "MicrosoftAppTenantId": "11111111-2222-3333-4444-555555555555",
}

SLACK_OAUTH = {
    "SLACK_CLIENT_ID": "111.222",
    "SLACK_CLIENT_SECRET": "client-secret",
    "SLACK_SIGNING_SECRET": "s",
}


def people_in(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        count: int = connection.execute("SELECT count(*) FROM person").fetchone()[0]
    return count


def organisation_in(folder: Path, env: dict[str, str]) -> Path:
    """`folder`/coachbot.db holding an imported organisation (3 people)."""
    assert coachbot(folder, env, "db", "upgrade").returncode == 0
    imported = coachbot(folder, env, "import", "people", str(FIXTURES / "people.csv"))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert people_in(folder / "coachbot.db") == 3
    return folder / "coachbot.db"


def test_sandbox_refuses_a_database_holding_an_organisation(tmp_path: Path) -> None:
    env = environment(tmp_path)
    database = organisation_in(tmp_path, env)
    run = coachbot(tmp_path, env, "serve")
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        "coachbot: no chat credentials are set and DATABASE_URL's database holds an "
        "organisation: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or MicrosoftAppId and "
        "MicrosoftAppPassword) to serve it, or run `coachbot serve --sandbox` to try coachbot "
        "on sample data"
    ]
    assert "listening" not in run.stdout
    assert people_in(database) == 3
    assert not (tmp_path / "sandbox.db").exists()


async def test_sandbox_on_an_empty_database_listens_on_loopback_only_with_a_secret_of_its_own(
    tmp_path: Path,
) -> None:
    env = environment(tmp_path, COACHBOT_HOST="0.0.0.0")
    assert coachbot(tmp_path, env, "db", "upgrade").returncode == 0  # as `make run` does
    async with serving(tmp_path, env) as served, aiohttp.ClientSession() as http:
        assert f"coachbot listening on http://127.0.0.1:{served.port}\n" in served.printed
        with pytest.raises(aiohttp.ClientConnectionError):
            # all of 127.0.0.0/8 is this host: only a socket bound to every interface answers
            await http.get(f"http://127.0.0.2:{served.port}/healthz")
        url = f"http://127.0.0.1:{served.port}"
        known = SlackActor(http, url, "sandbox-signing-secret")
        assert (await known.slash("U0MGR0001", "1.help.trigger", "help")).status == 401
        assert served.signing_secret != "sandbox-signing-secret"
        printed = SlackActor(http, url, served.signing_secret)
        answer = await printed.slash("U0MGR0001", "1.help.trigger", "help")
        assert answer.status == 200
        assert "/coaching @person" in await answer.text()


async def test_sandbox_keeps_its_data_in_sandbox_db_never_in_database_url(
    tmp_path: Path,
) -> None:
    async with serving(tmp_path, environment(tmp_path)) as served:
        assert f"sample organisation kept in {tmp_path / 'sandbox.db'}" in served.printed
    assert not (tmp_path / "coachbot.db").exists()
    assert people_in(tmp_path / "sandbox.db") == 20
    # the sandbox's own database, named by DATABASE_URL, is served again as it was
    env = environment(tmp_path, DATABASE_URL="sqlite:///./sandbox.db")
    async with serving(tmp_path, env) as served:
        assert "Sandbox mode" in served.printed
    assert people_in(tmp_path / "sandbox.db") == 20


async def test_serve_sandbox_runs_the_sandbox_beside_an_organisation(tmp_path: Path) -> None:
    env = environment(tmp_path)
    database = organisation_in(tmp_path, env)
    async with serving(tmp_path, env, "--sandbox") as served:
        assert "Sandbox mode" in served.printed
    assert people_in(database) == 3
    assert people_in(tmp_path / "sandbox.db") == 20


@pytest.mark.parametrize(
    ("variables", "line"),
    [
        (
            {"SLACK_BOT_TOKEN": "xoxb-1"},
            "SLACK_SIGNING_SECRET is not set but SLACK_BOT_TOKEN is: set it too "
            "(or SLACK_APP_TOKEN for Socket Mode)",
        ),
        (
            {"SLACK_SIGNING_SECRET": "s"},
            "SLACK_BOT_TOKEN is not set but SLACK_SIGNING_SECRET is: set it too",
        ),
        (
            {"SLACK_APP_TOKEN": "xapp-1"},
            "SLACK_BOT_TOKEN is not set but SLACK_APP_TOKEN is: set it too",
        ),
        (
            {"MicrosoftAppId": TEAMS["MicrosoftAppId"]},
            "MicrosoftAppPassword is not set but MicrosoftAppId is: set it too",
        ),
        (
            {"MicrosoftAppPassword": "pw"},
            "MicrosoftAppId is not set but MicrosoftAppPassword is: set it too",
        ),
        (
            {"MicrosoftAppId": TEAMS["MicrosoftAppId"], "MicrosoftAppPassword": "pw"},
            "MicrosoftAppTenantId is not set but MicrosoftAppType is SingleTenant: set it to "
            "your Microsoft Entra tenant id (or MicrosoftAppType=MultiTenant for an older "
            "multi-tenant bot registration)",
        ),
        (
            {"SLACK_CLIENT_ID": "111.222", "SLACK_SIGNING_SECRET": "s"},
            "SLACK_CLIENT_SECRET is not set but SLACK_CLIENT_ID is: set it too",
        ),
        (
            {**SLACK_OAUTH, "COACHBOT_ENCRYPTION_KEY": ""},
            "COACHBOT_ENCRYPTION_KEY is not set; Slack tokens installed through OAuth are "
            "stored encrypted with it",
        ),
        (
            {**SLACK_OAUTH, "COACHBOT_ENCRYPTION_KEY": "not-a-fernet-key"},
            "COACHBOT_ENCRYPTION_KEY is not a Fernet key: 32 url-safe base64-encoded bytes, as "
            "cryptography's Fernet.generate_key() makes (README, Install the Slack app); Slack "
            "tokens installed through OAuth are stored encrypted with it",
        ),
        (
            {**SLACK_OAUTH, "SLACK_BOT_TOKEN": "xoxb-1"},
            "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: keep SLACK_BOT_TOKEN for one "
            "workspace, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install through OAuth",
        ),
    ],
)
def test_a_half_set_platform_stops_start_up_naming_the_missing_variable(
    tmp_path: Path, variables: dict[str, str], line: str
) -> None:
    run = coachbot(tmp_path, environment(tmp_path, **variables), "serve")
    assert run.returncode == 2
    assert run.stderr.splitlines() == [f"coachbot: {line}"]
    assert run.stdout == ""  # neither "Sandbox mode" nor "Teams: enabled"
    assert list(tmp_path.iterdir()) == []  # no database was created


@pytest.mark.parametrize(
    ("database_url", "reason"),
    [
        ("sqlite:///{folder}/missing/coachbot.db", "unable to open database file"),
        (
            "sqlite:///file:{folder}/read-only.db?mode=ro&uri=true",
            "attempt to write a readonly database",
        ),
        ("sqlite:///{folder}/not-a-database.db", "file is not a database"),
        ("postgresql://nobody:secret@127.0.0.1:1/none", "Connect call failed"),
    ],
)
def test_an_unusable_database_stops_serve_with_one_line(
    tmp_path: Path, database_url: str, reason: str
) -> None:
    sqlite3.connect(tmp_path / "read-only.db").close()
    (tmp_path / "not-a-database.db").write_text("these are not the pages of a database\n")
    url = database_url.format(folder=tmp_path)
    run = coachbot(tmp_path, environment(tmp_path, DATABASE_URL=url, **TEAMS), "serve")
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    [line] = run.stderr.splitlines()
    assert line.startswith("coachbot: cannot use the database ")
    assert reason in line
    assert line.endswith("; check DATABASE_URL")
    assert "secret" not in line  # the password is never shown


async def test_serve_with_oauth_settings_offers_the_install_page_and_says_where(
    tmp_path: Path,
) -> None:
    env = environment(
        tmp_path,
        **SLACK_OAUTH,
        COACHBOT_ENCRYPTION_KEY="kZ2nW3l5rJ0c6cJ0N3m1Yv8xXq9sZb7pT4uA2eD5fGg=",
        COACHBOT_PUBLIC_URL="https://coachbot.example.org",
    )
    async with serving(tmp_path, env) as served, aiohttp.ClientSession() as http:
        assert (
            "Slack: enabled, installed through OAuth: add it to a workspace (or a Grid org) at "
            "https://coachbot.example.org/slack/install"
        ) in served.printed
        page = await http.get(f"http://127.0.0.1:{served.port}/slack/install")
        assert page.status == 200
        text = await page.text()
        assert "client_id=111.222" in text
        assert "redirect_uri=https://coachbot.example.org/slack/oauth_redirect" in text
