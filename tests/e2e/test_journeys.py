"""Whole journeys through the real application, with the clock moving."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.storage.models import Flag, Urge
from bot.testing.harness import Harness, SimUser
from tests.e2e.conftest import do_intake

DAY = timedelta(days=1)
STEP = timedelta(hours=2)


async def _affirm_checklist(user: SimUser) -> None:
    await user.send("/checklist")
    for _ in range(6):
        await user.tap("Yes, honestly")


async def test_from_start_to_new_chapter(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user, breakup="2025-12-01")
    await user.send("/draft")
    assert "belongs to phase 3" in user.last_reply()

    await bot.advance(14 * DAY, STEP)
    assert "Phase 2" in user.all_text() and "Would you like to begin phase 2?" in user.all_text()
    await user.tap("Yes, let's begin")
    assert "phase 2: Notice from afar" in user.last_reply()
    await user.tap("Yes, let's begin")  # the same offer tapped twice never skips a gate
    assert "Not yet" in user.last_reply() or "older message" in user.last_reply()

    await bot.advance(14 * DAY, STEP)
    assert "checklist" in user.all_text().lower()
    await _affirm_checklist(user)
    assert "6 of 6" in user.last_reply()
    await user.send("/progress")
    await user.tap("Yes, let's begin")
    assert "phase 3: One low-pressure message" in user.last_reply()

    await user.send("/draft")
    await user.send("I NEED an answer, you always ignore me!!!")
    review = user.last_reply()
    assert "To reconsider" in review and "blame" in review
    await user.send(
        "Hey, I saw the new exhibit at the art museum and remembered how much we both loved "
        "that Rothko show. No pressure to reply."
    )
    assert "What works" in user.last_reply() and "To reconsider" not in user.last_reply()
    await user.tap("I sent it")
    await user.tap("Yes, I sent it")
    assert "I'll ask you on" in user.last_reply()
    await user.send("/draft")
    assert "already sent your message" in user.last_reply()

    await bot.advance(3 * DAY + STEP, STEP)
    assert "Did they reply?" in user.all_text()
    await user.tap("They replied warmly")
    assert "light-contact phase is open" in user.last_reply()
    await user.tap("Yes, let's begin")
    assert "phase 4: Light contact" in user.last_reply()

    for _ in range(3):
        await bot.advance(10 * DAY, STEP)
        await user.send("/contact")
        await user.tap("We had an exchange")
        await user.tap("They started it")
        await user.tap("Warm")
        await user.tap("Good")
        assert "Logged" in user.last_reply()
    await user.send("/progress")
    assert (
        "What unlocks Readiness" in user.last_reply()
        and "months since the breakup" in user.last_reply()
    )
    for _ in range(6):
        await bot.advance(10 * DAY, STEP)
        await user.send("/progress")
        if "Yes, let's begin" in user.buttons():
            break
    await user.tap("Yes, let's begin")
    assert "phase 5: Readiness" in user.last_reply()

    await user.send("/progress")
    for step, label in (
        ("triggers", "Past triggers"),
        ("boundaries", "New boundaries"),
        ("listening", "Active listening"),
        ("vision", "A shared vision"),
    ):
        await user.tap(label)
        await user.send(f"My honest notes about {step}.")
    assert "explored all four" in user.last_reply()
    await bot.advance(14 * DAY, STEP)
    await user.send("/progress")
    await user.tap("We're together again")
    assert "phase 6: A new chapter" in user.last_reply()
    assert "honour the journey" in user.last_reply()


async def _to_outreach(bot: Harness, user: SimUser) -> None:
    await do_intake(user, breakup="2025-10-01")
    await bot.advance(14 * DAY, STEP)
    await user.tap("Yes, let's begin")
    await bot.advance(14 * DAY, STEP)
    await _affirm_checklist(user)
    await user.send("/progress")
    await user.tap("Yes, let's begin")


async def test_no_reply_means_no_second_message(bot: Harness) -> None:
    user = bot.user()
    await _to_outreach(bot, user)
    await user.send("/draft")
    await user.send("Hi! I remembered how we loved that trail. No pressure to respond.")
    await user.tap("I sent it")
    await user.tap("Yes, I sent it")
    await bot.advance(3 * DAY + STEP, STEP)
    await user.tap("No reply yet")
    assert "Waiting is hard" in user.last_reply()
    await bot.advance(11 * DAY + STEP, STEP)
    assert "No reply is still an answer" in user.all_text()
    assert "growth track" in user.all_text()
    await user.send("/draft")
    assert "no second message" in user.last_reply()
    await user.tap_data("dr:confirm")
    assert "older message" in user.last_reply()
    await user.send("/progress")
    assert "growth track" in user.last_reply()


async def test_growth_track_refuses_outreach_whatever_is_typed(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user, breakup="2025-01-01", committed="Yes, they're in a committed")
    await bot.advance(120 * DAY, timedelta(hours=6))
    assert "Would you like to begin" not in user.all_text()
    await user.send("/draft")
    assert "growth track" in user.last_reply()
    for forged in ("ph:go:notice", "ph:go:outreach", "dr:sent", "dr:confirm", "or:warm"):
        await user.tap_data(forged)
        reply = user.last_reply()
        assert "older message" in reply or "growth track, so there's no outreach" in reply
    await _affirm_checklist(user)
    await user.send("/progress")
    progress = user.last_reply()
    assert "Phase 1 of 6" in progress and "growth track" in progress
    assert "Yes, let's begin" not in user.buttons()


async def test_safety_track_is_healing_only(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user, safety="They asked for no contact")
    assert "healing track" in user.last_reply()
    await user.send("/draft")
    assert "healing track" in user.last_reply()
    await user.send("/today")
    assert "Today's question" in user.last_reply()


async def test_crisis_interrupts_any_flow_and_flow_continues(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user)
    await user.send("/journal")
    await user.send("Honestly I want to die some nights")
    crisis = user.last_reply()
    assert "not a therapist" in crisis and "988" in crisis
    async with bot.app.bot_data["services"].db.session() as session:  # type: ignore[union-attr]
        flags = (await session.exec(select(Flag).where(Flag.user_id == user.id))).all()
    assert [f.kind for f in flags] == ["self_harm"] and flags[0].flow == "journal"
    await user.tap("I'm safe")
    assert "continue where you left off" in user.last_reply()
    await user.send("Today was a bit better.")
    assert "How are you feeling" in user.last_reply()


async def test_restart_mid_draft_continues(bot: Harness) -> None:
    user = bot.user()
    await _to_outreach(bot, user)
    await user.send("/draft")
    await bot.restart()
    await user.send("I owe you an apology for how I handled things. No pressure to respond.")
    assert "My review" in user.last_reply()


async def test_sos_keeps_words_private(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user)
    await user.send("/sos")
    assert "Pause" in user.last_reply()
    await user.tap("8")
    assert "8/10 is logged" in user.last_reply()
    await user.send("I miss you and I hate that I do")
    assert "Kept privately" in user.last_reply()
    async with bot.app.bot_data["services"].db.session() as session:  # type: ignore[union-attr]
        urges = (await session.exec(select(Urge).where(Urge.user_id == user.id))).all()
    assert [(u.intensity, u.note) for u in urges] == [(8, "I miss you and I hate that I do")]
    assert all(c.chat_id == user.id for c in bot.api.calls if c.chat_id)
