"""`coachbot lms sync`: the course catalogue pulled from the configured LMS (Moodle web
services), added to or updated in the catalogue; the course search index follows."""

from __future__ import annotations

from adapters.lms.moodle import MoodleClient
from bot.ports import CatalogueChanges
from bot.services.completions import Completions


async def sync_catalogue(client: MoodleClient, completions: Completions) -> CatalogueChanges:
    """Pull every course from Moodle and upsert it (titles and links; skill mappings stay).
    Raises `MoodleError` when Moodle refuses (nothing is written then)."""
    return await completions.upsert_courses(await client.courses())
