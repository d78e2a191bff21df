"""Errors users can cause, as values: field errors, refusals and appraisal warnings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one field of a form or one column of a CSV row."""

    field: str
    message: str


@dataclass(frozen=True, slots=True)
class AppraisalFinding:
    """A key point that reads as appraisal, the phrases found, and a development rewording."""

    index: int
    text: str
    phrases: tuple[str, ...]
    suggestion: str


class Refusal(Exception):
    """The programme declines a request; the message is shown to the user as it is, beside
    `field` when one field of a form caused it."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class TryAgain(Refusal):
    """The request could not be kept now (the database was busy with other writes for longer
    than a chat platform waits): nothing of it was stored, and sending it again is safe."""

    def __init__(self) -> None:
        super().__init__(BUSY)


BUSY = "Could not save this just now (the database is busy); nothing was stored. Please try again."
