"""Modals and Home tabs: views.open/push/update/publish, with trigger ids, stacks and hashes."""

from __future__ import annotations

import json
import secrets
from typing import Any

from adapters.slack_emulator.directory import APP_ID, BOT_ID
from adapters.slack_emulator.recording import OpenView
from adapters.slack_emulator.validation import Refused, check_view
from adapters.slack_emulator.workspace import Method, Workspace, required

STACK_MAX = 3


def views_open(space: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    trigger = space.triggers.check(args.get("trigger_id"))
    view = _checked_view(args, ("modal",))
    trigger.exchanged = True
    shown = _show(space, view, trigger.user_id, root_view_id=None, previous_view_id=None)
    space.recording.stacks[trigger.user_id] = [shown.view["id"]]
    space.recording.opened.append(shown)
    return {"ok": True, "view": shown.view}


def views_push(space: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    trigger = space.triggers.check(args.get("trigger_id"))
    view = _checked_view(args, ("modal",))
    stack = space.recording.stacks.get(trigger.user_id) or []
    if not stack:
        raise Refused("invalid_arguments", "[ERROR] no open modal to push onto")
    if len(stack) >= STACK_MAX:
        raise Refused("push_limit_reached")
    trigger.exchanged = True
    shown = _show(space, view, trigger.user_id, root_view_id=stack[0], previous_view_id=stack[-1])
    stack.append(shown.view["id"])
    return {"ok": True, "view": shown.view}


def views_update(space: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    current = _existing_view(space, args)
    kind = current.view["type"]
    view = _checked_view(args, (kind,))
    if args.get("hash") and args["hash"] != current.view["hash"]:
        raise Refused("hash_conflict")
    shown = _show(
        space,
        view,
        current.user_id,
        root_view_id=current.root_view_id,
        previous_view_id=current.view.get("previous_view_id"),
        view_id=current.view["id"],
    )
    if kind == "home":
        space.recording.home[current.user_id] = shown.view
    return {"ok": True, "view": shown.view}


def views_publish(space: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    user = space.active_user(required(args, "user_id", "user_not_found"))
    view = _checked_view(args, ("home",))
    current = space.recording.home.get(user.id)
    if current is not None and args.get("hash") and args["hash"] != current["hash"]:
        raise Refused("hash_conflict")
    view_id = current["id"] if current is not None else None
    shown = _show(space, view, user.id, root_view_id=None, previous_view_id=None, view_id=view_id)
    space.recording.home[user.id] = shown.view
    return {"ok": True, "view": shown.view}


def _checked_view(args: dict[str, Any], kinds: tuple[str, ...]) -> dict[str, Any]:
    view = args.get("view")
    rejection = check_view(view, kinds)
    if rejection is not None:
        raise Refused.because(rejection)
    checked = json.loads(view) if isinstance(view, str) else view
    assert isinstance(checked, dict)  # check_view refuses anything else
    return checked


def _existing_view(space: Workspace, args: dict[str, Any]) -> OpenView:
    views = space.recording.views
    if args.get("view_id"):
        found = views.get(str(args["view_id"]))
    elif args.get("external_id"):
        wanted = str(args["external_id"])
        found = next((v for v in views.values() if v.view["external_id"] == wanted), None)
    else:
        raise Refused("invalid_arguments", "[ERROR] view_id or external_id is required")
    if found is None:
        raise Refused("not_found")
    return found


def _show(
    space: Workspace,
    view: dict[str, Any],
    user_id: str,
    *,
    root_view_id: str | None,
    previous_view_id: str | None,
    view_id: str | None = None,
) -> OpenView:
    """The view as Slack shows and answers it: Slack's ids and a fresh hash added."""
    view_id = view_id or space.new_id("V")
    external_id = str(view.get("external_id") or "")
    if external_id and any(
        v.view["external_id"] == external_id and v.view["id"] != view_id
        for v in space.recording.views.values()
    ):
        raise Refused("duplicate_external_id")
    shown = {
        **view,
        "id": view_id,
        "team_id": space.team_id,
        "app_id": APP_ID,
        "bot_id": BOT_ID,
        "callback_id": view.get("callback_id") or "",
        "external_id": external_id,
        "private_metadata": view.get("private_metadata") or "",
        "state": {"values": {}},
        "hash": f"{int(space.now().timestamp())}.{secrets.token_hex(4)}",
        "root_view_id": root_view_id or view_id,
        "previous_view_id": previous_view_id,
    }
    opened = OpenView(shown, user_id, root_view_id or view_id)
    space.recording.views[view_id] = opened
    return opened


METHODS: dict[str, Method] = {
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
}
