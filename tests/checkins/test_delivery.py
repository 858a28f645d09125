"""Check-ins: right local time across DST, exactly once through restarts, crashes, 429s and 403s."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.checkins.dispatcher import Dispatcher
from bot.clock import ManualClock
from bot.storage.models import CheckIn, User
from bot.testing.fake_api import FakeBotAPI
from bot.testing.harness import Harness, SimUser
from bot.testing.seed import seed_users
from tests.e2e.conftest import do_intake, make_settings

DAY = timedelta(days=1)
PROMPT = "Your reflection for today"


@pytest.fixture
async def bot(db_url: str) -> AsyncIterator[Harness]:
    harness = await Harness(
        make_settings(db_url), ManualClock(datetime(2026, 3, 1, 0, 0, tzinfo=UTC))
    ).start()
    yield harness
    await harness.stop()


async def _rows(bot: Harness, user_id: int | None = None, kind: str = "daily") -> list[CheckIn]:
    async with bot.app.bot_data["services"].db.session() as session:  # type: ignore[union-attr]
        query = select(CheckIn).where(CheckIn.kind == kind)
        if user_id is not None:
            query = query.where(CheckIn.user_id == user_id)
        return list((await session.exec(query.order_by(CheckIn.due_at))).all())


def _daily_messages(user: SimUser) -> list[str]:
    return [
        c.text for c in user.api.sent_to(user.id) if PROMPT in c.text or "gentle hello" in c.text
    ]


ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
]


@pytest.mark.parametrize(
    "start", [datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 10, 20, tzinfo=UTC)]
)
async def test_a_month_of_prompts_at_local_time_across_dst(bot: Harness, start: datetime) -> None:
    bot.clock.set(start)
    users = {zone: bot.user() for zone in ZONES}
    for zone, user in users.items():
        await do_intake(user, timezone=zone, prompt_time="20:00")
    await bot.advance(36 * DAY, timedelta(minutes=30))
    for zone, user in users.items():
        sent = [r for r in await _rows(bot, user.id) if r.state == "sent"]
        local = [r.sent_at.astimezone(ZoneInfo(zone)) for r in sent if r.sent_at]
        days = [d.date() for d in local]
        assert all(d.time() == time(20, 0) for d in local), (
            zone,
            [d for d in local if d.time() != time(20)],
        )
        assert len(days) == len(set(days)) >= 35, zone
        assert all((b - a).days == 1 for a, b in itertools.pairwise(days)), zone
        assert [r.key for r in sent] == [d.isoformat() for d in days]
        assert len(_daily_messages(user)) == len(sent)


async def test_restart_after_downtime_skips_stale_prompts_but_sends_follow_ups(
    bot: Harness,
) -> None:
    user = bot.user()
    await do_intake(user, timezone="UTC", prompt_time="20:00")
    async with bot.app.bot_data["services"].db.session() as session:  # type: ignore[union-attr]
        session.add(
            CheckIn(user_id=user.id, kind="reply_check", key="x", due_at=bot.clock.now() + 2 * DAY)
        )
    await bot.stop()
    bot.clock.set(bot.clock.now() + 3 * DAY + timedelta(hours=2))  # down for three days
    await bot.start()
    before = len(bot.api.sent_to(user.id))
    await bot.dispatch()
    assert len(bot.api.sent_to(user.id)) == before  # no burst of stale prompts
    rows = await _rows(bot, user.id)
    assert rows[0].state == "skipped" and rows[0].last_error == "too late after downtime"
    assert rows[1:] and all(r.state == "planned" and r.due_at > bot.clock.now() for r in rows[1:])
    assert len({r.key for r in rows}) == len(rows)
    follow_up = (await _rows(bot, user.id, "reply_check"))[0]
    assert follow_up.state in (
        "skipped",
        "sent",
    )  # sent late, or skipped because no outreach happened


async def test_crash_between_send_and_mark_resends_at_most_in_flight(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = bot.user()
    await do_intake(user, timezone="UTC", prompt_time="20:00")
    bot.clock.set(datetime(2026, 3, 1, 20, 0, tzinfo=UTC))

    async def crash(*_: object) -> None:
        raise asyncio.CancelledError  # the process dies right after Telegram accepted the message

    monkeypatch.setattr(Dispatcher, "_flush", crash)
    with pytest.raises(asyncio.CancelledError):
        await bot.dispatch()
    monkeypatch.undo()
    assert len(_daily_messages(user)) == 1
    await bot.restart()
    await bot.advance(timedelta(minutes=10), timedelta(minutes=1))
    messages = _daily_messages(user)
    assert 1 <= len(messages) <= 2  # never lost; at most the one in flight is doubled
    assert [r.state for r in await _rows(bot, user.id)][:1] == ["sent"]
    await bot.advance(DAY)
    assert len(_daily_messages(user)) == len(messages) + 1


async def test_429_storm_delivers_everything_once_in_order(bot: Harness) -> None:
    users = [bot.user() for _ in range(8)]
    for user in users:
        await do_intake(user, timezone="UTC", prompt_time="20:00")
    bot.clock.set(datetime(2026, 3, 1, 19, 59, tzinfo=UTC))
    async with bot.app.bot_data["services"].db.session() as session:  # type: ignore[union-attr]
        for user in users:
            session.add(
                CheckIn(
                    user_id=user.id,
                    kind="reply_check",
                    key="o",
                    due_at=bot.clock.now() + timedelta(minutes=2),
                )
            )
    bot.api.retry_after_next = 12
    await bot.advance(timedelta(minutes=30), timedelta(seconds=30))
    assert bot.api.retry_after_count >= 12
    for user in users:
        assert len(_daily_messages(user)) == 1
        assert (await _rows(bot, user.id))[0].state == "sent"


async def test_blocked_user_is_marked_inactive_and_gets_nothing_more(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user, timezone="UTC", prompt_time="20:00")
    bot.api.blocked.add(user.id)
    await bot.advance(DAY)
    async with bot.app.bot_data["services"].db.session() as session:  # type: ignore[union-attr]
        assert (await session.get(User, user.id)).active is False  # type: ignore[union-attr]
    attempts = len([c for c in bot.api.calls if c.chat_id == user.id])
    bot.api.blocked.clear()
    await bot.advance(5 * DAY)
    assert len([c for c in bot.api.calls if c.chat_id == user.id]) == attempts
    assert {r.state for r in await _rows(bot, user.id)} <= {"failed", "skipped"}


async def test_prompt_time_change_at_1959_neither_doubles_nor_drops(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user, timezone="Europe/Berlin", prompt_time="20:00")
    bot.clock.set(datetime(2026, 3, 1, 18, 59, tzinfo=UTC))  # 19:59 in Berlin
    await user.send("/settings")
    await user.tap("Daily prompt time")
    await user.send("20:30")
    await bot.advance(timedelta(hours=2), timedelta(minutes=1))
    sent = [r for r in await _rows(bot, user.id) if r.state == "sent"]
    assert len(sent) == 1 and sent[0].sent_at == datetime(2026, 3, 1, 19, 30, tzinfo=UTC)
    bot.clock.set(datetime(2026, 3, 2, 18, 59, tzinfo=UTC))
    await user.send("/settings")
    await user.tap("Daily prompt time")
    await user.send("19:00")  # already passed today: today's prompt comes now, once
    await bot.advance(DAY, timedelta(minutes=5))
    by_day = Counter(r.key for r in await _rows(bot, user.id) if r.state == "sent")
    assert by_day == Counter({"2026-03-01": 1, "2026-03-02": 1, "2026-03-03": 1})


async def test_quiet_hours_delay_until_they_end(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user, timezone="UTC", prompt_time="23:00")
    await user.send("/settings")
    await user.tap("Quiet hours")
    await user.send("22:00-07:30")
    await bot.advance(2 * DAY, timedelta(minutes=30))
    sent = [r for r in await _rows(bot, user.id) if r.state == "sent"]
    assert sent and all(r.sent_at and r.sent_at.time() == time(7, 30) for r in sent)


async def test_pause_holds_follow_ups_and_resume_releases_them(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user, timezone="UTC", prompt_time="20:00")
    await user.send("/pause")
    async with bot.app.bot_data["services"].db.session() as session:  # type: ignore[union-attr]
        session.add(
            CheckIn(user_id=user.id, kind="milestone", key="notice:x", due_at=bot.clock.now() + DAY)
        )
    await bot.advance(3 * DAY)
    assert _daily_messages(user) == []
    assert [r.state for r in await _rows(bot, user.id, "milestone") if r.key == "notice:x"] == [
        "held"
    ]
    await user.send("/resume")
    await bot.advance(DAY)
    assert len(_daily_messages(user)) == 1
    assert [r.state for r in await _rows(bot, user.id, "milestone") if r.key == "notice:x"] != [
        "held"
    ]


async def test_nudges_after_three_quiet_days_at_most_two(bot: Harness) -> None:
    user = bot.user()
    await do_intake(user, timezone="UTC", prompt_time="20:00")
    await bot.advance(30 * DAY, timedelta(hours=1))
    nudges = [c for c in bot.api.sent_to(user.id) if "gentle hello" in c.text]
    assert len(nudges) == 2


async def test_two_instances_send_each_check_in_exactly_once(db_url: str) -> None:
    count = 1_000 if db_url.startswith("postgres") else 300
    now = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    clock = ManualClock(now)
    first = await Harness(make_settings(db_url), clock, FakeBotAPI()).start()
    second = await Harness(make_settings(db_url), clock, FakeBotAPI()).start()
    try:
        ids = await seed_users(first.app.bot_data["services"].db, count, now, daily_due=now)  # type: ignore[union-attr]
        for harness in (first, second):
            harness.app.bot_data["dispatcher"].batch = 50  # type: ignore[union-attr]
        await asyncio.gather(first.dispatch(), second.dispatch())
        sent: defaultdict[int, int] = defaultdict(int)
        for api in (first.api, second.api):
            for call in api.calls:
                if call.method == "sendMessage":
                    sent[call.chat_id or 0] += 1
        assert set(sent) == set(ids)
        assert set(sent.values()) == {1}
        assert first.api.calls and second.api.calls  # both instances took part
    finally:
        await first.stop()
        await second.stop()


async def test_start_up_healing_plans_missing_prompts_once(bot: Harness) -> None:
    from bot.checkins.planner import plan_all_daily

    user = bot.user()
    await do_intake(user, timezone="UTC", prompt_time="20:00")
    await bot.advance(DAY)  # the first day's prompt goes out
    planned = [r.id for r in await _rows(bot, user.id) if r.state == "planned"]
    async with bot.app.bot_data["services"].db.session() as session:  # type: ignore[union-attr]
        for checkin_id in planned:
            await session.delete(await session.get(CheckIn, checkin_id))
    db = bot.app.bot_data["services"].db  # type: ignore[union-attr]
    await plan_all_daily(db, bot.clock.now())
    await plan_all_daily(db, bot.clock.now())
    rows = await _rows(bot, user.id)
    keys = [r.key for r in rows]
    assert len(keys) == len(set(keys))
    assert any(r.state == "planned" and r.due_at > bot.clock.now() for r in rows)
    assert [r.key for r in rows if r.state == "sent"] == ["2026-03-01"]
