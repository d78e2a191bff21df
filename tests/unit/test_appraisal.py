"""The appraisal-language check: which key points are flagged, and what the manager is offered."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.appraisal import (
    APPRAISAL_PHRASES,
    COACHING_PROMPTS,
    GENERIC_SUGGESTION,
    appraisal_phrases_in,
    find_appraisal_language,
    is_flagged,
    suggest_rewording,
)
from bot.errors import AppraisalFinding


def test_the_phrases_are_exactly_the_programmes() -> None:
    assert APPRAISAL_PHRASES == (
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


@pytest.mark.parametrize("phrase", APPRAISAL_PHRASES)
def test_each_phrase_flags_a_key_point_in_any_case(phrase: str) -> None:
    for spelled in (phrase, phrase.upper(), phrase.lower(), phrase.title()):
        line = f"We talked about {spelled} today."
        assert is_flagged([line])
        assert appraisal_phrases_in(line) == (phrase,)


@pytest.mark.parametrize(
    "line",
    [
        "Reviewed the sales pipeline together",  # PIP inside pipeline
        "Pipelines and pipettes",
        "Discussed how she separated concerns in the design",  # rated inside separated
        "Corporate strategy and its goals",  # rate inside corporate
        "Generating more leads from events",  # rating inside generating
        "Celebrated the migrating of the service",
        "Forewarning the team earlier helps",  # warning inside forewarning
        "Sanctioned budget for the conference",  # sanction inside sanctioned
        "Wants to grow in negotiation",
        "Performance on the project was strong",  # performance alone is fine
        "Below the line costs explained",
        "Meeting expectations of the client went well",  # not 'not meeting expectations'
    ],
)
def test_words_that_merely_contain_a_phrase_are_not_flagged(line: str) -> None:
    assert not is_flagged([line])
    assert find_appraisal_language([line]) == []


def test_phrases_must_be_whole_words_at_the_edges_of_punctuation() -> None:
    assert appraisal_phrases_in("Outcome: PIP.") == ("PIP",)
    assert appraisal_phrases_in("(rated) 3/5") == ("rated",)
    assert appraisal_phrases_in("warning!") == ("warning",)


def test_longest_phrase_wins_where_phrases_overlap() -> None:
    assert appraisal_phrases_in("Her performance rating went up") == ("performance rating",)
    assert appraisal_phrases_in("Not meeting expectations on calls") == (
        "not meeting expectations",
    )
    assert appraisal_phrases_in("A performance improvement plan was mentioned") == (
        "performance improvement plan",
    )


def test_multi_word_phrases_match_across_extra_spaces() -> None:
    assert appraisal_phrases_in("poor   performance\tlast month") == ("poor performance",)


def test_phrases_are_listed_in_order_of_appearance_each_once() -> None:
    line = "Warning about misconduct; another warning, then a rating"
    assert appraisal_phrases_in(line) == ("warning", "misconduct", "rating")


def test_findings_give_index_text_phrases_and_a_suggestion() -> None:
    key_points = [
        "Set goals for Q3 presentations",
        "Sam is underperforming on client calls",
        "Agreed shadowing with Lee",
        "Mentioned the PIP process",
    ]
    findings = find_appraisal_language(key_points)
    assert [f.index for f in findings] == [1, 3]
    assert findings[0] == AppraisalFinding(
        index=1,
        text="Sam is underperforming on client calls",
        phrases=("underperforming",),
        suggestion="Sam wants to grow in client calls",
    )
    assert findings[1].phrases == ("PIP",)
    assert findings[1].suggestion == "Mentioned the development plan process"
    assert is_flagged(key_points)


def test_a_clean_session_is_not_flagged() -> None:
    key_points = ["Goal: lead a client demo", "Reality: has shadowed two", "Options: pair with Lee"]
    assert not is_flagged(key_points)
    assert find_appraisal_language(key_points) == []
    assert not is_flagged([])


@pytest.mark.parametrize(
    ("line", "suggestion"),
    [
        ("Sam is underperforming on client calls", "Sam wants to grow in client calls"),
        ("They are underperforming in sprint planning", "They want to grow in sprint planning"),
        ("Has been underperforming", "Has room to grow"),
        ("Underperforming in Q3 targets", "Developing in Q3 targets"),
        ("They underperform in meetings", "They want to grow in meetings"),
        ("Discussed underperformance in sales", "Discussed development needs in sales"),
        ("Discussed poor performance in Q3", "Discussed areas to develop in Q3"),
        ("Poor performance on reports", "Areas to develop on reports"),
        ("Work is below expectations", "Work is still developing"),
        ("Performing below expectations on tickets", "Still developing on tickets"),
        (
            "He is not meeting expectations on reports",
            "He is working towards agreed goals on reports",
        ),
        ("They are not meeting expectations", "They are working towards agreed goals"),
        ("Her performance rating was 2", "Her development progress was 2"),
        ("Rated 2/5 for teamwork", "Assessed 2/5 for teamwork"),
        ("Disciplinary meeting next week", "Support meeting next week"),
        ("Gave a final warning about lateness", "Shared feedback about lateness"),
        ("Warning about deadlines", "Feedback about deadlines"),
        ("Put her on a PIP", "Put her on a development plan"),
        ("PIP starts next week", "Development plan starts next week"),
        ("The performance improvement plan is ready", "The development plan is ready"),
        ("Misconduct at the offsite", "Expectations on conduct at the offsite"),
        ("Possible sanction if late again", "Possible agreed next step if late again"),
    ],
)
def test_the_suggestion_rewords_the_phrase_and_keeps_the_rest(line: str, suggestion: str) -> None:
    assert suggest_rewording(line) == suggestion
    assert not is_flagged([suggestion])


def test_a_line_that_cannot_be_reworded_gets_the_generic_suggestion() -> None:
    assert suggest_rewording("Sam is underperforming", rewordings=()) == GENERIC_SUGGESTION
    assert not is_flagged([GENERIC_SUGGESTION])


@given(
    st.lists(st.sampled_from(APPRAISAL_PHRASES), min_size=1, max_size=3),
    st.sampled_from(["", "Sam ", "We discussed the ", "Next: "]),
    st.sampled_from(["", " on calls", " in Q3.", ", agreed to talk again"]),
)
def test_every_suggestion_reads_as_development_not_appraisal(
    phrases: list[str], before: str, after: str
) -> None:
    line = before + " and ".join(phrases) + after
    [finding] = find_appraisal_language([line])
    assert set(finding.phrases) <= set(phrases)
    assert not is_flagged([finding.suggestion])


def test_grow_prompts_cover_goal_reality_options_way_forward() -> None:
    assert list(COACHING_PROMPTS) == ["Goal", "Reality", "Options", "Way forward"]
    assert all(prompt.endswith("?") and len(prompt) < 100 for prompt in COACHING_PROMPTS.values())
