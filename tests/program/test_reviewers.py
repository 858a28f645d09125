"""The draft reviewer, crisis detection and contact bookkeeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.program.contact import (
    ContactKind,
    ContactRecord,
    Initiator,
    Tone,
    frequency_warning,
    no_contact_streak_days,
    positive_exchanges,
    slip_count,
)
from bot.program.drafts import DraftContext, review_draft
from bot.program.safety import CrisisKind, detect_crisis

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def codes(text: str, **ctx: bool) -> set[str]:
    return {f.code for f in review_draft(text, DraftContext(**ctx)).findings}


def test_seed_example_message_is_ready() -> None:
    review = review_draft(
        "Hey, I saw the new exhibit at the art museum and remembered how much we both "
        "loved that Rothko show."
    )
    assert review.looks_ready
    assert {"shared_memory", "short"} <= {f.code for f in review.strengths}


def test_case_study_apology_is_credited() -> None:
    found = codes(
        "I've been reflecting on us, and I owe you an apology for how I handled things. "
        "No pressure to respond."
    )
    assert {"accountable_apology", "no_pressure"} <= found
    assert not found & {"blame", "pressure", "intensity"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("You always made everything about you.", "blame"),
        ("It was your fault and you know it", "blame"),
        ("I need an answer by Friday. Let me know by then.", "pressure"),
        ("Can we get back together? Please decide.", "pressure"),
        ("I still can't forgive what you did that night", "old_conflict"),
        ("I can't live without you", "intensity"),
        ("My new girlfriend is nothing like you, she's better than you", "comparison"),
        ("WHY are you ignoring me!!!", "intensity_marks"),
        ("Did you? Why? When? How?", "many_questions"),
    ],
)
def test_each_dont_is_found(text: str, code: str) -> None:
    assert code in codes(text)


def test_too_long_for_a_first_message() -> None:
    review = review_draft("word " * 61)
    assert [f.code for f in review.concerns] == ["too_long"]
    assert review.concerns[0].evidence == "61"


def test_second_message_after_silence_is_flagged_whatever_the_text() -> None:
    assert "second_message" in codes("Hi, hope you are well.", sent_before_without_reply=True)


@given(st.text(max_size=2000))
def test_reviewer_never_crashes(text: str) -> None:
    review = review_draft(text)
    assert review.words == len(text.replace("’", "'").strip().split())


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("sometimes I think about suicide", CrisisKind.SELF_HARM),
        ("I want to die", CrisisKind.SELF_HARM),
        ("I don’t want to live anymore", CrisisKind.SELF_HARM),
        ("I keep thinking I should hurt myself", CrisisKind.SELF_HARM),
        ("I'm not safe at home", CrisisKind.UNSAFE),
        ("he threatened me again", CrisisKind.UNSAFE),
    ],
)
def test_crisis_language_is_detected(text: str, kind: CrisisKind) -> None:
    signal = detect_crisis(text)
    assert signal is not None and signal.kind is kind


@pytest.mark.parametrize(
    "text", ["I'm killing it at the gym", "this song is to die for", "I feel safe now", "fine"]
)
def test_everyday_language_is_not_a_crisis(text: str) -> None:
    assert detect_crisis(text) is None


def rec(
    day: float, kind: ContactKind, who: Initiator = Initiator.ME, tone: Tone | None = None
) -> ContactRecord:
    return ContactRecord(T0 + timedelta(days=day), kind, who, tone)


def test_logistics_never_breaks_the_streak() -> None:
    records = [rec(3, ContactKind.LOGISTICS), rec(5, ContactKind.THEY_REACHED_OUT, Initiator.THEM)]
    assert no_contact_streak_days(T0, records, T0 + timedelta(days=10)) == 10
    assert slip_count(records) == 0


def test_slip_restarts_the_streak_without_erasing_history() -> None:
    records = [rec(4, ContactKind.SLIP)]
    assert no_contact_streak_days(T0, records, T0 + timedelta(days=10)) == 6
    assert slip_count(records) == 1


def test_frequency_guard_warns_on_rapid_starts() -> None:
    spaced = [rec(0, ContactKind.EXCHANGE), rec(4, ContactKind.EXCHANGE)]
    assert frequency_warning(spaced, T0 + timedelta(days=4)) is None
    rushed = [*spaced, rec(5, ContactKind.EXCHANGE)]
    warning = frequency_warning(rushed, T0 + timedelta(days=5))
    assert warning is not None and warning.days_since_previous == 1
    their_starts = [rec(d, ContactKind.EXCHANGE, Initiator.THEM) for d in range(5)]
    assert frequency_warning(their_starts, T0 + timedelta(days=5)) is None


def test_positive_exchanges_count_only_warm_exchanges() -> None:
    records = [
        rec(1, ContactKind.EXCHANGE, tone=Tone.WARM),
        rec(9, ContactKind.EXCHANGE, Initiator.THEM, Tone.WARM),
        rec(20, ContactKind.EXCHANGE, tone=Tone.COLD),
        rec(30, ContactKind.LOGISTICS, tone=Tone.WARM),
    ]
    assert positive_exchanges(records) == 2
