"""Uploads as `files_upload_v2` makes them: an upload URL, the bytes posted to it, completion."""

from __future__ import annotations

from typing import Any

from adapters.slack_emulator.validation import Refused
from adapters.slack_emulator.workspace import Method, Workspace, required


def files_get_upload_url_external(space: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    filename = required(args, "filename")
    length = int(required(args, "length"))
    file_id = space.new_id("F")
    space.recording.files[file_id] = {
        "id": file_id,
        "name": filename,
        "title": filename,
        "length": length,
        "content": None,
        "alt_txt": args.get("alt_txt"),
        "channels": [],
    }
    return {"ok": True, "upload_url": f"{space.origin}/upload/v1/{file_id}", "file_id": file_id}


def receive_upload(space: Workspace, file_id: str, content: bytes) -> bool:
    """Keep the bytes posted to an upload URL; False when no such upload was started."""
    upload = space.recording.files.get(file_id)
    if upload is None:
        return False
    upload["content"] = content
    return True


def files_complete_upload_external(space: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    files = args.get("files")
    if not isinstance(files, list) or not files:
        raise Refused("invalid_arguments", "[ERROR] files must be a JSON array of {id, title}")
    channel_ids = [c for c in str(args.get("channels") or "").split(",") if c]
    if args.get("channel_id"):
        channel_ids.append(str(args["channel_id"]))
    channel_ids = [space.conversation(c, user_ok=False)[0] for c in channel_ids]
    shared = [_complete(space, item, channel_ids) for item in files]
    for channel_id in channel_ids:
        message = space.bot_message({"text": args.get("initial_comment") or ""})
        message.update(subtype="file_share", files=shared)
        space.recording.messages.setdefault(channel_id, []).append(message)
    return {"ok": True, "files": shared}


def _complete(space: Workspace, item: Any, channel_ids: list[str]) -> dict[str, Any]:
    upload = space.recording.files.get(str(item.get("id"))) if isinstance(item, dict) else None
    if upload is None or upload["content"] is None:
        raise Refused("file_not_found", "[ERROR] nothing was uploaded for this file id")
    upload["title"] = item.get("title") or upload["name"]
    upload["channels"] = list(channel_ids)
    url = f"{space.origin}/files/{upload['id']}"
    return {
        "id": upload["id"],
        "name": upload["name"],
        "title": upload["title"],
        "size": len(upload["content"]),
        "url_private": url,
        "permalink": url,
        "channels": list(channel_ids),
    }


METHODS: dict[str, Method] = {
    "files.getUploadURLExternal": files_get_upload_url_external,
    "files.completeUploadExternal": files_complete_upload_external,
}
