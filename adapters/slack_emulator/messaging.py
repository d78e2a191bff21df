"""Who is who and what is said: auth.test, users.*, conversations.open/history, chat.*."""

from __future__ import annotations

from typing import Any

from adapters.slack_emulator.directory import APP_ID, BOT_ID, TEAM_ID, TEAM_NAME, dm_channel_id
from adapters.slack_emulator.validation import Refused
from adapters.slack_emulator.workspace import (
    Method,
    Workspace,
    flag,
    refuse_bad_message,
    required,
)

HISTORY_LIMIT_MAX = 999


def auth_test(space: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "ok": True,
        "url": "https://emulated.slack.com/",
        "team": TEAM_NAME,
        "user": "coachbot",
        "team_id": TEAM_ID,
        "user_id": space.directory.bot_user_id,
        "bot_id": BOT_ID,
        "app_id": APP_ID,
        "is_enterprise_install": False,
    }


def users_info(space: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    user = space.directory.get(required(args, "user"))
    if user is None:
        raise Refused("user_not_found")
    return {"ok": True, "user": user.as_slack(space.now())}


def users_lookup_by_email(space: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    user = space.directory.by_email(required(args, "email"))
    if user is None or user.deleted:
        raise Refused("users_not_found")
    return {"ok": True, "user": user.as_slack(space.now())}


def conversations_open(space: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    if args.get("channel"):
        channel_id, _ = space.conversation(str(args["channel"]), user_ok=False)
        return {"ok": True, "channel": {"id": channel_id}}
    users = [u.strip() for u in required(args, "users").split(",") if u.strip()]
    if len(users) != 1:
        raise Refused("invalid_arguments", "[ERROR] the emulator opens 1:1 DMs only")
    user = space.directory.get(users[0])
    if user is None:
        raise Refused("user_not_found")
    if user.deleted:
        raise Refused("user_disabled")
    return {"ok": True, "channel": {"id": dm_channel_id(user.id), "is_im": True, "user": user.id}}


def conversations_history(space: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = required(args, "channel", "channel_not_found")
    channel_id, _ = space.conversation(channel, user_ok=False, active=False)
    limit = min(int(args.get("limit") or 100), HISTORY_LIMIT_MAX)
    oldest = float(args.get("oldest") or 0)
    latest = float(args["latest"]) if args.get("latest") else float("inf")
    inclusive = flag(args.get("inclusive"))
    with_metadata = flag(args.get("include_all_metadata"))
    found = []
    for message in reversed(space.recording.history(channel_id)):
        ts = float(message["ts"])
        if oldest < ts < latest or (inclusive and ts in (oldest, latest)):
            if not with_metadata:
                message.pop("metadata", None)
            found.append(message)
    return {
        "ok": True,
        "messages": found[:limit],
        "has_more": len(found) > limit,
        "pin_count": 0,
        "response_metadata": {"next_cursor": ""},
    }


def chat_post_message(space: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel_id, _ = space.conversation(required(args, "channel", "channel_not_found"), True)
    refuse_bad_message(args)
    message = space.bot_message(args)
    if args.get("thread_ts"):
        message["thread_ts"] = str(args["thread_ts"])
    space.recording.messages.setdefault(channel_id, []).append(message)
    return {"ok": True, "channel": channel_id, "ts": message["ts"], "message": dict(message)}


def chat_post_ephemeral(space: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel_id, _ = space.conversation(required(args, "channel", "channel_not_found"), True)
    user = space.active_user(required(args, "user", "user_not_found"))
    refuse_bad_message(args)
    message = space.bot_message(args)
    space.recording.ephemeral.append({**message, "channel": channel_id, "to_user": user.id})
    return {"ok": True, "message_ts": message["ts"]}


def chat_update(space: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel_id, _ = space.conversation(required(args, "channel", "channel_not_found"), False)
    ts = required(args, "ts", "message_not_found")
    stored = space.recording.messages.get(channel_id, [])
    message = next((m for m in stored if m["ts"] == ts), None)
    if message is None:
        raise Refused("message_not_found")
    refuse_bad_message(args)
    for key in ("text", "blocks", "metadata"):
        if key in args:
            message[key] = args[key]
    message["edited"] = {"user": space.directory.bot_user_id, "ts": space.ts()}
    answer = {"ok": True, "channel": channel_id, "ts": ts, "text": message.get("text", "")}
    return {**answer, "message": dict(message)}


METHODS: dict[str, Method] = {
    "auth.test": auth_test,
    "users.info": users_info,
    "users.lookupByEmail": users_lookup_by_email,
    "conversations.open": conversations_open,
    "conversations.history": conversations_history,
    "chat.postMessage": chat_post_message,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.update": chat_update,
}
