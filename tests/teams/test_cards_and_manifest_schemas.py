"""Every card the bot produces validates against the Adaptive Card 1.5 schema (with the
typeahead search Teams renders beyond it), and the app package's manifest against the Teams
1.30 schema (copies in `tests/schemas/`)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from PIL import Image

from adapters.cli import main
from adapters.teams.cards import reply_card
from bot.replies import Reply, Section
from tests.slack.conftest import People
from tests.teams.cards import input_, submit_data
from tests.teams.conftest import DANA, ED, MAYA, TeamsWorld

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
CARD_SCHEMA = SCHEMAS / "adaptive-card-1.5.schema.json"
MANIFEST_SCHEMA = SCHEMAS / "teams-app-manifest-1.30.schema.json"


def with_teams_typeahead(schema: dict[str, Any]) -> dict[str, Any]:
    """The 1.5 schema plus what Teams renders beyond it for typeahead search, as the Adaptive
    Cards schema sources define it from 1.6 (microsoft/AdaptiveCards,
    `schemas/src/elements/inputs/Input.ChoiceSet.json` and `Data.Query.json`): the `filtered`
    choice style and `choices.data`, a `Data.Query` naming a dataset."""
    definitions = schema["definitions"]
    definitions["Data.Query"] = {
        "type": "object",
        "properties": {
            "type": {"enum": ["Data.Query"]},
            "dataset": {"type": "string"},
            "count": {"type": "number"},
            "skip": {"type": "number"},
        },
        "required": ["type", "dataset"],
        "additionalProperties": False,
    }
    definitions["Input.ChoiceSet"]["properties"]["choices.data"] = {
        "$ref": "#/definitions/Data.Query"
    }
    definitions["ChoiceInputStyle"]["anyOf"][0]["enum"].append("filtered")
    return schema


def card_errors(card: dict[str, Any]) -> list[str]:
    schema = with_teams_typeahead(json.loads(CARD_SCHEMA.read_text()))
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(card)]


async def test_every_card_the_bot_sends_is_a_valid_adaptive_card_1_5(
    world: TeamsWorld, people: People
) -> None:
    await world.post(world.connector.installed(ED))
    for words in ("help", "my record", "something else", "log session Ed"):
        await world.say(MAYA, words)
    card = world.last_card(MAYA)
    employee = input_(card, "employee")["value"]
    base = {"employee": employee, "held_on": "2099-01-01", **submit_data(card)}
    await world.submit(MAYA, {**base, "duration": "5", "actions": "x by 2026-02-30"})
    await world.submit(MAYA, {**base, "duration": "5"})
    points = "Ed is underperforming\nOpened with questions\nHeld the price"
    good = {
        **base,
        "held_on": input_(card, "held_on")["value"],
        "duration": "30",
        "focus_type": "skill_development",
        "skill": "SK-NEGO",
        "actions": "Call the client by 2099-01-01",
        "courses": "C-101,C-102",
    }
    await world.submit(MAYA, {**good, "key_points": points})
    await world.submit(MAYA, {**good, "key_points": points, "appraisal_confirm": "yes"})
    await world.deliver()
    await world.say(ED, "my record")
    await world.say(ED, "report")
    await world.say(DANA, "report 30d")
    await world.say(DANA, "report fortnight")
    cards = [card for sent in world.connector.sent for card in sent.every_card]
    assert len(cards) >= 14
    for card in cards:
        assert card_errors(card) == [], json.dumps(card)[:400]


def test_the_app_package_holds_a_valid_manifest_and_two_icons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MicrosoftAppId", "00000000-0000-0000-0000-00000000c0ac")
    monkeypatch.setenv("COACHBOT_PUBLIC_URL", "https://coachbot.example.org")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "coachbot-teams.zip"
    assert main(["teams-package", "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        color = Image.open(io.BytesIO(package.read("color.png")))
        outline = Image.open(io.BytesIO(package.read("outline.png")))
    schema = json.loads(MANIFEST_SCHEMA.read_text())
    errors = [e.message for e in jsonschema.Draft4Validator(schema).iter_errors(manifest)]
    assert errors == []
    assert manifest["manifestVersion"] == "1.30"
    [bot] = manifest["bots"]
    assert bot["botId"] == "00000000-0000-0000-0000-00000000c0ac"
    titles = [c["title"] for c in bot["commandLists"][0]["commands"]]
    assert titles == ["log session", "my record", "record", "report", "console", "help"]
    assert manifest["validDomains"] == ["coachbot.example.org"]
    assert color.size == (192, 192)
    assert outline.size == (32, 32) and outline.mode == "RGBA"
    assert {pixel[:3] for pixel in outline.get_flattened_data() if pixel[3]} == {(255, 255, 255)}


def test_the_package_needs_an_app_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["teams-package", "--out", str(tmp_path / "x.zip")]) == 2
    assert not (tmp_path / "x.zip").exists()


def test_text_people_typed_cannot_become_a_link_in_a_card() -> None:
    card = reply_card(Reply("x", (Section(items=("Read [this](https://evil.example)",)),)))
    shown = json.dumps(card, ensure_ascii=False)
    assert "Read [this]\u200b(https://evil.example)" in shown
    assert "[this](https" not in shown
