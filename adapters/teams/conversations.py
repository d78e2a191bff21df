"""An inbound activity's conversation reference and tenant, as the application stores them for
the person who sent it (`Application.teams_conversation_seen`; a deserialized reference loses
`channel_data`, so the tenant is kept beside it), so that proactive messages survive restarts."""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationReference

PLATFORM = "teams"


def tenant_of(activity: Activity) -> str | None:
    channel_data = activity.channel_data or {}
    tenant = channel_data.get("tenant") if isinstance(channel_data, dict) else None
    if isinstance(tenant, dict) and tenant.get("id"):
        return str(tenant["id"])
    conversation = activity.conversation
    return getattr(conversation, "tenant_id", None) if conversation else None


def reference_of(activity: Activity) -> dict[str, Any]:
    """The reference to reach this conversation again, as a new message (no reply-to id)."""
    reference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None
    serialized: dict[str, Any] = reference.serialize()
    return serialized


def as_reference(stored: dict[str, Any]) -> ConversationReference:
    reference: ConversationReference = ConversationReference().deserialize(stored)
    return reference
