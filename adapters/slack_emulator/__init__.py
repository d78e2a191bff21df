"""A local Slack Web API for tests, the sandbox and benchmarks: strict where Slack is strict.

Start one on a free loopback port and point slack_sdk at it::

    from slack_sdk.web.async_client import AsyncWebClient
    from adapters.slack_emulator import SlackEmulator, WorkspaceUser

    async with SlackEmulator(users=[WorkspaceUser("U1", "ana@example.org", "Ana")]) as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.base_url)
        trigger_id = slack.new_trigger_id("U1")  # put it in the slash command you sign and send
        ...
        assert slack.messages_to("U1")[-1]["text"] == "..."

Methods: auth.test, users.info (`tz` IANA name and today's `tz_offset`), users.lookupByEmail,
conversations.open, conversations.history (`metadata` only with `include_all_metadata`),
chat.postMessage (a user id as `channel` posts in the app's DM with them, id `D` + the rest of the
user id), chat.postEphemeral, chat.update, views.open/push/update/publish,
files.getUploadURLExternal, the upload URL itself, files.completeUploadExternal (so
`files_upload_v2` works). Arguments come as query string, form or JSON body, as in Slack.

Socket Mode: `apps.connections.open` with the app-level token (`emulator.app_token`, what
`SLACK_APP_TOKEN` holds; a bot token is `not_allowed_token_type`) answers a single-use
WebSocket URL; the socket sends `hello`, then `await emulator.socket_mode.send(kind, payload)`
sends an envelope (`slash_commands`, `interactive`, `events_api`) and answers the app's
acknowledgement (it must name the `envelope_id` within 3 s). Recorded as `socket_mode_connect`,
`socket_mode_envelope` and `socket_mode_ack` calls.

Refusals use Slack's error codes: `not_authed`, `invalid_auth`, `unknown_method`,
`user_not_found` (users.info, chat.postEphemeral, views.publish), `users_not_found`
(users.lookupByEmail; deactivated people are not found either), `channel_not_found`,
`account_inactive` (posting or publishing to a deactivated person), `user_disabled`
(conversations.open with one), `no_text`, `invalid_blocks`, `invalid_blocks_format`,
`invalid_metadata_format`, `invalid_arguments` (views), `invalid_trigger_id`,
`exchanged_trigger_id`, `expired_trigger_id`, `push_limit_reached`, `not_found`, `hash_conflict`,
`duplicate_external_id`, `message_not_found`, `file_not_found`, `msg_too_long`, `invalid_json`,
`invalid_arguments` (a missing or malformed argument), and `ratelimited` (HTTP 429 with
`Retry-After`; checked before the arguments, so refused calls spend the limit too, as in Slack).
users.info shows a deactivated person with `deleted: true`. Invalid views and blocks also
carry `response_metadata.messages` lines such as
`[ERROR] duplicate block_id `x` [json-pointer:/view/blocks/3/block_id]`.

Strictness: views and blocks go through `slack_sdk.models` (`View(**view)`, `Block.parse`,
`to_dict()`), plus what the models miss: a modal needs a plain_text title; unknown block or element
types and block properties; duplicate block_ids; input blocks need a submit button;
plain_text_input lengths <= 3000; <= 50 blocks in a message, <= 100 in a view; title/submit/close
<= 24 characters; private_metadata <= 3000; options <= 100, option text <= 75, value <= 150;
datepicker dates as YYYY-MM-DD; a message needs text or blocks.

Trigger ids come from `new_trigger_id(user_id)` (or `POST /_emulator/trigger_ids` with
`{"user_id": ...}` from another process): single use, refused 3 s after minting. Pass a
`bot.clock.FixedClock` as `clock=` to move time in tests.

Rate limits: Slack's tiers per method by default (T3 50/min, T4 100/min; chat.postMessage 1/s per
channel and `chat_post_per_second` workspace-wide), set with `RateLimits(per_method={...})`, off
with `rate_limits=False`. Token buckets: a burst up to the limit, then the sustained rate.

What happened: `calls(method)` (`RecordedCall`: method, parsed args, at, status, response; the
upload URL records as `upload_url`, response URLs as `response_url`), `messages_to(user_id)`,
`messages_in(channel_id)`, `ephemeral_to(user_id)`, `last_view_published(user_id)`,
`opened_views(user_id=None)`, `view_stack(user_id)`, `uploaded_files()`. To drive it:
`new_trigger_id(user_id)`, `new_response_url(user_id, channel_id)` (for a slash command payload;
what Bolt's `respond()` posts there reaches the person), `close_views(user_id)` (Slack closes
modals once a submission is acknowledged), `add_user`, `deactivate_user`, `add_channel`,
`dm_channel_id(user_id)`, `reset()`. Over HTTP, for a separate process (a demo, a benchmark):
`GET /_emulator/calls[?method=][&count=1]`, `GET /_emulator/messages/{user_id}`,
`GET /_emulator/home/{user_id}`, `GET /_emulator/views[?user_id=]`, `POST /_emulator/trigger_ids`,
`POST /_emulator/users` (a WorkspaceUser as JSON), `POST /_emulator/reset`.

Serving: `await emulator.start()` (or `async with`) binds a free loopback port in well under a
millisecond; `start(port=N)` a fixed one; `build_app()` + `mounted_at(url)` to mount it inside
another aiohttp app. Alone: `python -m adapters.slack_emulator --port 3999 [--users people.json]`.
OAuth and Enterprise Grid: `SlackEmulator(teams=[Team("T0A", "Alpha", "E0GRID", "Grid"), ...],
client_id=..., client_secret=..., token_lifetime=timedelta(hours=12))`; people belong to a team
(`WorkspaceUser(team_id=...)`; Grid ids `W...`). `approve_install(team_id=...)` (or
`enterprise_id=...` for an org-wide install) is the admin approving the app on Slack's authorize
page: the code Slack would put in the redirect. `oauth.v2.access` exchanges it (client id and
secret by HTTP Basic auth or form; each code once) for a bot token bound to that workspace, or to
every workspace of the enterprise; with `token_lifetime` the token expires (`expires_in`,
`token_expired` afterwards) and `grant_type=refresh_token` swaps the refresh token (single use)
for a new pair. `auth.test` answers per token (team_id, enterprise_id, is_enterprise_install);
users.info, lookupByEmail, DMs and views reach only the people a token covers. `uninstall(...)`
stops an install's tokens. Every recorded call keeps the `token` that made it. From another
process: `POST /_emulator/approvals` with `{"team_id": ...}` or `{"enterprise_id": ...}`
answers `{"code": ...}`. `bot_token` is the
single workspace's token and still covers everyone.

Benchmarks: give `AsyncWebClient` a shared `aiohttp.ClientSession`; without one slack_sdk opens a
connection per call, which costs far more than the emulator itself.
"""

from adapters.slack_emulator.directory import BOT_USER_ID, TEAM_ID, WorkspaceUser
from adapters.slack_emulator.oauth import Team
from adapters.slack_emulator.ratelimit import SLACK_TIERS, Limit, RateLimits
from adapters.slack_emulator.recording import RecordedCall
from adapters.slack_emulator.server import DEFAULT_BOT_TOKEN, SlackEmulator
from adapters.slack_emulator.socket_mode import DEFAULT_APP_TOKEN

__all__ = [
    "BOT_USER_ID",
    "DEFAULT_APP_TOKEN",
    "DEFAULT_BOT_TOKEN",
    "SLACK_TIERS",
    "TEAM_ID",
    "Limit",
    "RateLimits",
    "RecordedCall",
    "SlackEmulator",
    "Team",
    "WorkspaceUser",
]
