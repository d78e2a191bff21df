"""`coachbot teams-package [--out FILE.zip]`: the Teams app package (manifest at schema v1.30
with the bot's command list, and its two icons) for an admin to upload to Teams."""

from __future__ import annotations

import argparse
import json
import re
import sys
import uuid
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from adapters.config import Settings

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "teams" / "app_package"
ICONS = ("color.png", "outline.png")
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
VERSION = "1.0.0"


def register(commands: Any) -> None:
    parser = commands.add_parser("teams-package", help="build the Microsoft Teams app package")
    parser.add_argument("--out", default="coachbot-teams.zip", help="the zip to write")
    parser.set_defaults(handler=run)


def manifest(app_id: str, public_url: str) -> dict[str, Any]:
    """The manifest from the template, for this bot registration and public URL."""
    root = public_url.rstrip("/")
    values = {
        "version": VERSION,
        "teams_app_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"coachbot-teams:{app_id}")),
        "app_id": app_id,
        "public_url": root,
        "public_host": urlparse(root).netloc,
    }

    def fill(node: Any) -> Any:
        if isinstance(node, str):
            return node.format(**values) if "{" in node else node
        if isinstance(node, list):
            return [fill(item) for item in node]
        if isinstance(node, dict):
            return {key: fill(value) for key, value in node.items()}
        return node

    template = json.loads((PACKAGE_DIR / "manifest.template.json").read_text(encoding="utf-8"))
    filled: dict[str, Any] = fill(template)
    return filled


def problem(settings: Settings) -> str | None:
    if not settings.microsoft_app_id or not GUID.match(settings.microsoft_app_id):
        return "MicrosoftAppId: set it to the bot registration's app id (a GUID)"
    if not settings.public_url or not settings.public_url.startswith("https://"):
        return "COACHBOT_PUBLIC_URL: set it to the bot's public https root"
    return None


async def run(settings: Settings, args: argparse.Namespace) -> int:
    wrong = problem(settings)
    if wrong is not None:
        print(f"coachbot: {wrong}", file=sys.stderr)
        return 2
    assert settings.microsoft_app_id and settings.public_url
    out = Path(args.out)
    content = json.dumps(manifest(settings.microsoft_app_id, settings.public_url), indent=2)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", content)
        for icon in ICONS:
            package.write(PACKAGE_DIR / icon, icon)
    print(f"Wrote {out}: upload it in Teams (Apps > Manage your apps > Upload an app).")
    return 0
