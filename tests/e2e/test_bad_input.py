"""Bad input gets a kind reply from a template, and nothing is lost or crashes."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.storage.models import JournalEntry
from bot.testing.harness import Harness
from tests.e2e.conftest import do_intake


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "document", "location"])
async def test_media_gets_a_kind_reply_and_keeps_the_flow(bot: Harness, kind: str) -> None:
    user = bot.user()
    await do_intake(user)
    await user.send("/journal")
    replies = await user.send_media(kind)
    assert len(replies) == 1 and "write it out" in replies[0].text
    await user.send("Written instead.")
    assert "How are you feeling" in user.last_reply()


async def test_stranger_media_and_text(bot: Harness) -> None:
    user = bot.user()
    await user.send_media("sticker")
    assert "/help" in user.last_reply()
    await user.send("hello?")
    assert "send /start" in user.last_reply()


async def test_edited_message(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user)
    replies = await user.edit("changed my mind")
    assert "edited a message" in replies[0].text


async def test_empty_and_huge_texts(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user)
    await user.send("   ")
    assert "looks empty" in user.last_reply()
    await user.send("x" * 5000)
    assert "parts of at most 4096" in user.last_reply()
    await user.send("/journal")
    await user.send("y" * 4096)
    assert "How are you feeling" in user.last_reply()


async def test_unknown_command_and_command_mid_flow(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user)
    await user.send("/frobnicate")
    assert "don't know that command" in user.last_reply()
    await user.send("/journal")
    replies = await user.send("/help")
    assert "What I can do" in replies[0].text and "middle of something" in replies[-1].text
    await user.send("still journaling")
    assert "How are you feeling" in user.last_reply()


async def test_commands_during_intake_point_back_to_it(bot: Harness) -> None:
    user = bot.user()
    await user.send("/start")
    await user.send("Sam")
    await user.send("/progress")
    replies = user.new_replies()
    assert (
        "finish setup first" in replies[0].text
        and "When did the breakup happen" in replies[-1].text
    )
    await user.send("2026-01-01")
    assert "Who ended" in user.last_reply()


@pytest.mark.parametrize(
    "data",
    [
        "",
        "x",
        "md:1:9",
        "md:999999:3",
        "in:name:Sam",
        "ph:go:nowhere",
        "ck:space:maybe",
        "st:../../etc",
        "sv:hope:everything",
        "dl:yes",
        "ct:kind:stalk",
        "fd:hack",
        "🙂" * 20,
    ],
)
async def test_forged_or_stale_buttons(bot: Harness, data: str) -> None:
    user = bot.user()
    await do_intake(user)
    replies = await user.tap_data(data)
    assert len(replies) == 1
    assert "older message" in replies[0].text


async def test_mood_for_another_users_entry_is_refused(bot: Harness) -> None:
    alice, mallory = bot.user(), bot.user()
    await do_intake(alice)
    await do_intake(mallory)
    await alice.send("/journal")
    await alice.send("Alice's private entry")
    entry_data = bot.api.sent_to(alice.id)[-1].buttons[0][1]
    await mallory.send("/journal")
    await mallory.send("Mallory's entry")
    await mallory.tap_data(entry_data.replace(":1", ":5"))
    assert "older message" in mallory.last_reply()
    async with bot.app.bot_data["services"].db.session() as session:  # type: ignore[union-attr]
        entries = (await session.exec(select(JournalEntry))).all()
    assert all(e.mood is None for e in entries)
    assert not any("Alice" in c.text for c in bot.api.sent_to(mallory.id))
