"""What every door refuses in a parsed request body before acting on it: nesting deeper than
any real request (code that walks it could exhaust the stack) and NUL characters (PostgreSQL
cannot store them, so the request would fail half-way)."""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 32


def body_problem(body: Any) -> str | None:
    """Why a parsed JSON body cannot be acted on, or None."""
    stack: list[tuple[Any, int]] = [(body, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"the body is nested deeper than {MAX_DEPTH} levels"
        if isinstance(value, dict):
            stack += [(key, depth) for key in value]
            stack += [(item, depth + 1) for item in value.values()]
        elif isinstance(value, list):
            stack += [(item, depth + 1) for item in value]
        elif isinstance(value, str) and "\x00" in value:
            return "the body contains a NUL character"
    return None
