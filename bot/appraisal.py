"""The appraisal-language check: which key points read as a performance appraisal, and a
development-focused rewording to offer instead; plus the GROW question prompts the session form
shows."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import partial
from types import MappingProxyType
from typing import Final

from bot.errors import AppraisalFinding

APPRAISAL_PHRASES: Final[tuple[str, ...]] = (
    "underperform",
    "underperforming",
    "underperformance",
    "poor performance",
    "below expectations",
    "not meeting expectations",
    "performance rating",
    "rating",
    "rated",
    "disciplinary",
    "warning",
    "PIP",
    "performance improvement plan",
    "misconduct",
    "sanction",
)
"""The phrases that flag a session, matched as whole words, case-insensitively."""

COACHING_PROMPTS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "Goal": "What do you want to get better at before we next meet?",
        "Reality": "Where are you now, and what have you tried so far?",
        "Options": "What could you do? What else?",
        "Way forward": "What will you do next, by when, and what support do you need?",
    }
)
"""GROW question prompts for the session form, step name -> question, in GROW order."""

GENERIC_SUGGESTION: Final = (
    "Describe what they want to develop next and the support you agreed, "
    "e.g. 'wants to grow in <skill>; will practise <how>'."
)
"""Offered when a line cannot be reworded phrase by phrase."""


def _words(phrase: str) -> str:
    """A phrase as a regex of whole words, any run of spaces between them."""
    return r"\s+".join(re.escape(word) for word in phrase.split())


_CANONICAL: Final = {phrase.casefold(): phrase for phrase in APPRAISAL_PHRASES}
# Longest first, so that "performance rating" wins over "rating" at the same place.
_PHRASE_PATTERN: Final = re.compile(
    r"\b(?:"
    + "|".join(_words(p) for p in sorted(APPRAISAL_PHRASES, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)

DEVELOPMENT_REWORDINGS: Final[tuple[tuple[str, str], ...]] = (
    # Whole turns of phrase first, so that the sentence still reads well ...
    (r"\b(?:is|was|has been)\s+underperforming\s+(?:on|in|at|with)\b", "wants to grow in"),
    (r"\b(?:are|were|have been)\s+underperforming\s+(?:on|in|at|with)\b", "want to grow in"),
    (r"\b(?:is|was|has been)\s+underperforming\b", "has room to grow"),
    (r"\b(?:are|were|have been)\s+underperforming\b", "have room to grow"),
    (r"\bunderperforms\s+(?:on|in|at|with)\b", "wants to grow in"),
    (r"\bunderperform\s+(?:on|in|at|with)\b", "want to grow in"),
    (r"\b(?:is|was)\s+not\s+meeting\s+expectations\b", "is working towards agreed goals"),
    (r"\b(?:are|were)\s+not\s+meeting\s+expectations\b", "are working towards agreed goals"),
    (r"\b(?:performing|working|delivering)\s+below\s+expectations\b", "still developing"),
    (r"\bperformance\s+improvement\s+plan\b", "development plan"),
    (r"\bPIP\b", "development plan"),
    (
        r"\b(?:gave|give|given|issued|issue)\s+(?:a\s+|an\s+)?(?:\w+\s+)?warning\b",
        "shared feedback",
    ),
    (r"\b(?:a\s+)?poor\s+performance\b", "areas to develop"),
    # ... then each phrase on its own.
    (r"\bunderperforming\b", "developing"),
    (r"\bunderperformance\b", "development needs"),
    (r"\bunderperform\b", "have room to grow"),
    (r"\bbelow\s+expectations\b", "still developing"),
    (r"\bnot\s+meeting\s+expectations\b", "working towards agreed goals"),
    (r"\bperformance\s+rating\b", "development progress"),
    (r"\brating\b", "progress"),
    (r"\brated\b", "assessed"),
    (r"\bdisciplinary\b", "support"),
    (r"\bwarning\b", "feedback"),
    (r"\bmisconduct\b", "expectations on conduct"),
    (r"\bsanction\b", "agreed next step"),
)
"""(pattern, development wording) pairs applied in order to reword a flagged line."""


def appraisal_phrases_in(text: str) -> tuple[str, ...]:
    """The appraisal phrases in `text`, in order of appearance, each once, as spelled in
    `APPRAISAL_PHRASES`; where phrases overlap the longest wins ("performance rating", not
    "rating")."""
    found: dict[str, None] = {}
    for match in _PHRASE_PATTERN.finditer(text):
        key = " ".join(match.group(0).split()).casefold()
        found.setdefault(_CANONICAL[key])
    return tuple(found)


def _keep_case(replacement: str, match: re.Match[str]) -> str:
    """Capitalise the wording where the line starts with it or the phrase was capitalised."""
    matched = match.group(0)
    starts_line = match.string[: match.start()].strip() == ""
    capitalised = matched[:1].isupper() and not matched.isupper()
    if starts_line or capitalised:
        return replacement[:1].upper() + replacement[1:]
    return replacement


def suggest_rewording(
    text: str, rewordings: Sequence[tuple[str, str]] = DEVELOPMENT_REWORDINGS
) -> str:
    """`text` with each appraisal phrase replaced by development language, the rest kept;
    `GENERIC_SUGGESTION` when the rewording would still read as appraisal."""
    reworded = text
    for pattern, replacement in rewordings:
        reworded = re.sub(pattern, partial(_keep_case, replacement), reworded, flags=re.IGNORECASE)
    if reworded == text or appraisal_phrases_in(reworded):
        return GENERIC_SUGGESTION
    return reworded


def find_appraisal_language(key_points: Sequence[str]) -> list[AppraisalFinding]:
    """One finding per key point that contains appraisal language: its index in `key_points`,
    its text, the phrases found and a development-focused rewording."""
    findings = []
    for index, text in enumerate(key_points):
        phrases = appraisal_phrases_in(text)
        if phrases:
            findings.append(AppraisalFinding(index, text, phrases, suggest_rewording(text)))
    return findings


def is_flagged(key_points: Sequence[str]) -> bool:
    """Whether a session with these key points is flagged as appraisal language."""
    return any(_PHRASE_PATTERN.search(text) for text in key_points)
