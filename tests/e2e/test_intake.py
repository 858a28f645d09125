"""Intake as the user sees it: questions, validation, tracks, and returning users."""

from __future__ import annotations

from sqlmodel import select

from bot.storage.models import CheckIn, User
from bot.testing.harness import Harness, text_of
from tests.e2e.conftest import do_intake


async def test_full_intake_explains_phase_and_plans_first_prompt(bot: Harness) -> None:
    user = bot.user()
    replies = await user.send("/start")
    assert "What name should I use" in text_of(replies)
    await user.send("Sam")
    assert "When did the breakup happen" in user.last_reply()
    await user.send("3 months ago")
    assert "Who ended" in user.last_reply()
    assert user.buttons() == ["I did", "They did", "It was mutual"]
    for label in (
        "They did",
        "1–3 years",
        "No",
        "No",
        "No",
        "None of these",
        "Getting back together",
    ):
        await user.tap(label)
    assert "Where are you" in user.last_reply()
    await user.send("Berlin")
    assert "Europe/Berlin" in user.last_reply()
    await user.send("8pm")
    done = user.last_reply()
    assert "Phase 1" in done and "today at 20:00" in done
    async with bot.app.bot_data["services"].db.session() as session:  # type: ignore[union-attr]
        row = (await session.exec(select(User).where(User.id == user.id))).one()
        checkins = (await session.exec(select(CheckIn).where(CheckIn.user_id == user.id))).all()
    assert row.timezone == "Europe/Berlin" and row.prompt_time == "20:00" and row.intake_complete
    assert {c.kind for c in checkins} >= {"daily", "weekly", "milestone"}


async def test_invalid_answers_get_kind_retries(bot: Harness) -> None:
    user = bot.user()
    await user.send("/start")
    await user.send("x" * 100)
    assert "up to 64 characters" in user.last_reply()
    await user.send("Sam")
    await user.send("next Tuesday maybe")
    assert "couldn't read that as a past date" in user.last_reply()
    await user.send("2026-01-10")
    await user.send("whatever")
    assert "pick one of the buttons" in user.new_replies()[0].text
    assert user.buttons() == ["I did", "They did", "It was mutual"]


async def test_committed_ex_sets_growth_track(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user, committed="Yes, they're in a committed relationship")
    assert "growth track" in user.last_reply()
    assert "committed relationship" in user.last_reply()


async def test_abuse_sets_safety_track(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user, safety="There was abuse")
    assert "healing track" in user.last_reply()
    assert "safety comes first" in user.last_reply()


async def test_returning_user_sees_where_they_are(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user)
    await user.send("/start")
    assert "Welcome back, Sam" in user.last_reply()
    assert "phase 1" in user.last_reply()


async def test_restart_mid_intake_continues_exactly(bot: Harness) -> None:
    user = bot.user()
    await user.send("/start")
    await user.send("Sam")
    await user.send("2026-01-10")
    await user.tap("They did")
    await bot.restart()
    await user.tap("Over 5 years")
    assert "intense" in user.last_reply()
