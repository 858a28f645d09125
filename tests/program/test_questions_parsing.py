"""Question rotation and free-text parsing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.program.parsing import parse_past_date, parse_time_of_day, parse_timezone, resolve_zone
from bot.program.questions import NO_REPEAT_DAYS, THEMES, Question, choose_question

BANK = [
    Question(f"q{i}", THEMES[i % len(THEMES)], frozenset({"reflect"} if i < 35 else {"general"}))
    for i in range(45)
]
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@settings(max_examples=50, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=10_000), days=st.integers(min_value=31, max_value=90)
)
def test_no_repeat_within_thirty_days(seed: int, days: int) -> None:
    asked: dict[str, datetime] = {}
    history: list[tuple[datetime, str]] = []
    for day in range(days):
        now = T0 + timedelta(days=day)
        question = choose_question(BANK, "reflect", asked, now, seed + day)
        for when, qid in history:
            if qid == question.id:
                assert now - when >= timedelta(days=NO_REPEAT_DAYS)
        asked[question.id] = now
        history.append((now, question.id))


def test_themes_rotate() -> None:
    asked: dict[str, datetime] = {}
    themes = []
    for day in range(len(THEMES)):
        question = choose_question(BANK, "reflect", asked, T0 + timedelta(days=day), day)
        asked[question.id] = T0 + timedelta(days=day)
        themes.append(question.theme)
    assert sorted(themes) == sorted(THEMES)


def test_exhausted_pool_falls_back_to_general_then_oldest() -> None:
    small = [
        Question("a", "healing", frozenset({"x"})),
        Question("b", "patience", frozenset({"general"})),
    ]
    asked = {"a": T0}
    assert choose_question(small, "x", asked, T0 + timedelta(days=1)).id == "b"
    asked["b"] = T0 + timedelta(days=1)
    assert choose_question(small, "x", asked, T0 + timedelta(days=2)).id == "a"


TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01", date(2026, 3, 1)),
        ("3 months ago", date(2026, 8, 22)),
        ("last June", date(2026, 6, 1)),
        ("yesterday", date(2026, 11, 21)),
    ],
)
def test_breakup_dates(text: str, expected: date) -> None:
    assert parse_past_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["", "tomorrow", "2030-01-01", "banana", "x" * 500])
def test_breakup_dates_refused(text: str) -> None:
    assert parse_past_date(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20:00", time(20)),
        ("8pm", time(20)),
        ("8 pm", time(20)),
        ("7.30am", time(7, 30)),
        ("0:05", time(0, 5)),
    ],
)
def test_times(text: str, expected: time) -> None:
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize("text", ["25:00", "13pm", "noonish", "", "20:61"])
def test_times_refused(text: str) -> None:
    assert parse_time_of_day(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("New York", "America/New_York"),
        ("UTC+2", "UTC+02:00"),
        ("GMT-5:30", "UTC-05:30"),
        ("utc", "UTC"),
    ],
)
def test_timezones(text: str, expected: str) -> None:
    assert parse_timezone(text) == expected


def test_offset_zone_resolves() -> None:
    zone = resolve_zone("UTC+05:30")
    assert datetime(2026, 1, 1, tzinfo=zone).utcoffset() == timedelta(hours=5, minutes=30)
    assert parse_timezone("Atlantis") is None
    assert parse_timezone("UTC+15") is None
