"""Every command, end to end, asserting what the user sees."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.testing.harness import Harness
from tests.e2e.conftest import do_intake


async def test_commands_are_registered_with_telegram(bot: Harness) -> None:
    calls = [c for c in bot.api.calls if c.method == "setMyCommands"]
    assert calls
    names = {c["command"] for c in calls[-1].params["commands"]}
    assert names == {
        "start",
        "help",
        "today",
        "journal",
        "progress",
        "checklist",
        "sos",
        "draft",
        "contact",
        "faq",
        "dosdonts",
        "settings",
        "pause",
        "resume",
        "export",
        "delete",
        "cancel",
    }


async def test_help_faq_dosdonts_and_story(bot: Harness) -> None:
    user = bot.user()
    await user.send("/help")
    assert "/checklist" in user.last_reply() and "not a therapist" in user.last_reply()
    await user.send("/faq")
    assert "What if they don't reply?" in user.last_reply()
    await user.tap("Read a short story")
    assert "Sophie and Jordan" in user.last_reply()
    await user.send("/dosdonts")
    assert "Don't" in user.last_reply() and "Demand answers" in user.last_reply()


async def test_today_answer_and_mood(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user)
    await user.send("/today")
    question = user.last_reply()
    assert "Today's question" in question
    await user.send("/today")
    assert user.last_reply() == question  # still today's open question
    await user.send("I cooked for myself for the first time in weeks.")
    await user.tap("4")
    assert "Saved to your journal with mood 4/5" in user.last_reply()
    await user.send("/today")
    assert "already answered today's question" in user.new_replies()[0].text


async def test_journal_and_idle_text_is_never_lost(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user)
    await user.send("/journal")
    assert "Only you can see it" in user.last_reply()
    await user.send("A quiet, okay day.")
    await user.tap("3")
    assert "mood 3/5" in user.last_reply()
    await user.send("random thought that is not an answer")
    assert "Save it to your journal?" in user.last_reply()
    await user.send("and a second thought")
    await user.tap("Save it to my journal")
    await user.tap("2")
    await user.send("/export")
    exported = json.loads(bot.api.sent_to(user.id)[-1].files["document"])
    texts = [e["text"] for e in exported["journal_entry"]]
    assert "random thought that is not an answer\n\nand a second thought" in texts


async def test_progress_shows_chart_after_two_moods(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user)
    for mood in ("2", "4"):
        await user.send("/journal")
        await user.send("entry")
        await user.tap(mood)
        await bot.advance(timedelta(days=1))
    replies = await user.send("/progress")
    assert "Phase 1 of 6" in replies[0].text and "No-contact streak" in replies[0].text
    assert replies[-1].method == "sendPhoto"
    assert replies[-1].files["photo"].startswith(b"\x89PNG")


async def test_checklist_walks_all_six_with_reasons(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user)
    await user.send("/checklist")
    assert "1 of 6" in user.last_reply() and "Why it matters" in user.last_reply()
    for answer in (
        "Yes, honestly",
        "Not yet",
        "Yes, honestly",
        "Yes, honestly",
        "Not yet",
        "Yes, honestly",
    ):
        await user.tap(answer)
    summary = user.last_reply()
    assert "4 of 6" in summary and "aren't failures" in summary
    await user.tap_data("ck:space:y")
    assert "older message" in user.last_reply()


async def test_contact_slip_and_frequency_warning(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user)
    await bot.advance(timedelta(days=5))
    await user.send("/contact")
    await user.tap("I reached out (a slip)")
    assert "A slip isn't a failure" in user.last_reply()
    await user.send("/contact")
    await user.tap("We had an exchange")
    await user.tap("I started it")
    await user.tap("Neutral")
    await user.tap("Mixed")
    assert "Slow down a little" in user.last_reply()
    await user.send("/progress")
    assert "1 slip" in user.last_reply() or "2 slips" in user.last_reply()
    await user.send("/contact")
    await user.tap("Practical")
    assert "doesn't affect your no-contact streak" in user.new_replies()[0].text


async def test_settings_change_prompt_time_and_ex_status(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user, committed="Yes, they're in a committed")
    await user.send("/settings")
    assert "Daily question at: 20:00" in user.last_reply()
    await user.tap("Daily prompt time")
    await user.send("7:15am")
    # Today's 20:00 prompt had not gone out and 07:15 has passed: it comes now, not never.
    assert "Your next daily question: <b>today at 10:00</b>" in user.last_reply()
    await user.send("/settings")
    await user.tap("Their relationship status")
    await user.tap("No")
    assert "Did they reach out to you on their own?" in user.last_reply()
    await user.tap("Yes")
    assert "back on the main path" in user.last_reply()
    await user.send("/settings")
    await user.tap("Quiet hours")
    await user.send("22:00-08:00")
    assert "Saved" in user.last_reply()
    await user.send("/settings")
    assert "Quiet hours: 22:00–08:00" in user.last_reply()


async def test_settings_choice_changes_track_at_once(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user)
    await user.send("/settings")
    await user.tap("Their relationship status")
    await user.tap("Yes, they're in a committed")
    assert "growth track" in user.last_reply() and "committed relationship" in user.last_reply()
    await user.send("/settings")
    await user.tap("No contact / safety")
    await user.tap("They asked for no contact")
    assert "healing track" in user.last_reply()


async def test_pause_and_resume(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user)
    await user.send("/pause")
    assert "Paused" in user.last_reply()
    before = len(bot.api.sent_to(user.id))
    await bot.advance(timedelta(days=2))
    assert len(bot.api.sent_to(user.id)) == before
    await user.send("/resume")
    assert "Your next daily question arrives" in user.last_reply()
    await bot.advance(timedelta(days=1))
    assert "Your reflection for today" in user.all_text()


async def test_export_then_delete_then_come_back(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user, name="Robin")
    replies = await user.send("/export")
    assert replies[-1].method == "sendDocument"
    exported = json.loads(replies[-1].files["document"])
    assert exported["user"]["name"] == "Robin"
    await user.send("/delete")
    assert "Erase everything?" in user.last_reply()
    await user.tap("No, keep my data")
    assert "Nothing was deleted" in user.last_reply()
    await user.send("/delete")
    await user.tap("Yes, erase everything")
    assert "Everything is erased" in user.last_reply()
    await user.send("/progress")
    assert "send /start" in user.last_reply()
    await user.tap_data("dl:yes")
    assert "older message" in user.last_reply()
    before = len(bot.api.sent_to(user.id))
    await bot.advance(timedelta(days=2))
    assert len(bot.api.sent_to(user.id)) == before
    await user.send("/start")
    assert "What name should I use" in user.last_reply()


async def test_cancel_leaves_a_flow(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user)
    await user.send("/cancel")
    assert "nothing to cancel" in user.last_reply()
    await user.send("/sos")
    await user.send("/cancel")
    assert "Okay, stopped" in user.last_reply()
    await user.tap_data("sos:5")
    assert "older message" in user.last_reply()
