"""What Slack refuses in views and messages: `slack_sdk.models` checks plus the rules they miss.

Each check answers a `Rejection` carrying Slack's error code and `response_metadata.messages`
in Slack's style: `[ERROR] <what> [json-pointer:/view/blocks/3/element/max_length]`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block, BlockElement
from slack_sdk.models.views import View

MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
VIEW_TEXT_MAX = 24
PRIVATE_METADATA_MAX = 3000
ID_MAX = 255
INPUT_LENGTH_MAX = 3000
OPTIONS_MAX = 100
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
MESSAGE_TEXT_MAX = 40000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MODEL_ERRORS = (SlackObjectFormationError, TypeError, ValueError, AttributeError, KeyError)


@dataclass(frozen=True)
class Rejection:
    """A refused call: Slack's `error` code and its explanation lines."""

    error: str
    messages: list[str] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
            if self.error == "invalid_blocks":
                body["errors"] = self.messages
        return body


class Refused(Exception):
    """Raised by a method that Slack would refuse; carries the answer."""

    def __init__(self, error: str, *messages: str) -> None:
        super().__init__(error)
        self.rejection = Rejection(error, list(messages))

    @classmethod
    def because(cls, rejection: Rejection) -> Refused:
        return cls(rejection.error, *rejection.messages)


def _subclass_types(cls: type) -> Iterator[str]:
    subclasses: list[type] = cls.__subclasses__()
    for sub in subclasses:
        kind = getattr(sub, "type", None)
        if isinstance(kind, str):
            yield kind
        yield from _subclass_types(sub)


BLOCK_TYPES = frozenset(_subclass_types(Block))
ELEMENT_TYPES = frozenset(_subclass_types(BlockElement)) | {"plain_text", "mrkdwn"}
_SELECTS_WITH_OPTIONS = {
    "static_select",
    "multi_static_select",
    "radio_buttons",
    "checkboxes",
    "overflow",
}


def _error(what: str, pointer: str) -> str:
    return f"[ERROR] {what} [json-pointer:{pointer}]"


def decode_json_arg(value: Any) -> Any:
    """A form field carrying JSON (`blocks`, `view`, `metadata`) arrives as a string."""
    if isinstance(value, str):
        return json.loads(value)
    return value


def check_view(view: Any, kinds: tuple[str, ...]) -> Rejection | None:
    """Problems with a `view` argument, or None when Slack would take it."""
    if isinstance(view, str):
        try:
            view = json.loads(view)
        except ValueError:
            return Rejection("invalid_arguments", [_error("view is not valid JSON", "/view")])
    if not isinstance(view, dict):
        return Rejection("invalid_arguments", [_error("view must be an object", "/view")])
    return _checked_view(json.dumps(view, sort_keys=True), kinds)


@lru_cache(maxsize=512)
def _checked_view(view_json: str, kinds: tuple[str, ...]) -> Rejection | None:
    """Cached by content: a bot opens the same form again and again, and the models are slow."""
    view = json.loads(view_json)
    problems = list(_view_problems(view, kinds))
    if not problems:
        problems = _model_problems_of_view(view)
    return Rejection("invalid_arguments", _unique(problems)) if problems else None


def _view_problems(view: dict[str, Any], kinds: tuple[str, ...]) -> Iterator[str]:
    kind = view.get("type")
    if kind not in kinds:
        yield _error(f"type must be one of {', '.join(kinds)}", "/view/type")
    if kind == "modal" and view.get("title") is None:
        yield _error("a modal needs a plain_text title", "/view/title")
    for key in ("title", "submit", "close"):
        if view.get(key) is not None:
            yield from _short_plain_text(view[key], f"/view/{key}")
    if kind == "home" and (view.get("submit") is not None or view.get("close") is not None):
        yield _error("a home view has no submit or close", "/view")
    metadata = view.get("private_metadata")
    if metadata is not None and (
        not isinstance(metadata, str) or len(metadata) > PRIVATE_METADATA_MAX
    ):
        yield _error(
            f"must be a string of at most {PRIVATE_METADATA_MAX} characters",
            "/view/private_metadata",
        )
    for key in ("callback_id", "external_id"):
        value = view.get(key)
        if value is not None and len(str(value)) > ID_MAX:
            yield _error(f"must be at most {ID_MAX} characters", f"/view/{key}")
    blocks = view.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        yield _error("blocks must be a non-empty array", "/view/blocks")
        return
    if len(blocks) > VIEW_BLOCKS_MAX:
        yield _error(f"no more than {VIEW_BLOCKS_MAX} items allowed", "/view/blocks")
    has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
    if kind == "modal" and has_input and view.get("submit") is None:
        yield _error("a modal with input blocks needs a submit button", "/view/submit")
    yield from _blocks_problems(blocks, "/view/blocks")


def _short_plain_text(text: Any, pointer: str) -> Iterator[str]:
    if not isinstance(text, dict) or text.get("type") != "plain_text":
        yield _error("must be a plain_text text object", pointer)
        return
    value = text.get("text")
    if not isinstance(value, str) or not 1 <= len(value) <= VIEW_TEXT_MAX:
        yield _error(f"must be 1 to {VIEW_TEXT_MAX} characters", f"{pointer}/text")


def _model_problems_of_view(view: dict[str, Any]) -> list[str]:
    try:
        View(**view).validate_json()
    except _MODEL_ERRORS as exc:
        return [_error(str(exc), "/view")]
    return []


def check_message(args: dict[str, Any]) -> Rejection | None:
    """Problems with a message's `text`/`blocks`, or None when Slack would post it."""
    blocks = args.get("blocks")
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            return Rejection("invalid_blocks_format", [_error("not valid JSON", "/blocks")])
    if blocks is not None and not isinstance(blocks, list):
        return Rejection("invalid_blocks_format", [_error("blocks must be an array", "/blocks")])
    text = args.get("text")
    if not blocks and not text and not args.get("attachments"):
        return Rejection("no_text", [_error("a message needs text or blocks", "/text")])
    if isinstance(text, str) and len(text) > MESSAGE_TEXT_MAX:
        return Rejection("msg_too_long")
    if not blocks:
        return None
    return _checked_blocks(json.dumps(blocks, sort_keys=True))


@lru_cache(maxsize=512)
def _checked_blocks(blocks_json: str) -> Rejection | None:
    blocks = json.loads(blocks_json)
    problems: list[str] = []
    if len(blocks) > MESSAGE_BLOCKS_MAX:
        problems.append(_error(f"no more than {MESSAGE_BLOCKS_MAX} items allowed", "/blocks"))
    problems.extend(_blocks_problems(blocks, "/blocks"))
    return Rejection("invalid_blocks", _unique(problems)) if problems else None


def _blocks_problems(blocks: list[Any], pointer: str) -> Iterator[str]:
    seen_ids: set[str] = set()
    for index, block in enumerate(blocks):
        here = f"{pointer}/{index}"
        if not isinstance(block, dict):
            yield _error("a block must be an object", here)
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in seen_ids:
                yield _error(f"duplicate block_id `{block_id}`", f"{here}/block_id")
            seen_ids.add(block_id)
        if block.get("type") not in BLOCK_TYPES:
            yield _error(f"unknown block type `{block.get('type')}`", f"{here}/type")
            continue
        found = list(_block_problems(block, here))
        yield from found
        if not found:
            yield from _model_problems_of_block(block, here)


def _block_problems(block: dict[str, Any], here: str) -> Iterator[str]:
    for key, element in _elements_of(block):
        at = f"{here}/{key}"
        if not isinstance(element, dict) or element.get("type") not in ELEMENT_TYPES:
            kind = element.get("type") if isinstance(element, dict) else element
            yield _error(f"unknown element type `{kind}`", f"{at}/type")
            continue
        yield from _element_problems(element, at)


def _elements_of(block: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for key in ("accessory", "element"):
        if key in block:
            yield key, block[key]
    if block.get("type") in ("actions", "context") and isinstance(block.get("elements"), list):
        for index, element in enumerate(block["elements"]):
            yield f"elements/{index}", element


def _element_problems(element: dict[str, Any], at: str) -> Iterator[str]:
    kind = element["type"]
    if kind == "plain_text_input":
        for key in ("max_length", "min_length"):
            value = element.get(key)
            if value is not None and (not isinstance(value, int) or value > INPUT_LENGTH_MAX):
                yield _error(f"must be an integer of at most {INPUT_LENGTH_MAX}", f"{at}/{key}")
    initial_date = element.get("initial_date")
    if kind == "datepicker" and initial_date is not None and not _DATE.match(str(initial_date)):
        yield _error("must be a date as YYYY-MM-DD", f"{at}/initial_date")
    if kind in _SELECTS_WITH_OPTIONS:
        yield from _options_problems(element, at)
    action_id = element.get("action_id")
    if action_id is not None and len(str(action_id)) > ID_MAX:
        yield _error(f"must be at most {ID_MAX} characters", f"{at}/action_id")


def _options_problems(element: dict[str, Any], at: str) -> Iterator[str]:
    lists: list[tuple[str, Any]] = [("options", element.get("options"))]
    for index, group in enumerate(element.get("option_groups") or []):
        options = group.get("options") if isinstance(group, dict) else None
        lists.append((f"option_groups/{index}/options", options))
    for key, options in lists:
        if options is None:
            continue
        if not isinstance(options, list) or len(options) > OPTIONS_MAX:
            yield _error(f"no more than {OPTIONS_MAX} options allowed", f"{at}/{key}")
            continue
        for index, option in enumerate(options):
            yield from _option_problems(option, f"{at}/{key}/{index}")


def _option_problems(option: Any, at: str) -> Iterator[str]:
    if not isinstance(option, dict):
        yield _error("an option must be an object", at)
        return
    text = option.get("text")
    label = text.get("text") if isinstance(text, dict) else None
    if not isinstance(label, str) or not 1 <= len(label) <= OPTION_TEXT_MAX:
        yield _error(f"option text must be 1 to {OPTION_TEXT_MAX} characters", f"{at}/text/text")
    value = option.get("value")
    if value is not None and (not isinstance(value, str) or len(value) > OPTION_VALUE_MAX):
        yield _error(f"option value must be at most {OPTION_VALUE_MAX} characters", f"{at}/value")


def _model_problems_of_block(block: dict[str, Any], here: str) -> Iterator[str]:
    try:
        model = Block.parse(block)
        if model is None:
            yield _error("unknown block", here)
            return
        unknown = set(block) - set(model.attributes)
        if unknown:
            yield _error(f"unknown properties: {', '.join(sorted(unknown))}", here)
        model.to_dict()
    except _MODEL_ERRORS as exc:
        yield _error(str(exc), here)


def _unique(problems: list[str]) -> list[str]:
    return list(dict.fromkeys(problems))
