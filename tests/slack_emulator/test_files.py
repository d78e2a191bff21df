"""files_upload_v2 end to end: upload URL, the bytes sent to it, completion and sharing."""

from __future__ import annotations

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_emulator import SlackEmulator
from tests.slack_emulator.conftest import CHANNEL, refusal

REPORT_CSV = "team,sessions\nSales,12\n"


async def test_files_upload_v2_shares_the_file_in_the_channel(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    answer = await client.files_upload_v2(
        channel=CHANNEL,
        content=REPORT_CSV,
        filename="report.csv",
        title="Programme report",
        initial_comment="This month's report",
    )

    assert answer["file"]["title"] == "Programme report"
    [uploaded] = slack.uploaded_files()
    assert uploaded["content"] == REPORT_CSV.encode()
    assert uploaded["channels"] == [CHANNEL]
    [message] = slack.messages_in(CHANNEL)
    assert message["text"] == "This month's report"
    assert message["files"][0]["name"] == "report.csv"


async def test_the_shared_file_can_be_downloaded(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    answer = await client.files_upload_v2(channel=CHANNEL, content=b"\x89PNG", filename="c.png")

    async with (
        aiohttp.ClientSession() as http,
        http.get(answer["file"]["url_private"]) as response,
    ):
        assert await response.read() == b"\x89PNG"


async def test_completing_an_upload_that_never_happened_is_refused(
    client: AsyncWebClient,
) -> None:
    started = await client.files_getUploadURLExternal(filename="x.csv", length=3)

    answer = await refusal(
        client.files_completeUploadExternal(files=[{"id": started["file_id"], "title": "x"}])
    )

    assert answer["error"] == "file_not_found"


async def test_sharing_into_an_unknown_channel_is_refused(client: AsyncWebClient) -> None:
    answer = await refusal(
        client.files_upload_v2(channel="C0NOWHERE", content="x", filename="x.txt")
    )

    assert answer["error"] == "channel_not_found"
