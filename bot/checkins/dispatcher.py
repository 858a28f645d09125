"""The one periodic job: claim due rows, send them, record the outcome, plan what comes next.

Delivery policy:
- Rows are claimed (planned → sending) in their own committed transaction before any send;
  PostgreSQL claims with FOR UPDATE SKIP LOCKED, SQLite inside BEGIN IMMEDIATE, so two
  instances never claim the same row.
- A row is marked sent right after Telegram accepts it. A crash in between leaves it
  'sending'; after a lease of 5 minutes it is planned again and re-sent: at-least-once,
  so at most the messages in flight at the crash can arrive twice; none is lost.
- 429 is waited out and retried (never dropped); 403 marks the user inactive and cancels
  everything planned for them; other errors retry with backoff, then fail with the reason.
- After downtime, a daily prompt more than 3 hours late (a weekly summary, a day late) is
  skipped and the next one planned; milestones and follow-ups are sent late, never lost.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiolimiter import AsyncLimiter
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import Forbidden, RetryAfter, TelegramError

from bot.checkins import planner
from bot.checkins.compose import Composed, Reschedule, compose
from bot.checkins.planner import FAILED, HELD, PLANNED, SENDING, SENT, SKIPPED
from bot.checkins.timing import Kind
from bot.program import outreach
from bot.services import Services
from bot.storage import repo
from bot.storage.models import CheckIn, ProgramRow, QuestionLog, User

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
LATE_LIMIT = {Kind.DAILY: timedelta(hours=3), Kind.WEEKLY: timedelta(hours=24)}
MAX_ATTEMPTS = 5
BATCH = 500
RECURRING = (Kind.DAILY, Kind.WEEKLY)


@dataclass
class Report:
    """What one dispatcher pass did."""

    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retried: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class Dispatcher:
    """Delivers due check-ins within a global rate limit."""

    def __init__(
        self, svc: Services, bot: Bot, *, rate_per_second: float, batch: int = BATCH
    ) -> None:
        self.svc = svc
        self.bot = bot
        self.batch = batch
        self.limiter = AsyncLimiter(max(1.0, rate_per_second), 1.0)
        self._lock = asyncio.Lock()
        # Set by a 429: nothing is sent until then (clock time, so tests never sleep).
        self.backoff_until: datetime | None = None

    async def claim(self, now: datetime) -> list[int]:
        """Atomically move due rows to 'sending' and return their ids."""
        async with self.svc.db.session() as session:
            await session.exec(  # type: ignore[call-overload]
                update(CheckIn)
                .where(col(CheckIn.state) == SENDING, col(CheckIn.claimed_at) < now - LEASE)
                .values(state=PLANNED)
            )
            query = (
                select(CheckIn.id)
                .where(col(CheckIn.state) == PLANNED, col(CheckIn.due_at) <= now)
                .order_by(col(CheckIn.due_at), col(CheckIn.id))
                .limit(self.batch)
            )
            if not self.svc.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            ids = [i for i in (await session.exec(query)).all() if i is not None]
            if ids:
                await session.exec(  # type: ignore[call-overload]
                    update(CheckIn)
                    .where(col(CheckIn.id).in_(ids))
                    .values(state=SENDING, claimed_at=now, attempts=CheckIn.attempts + 1)
                )
        return ids

    async def run_once(self) -> Report:
        """One pass: claim everything due now and deliver it, in order per user."""
        async with self._lock:
            report = Report()
            while True:
                now = self.svc.clock.now()
                if self._backing_off(now):
                    return report
                ids = await self.claim(now)
                if not ids:
                    return report
                report.claimed += len(ids)
                by_user: dict[int, list[CheckIn]] = defaultdict(list)
                async with self.svc.db.session() as session:
                    rows = (
                        await session.exec(select(CheckIn).where(col(CheckIn.id).in_(ids)))
                    ).all()
                for row in sorted(rows, key=lambda r: (r.due_at, r.id or 0)):
                    by_user[row.user_id].append(row)
                await asyncio.gather(
                    *(self._deliver_user(rows, now, report) for rows in by_user.values())
                )
                if len(ids) < self.batch or self._backing_off(now):
                    return report

    async def _deliver_user(self, rows: list[CheckIn], now: datetime, report: Report) -> None:
        not_before: datetime | None = None
        for row in rows:
            if not_before is not None or self._backing_off(now):
                # Keep this user's order: nothing of theirs goes out before the row that waits.
                await self._requeue(row, max(row.due_at, not_before or now), count_attempt=False)
                report.retried += 1
                continue
            try:
                outcome = await self._deliver(row, now)
            except Exception:
                log.exception("check-in %s failed unexpectedly", row.id)
                outcome = await self._retry_or_fail(row, now, "internal error")
            if outcome == PLANNED:
                async with self.svc.db.session() as session:
                    current = await session.get(CheckIn, row.id)
                    not_before = current.due_at if current is not None else now
            report.outcomes[outcome] += 1
            if outcome == SENT:
                report.sent += 1
            elif outcome == FAILED:
                report.failed += 1
            elif outcome == PLANNED:
                report.retried += 1
            else:
                report.skipped += 1

    def _backing_off(self, now: datetime) -> bool:
        return self.backoff_until is not None and now < self.backoff_until

    async def _requeue(
        self, row: CheckIn, due: datetime, *, count_attempt: bool, reason: str = ""
    ) -> None:
        async with self.svc.db.session() as session:
            current = await session.get(CheckIn, row.id)
            if current is not None:
                current.state, current.due_at = PLANNED, due
                current.last_error = reason or current.last_error
                if not count_attempt:
                    current.attempts = max(0, current.attempts - 1)
                session.add(current)

    async def _retry_or_fail(self, row: CheckIn, now: datetime, reason: str) -> str:
        assert row.id is not None
        async with self.svc.db.session() as session:
            current = await session.get(CheckIn, row.id)
            if current is None:
                return SKIPPED
            if current.attempts >= MAX_ATTEMPTS:
                current.state, current.last_error = FAILED, reason
            else:
                delay = 30 * 2 ** (current.attempts - 1)
                current.state, current.last_error = PLANNED, reason
                current.due_at = now + timedelta(seconds=delay)
            session.add(current)
            return current.state

    async def _deliver(self, row: CheckIn, now: datetime) -> str:
        assert row.id is not None
        async with self.svc.db.session() as session:
            user = await session.get(User, row.user_id)
            program = await session.get(ProgramRow, row.user_id)
            if user is None or program is None or not user.active or not user.intake_complete:
                await self._mark(session, row.id, SKIPPED, "no active user")
                return SKIPPED
            if user.paused:
                state = SKIPPED if row.kind in RECURRING else HELD
                await self._mark(session, row.id, state, "paused")
                return state
            late = LATE_LIMIT.get(row.kind)
            if late is not None and now - row.due_at > late:
                await self._mark(session, row.id, SKIPPED, "too late after downtime")
                await self._plan_next(session, user, row.kind, now)
                return SKIPPED
            composed = await compose(session, self.svc.renderer, row, user, program, now)
            if composed is None:
                await self._mark(session, row.id, SKIPPED, "no longer applies")
                return SKIPPED
            if isinstance(composed, Reschedule):
                current = await session.get(CheckIn, row.id)
                assert current is not None
                current.state, current.due_at = PLANNED, composed.due
                session.add(current)
                return PLANNED
            chat_id = user.chat_id
        try:
            await self._send(chat_id, composed)
        except Forbidden:
            async with self.svc.db.session() as session:
                await self._mark(session, row.id, FAILED, "blocked by user")
                blocked = await session.get(User, row.user_id)
                if blocked is not None:
                    blocked.active = False
                    session.add(blocked)
                await planner.cancel_all(session, row.user_id, "user blocked the bot")
            return FAILED
        except RetryAfter as exc:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # PTB 22 warns that the type becomes timedelta
                raw = exc.retry_after
            until = now + (raw if isinstance(raw, timedelta) else timedelta(seconds=raw))
            self.backoff_until = max(self.backoff_until or until, until)
            # A 429 is Telegram asking us to wait, not a failure: it never uses up an attempt.
            await self._requeue(row, until, count_attempt=False, reason="rate limited")
            return PLANNED
        except TelegramError as exc:
            return await self._retry_or_fail(row, now, type(exc).__name__)
        await self._record_sent(row, composed, now)
        return SENT

    async def _send(self, chat_id: int, composed: Composed) -> None:
        text = self.svc.renderer.render(composed.template, **composed.variables)
        markup = (
            InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(label, callback_data=data) for label, data in r]
                    for r in composed.keyboard
                ]
            )
            if composed.keyboard
            else None
        )
        async with self.limiter:
            await self.bot.send_message(
                chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        if composed.photo is not None:
            async with self.limiter:
                await self.bot.send_photo(
                    chat_id,
                    InputFile(composed.photo, filename="mood.png"),
                    caption=composed.photo_caption,
                    parse_mode=ParseMode.HTML,
                )

    async def _mark(
        self, session: AsyncSession, checkin_id: int, state: str, error: str | None
    ) -> None:
        row = await session.get(CheckIn, checkin_id)
        if row is not None:
            row.state, row.last_error = state, error
            session.add(row)

    async def _plan_next(self, session: AsyncSession, user: User, kind: str, now: datetime) -> None:
        if kind == Kind.DAILY:
            await planner.plan_daily(session, user, now)
        elif kind == Kind.WEEKLY:
            await planner.plan_weekly(session, user, now)

    async def _record_sent(self, row: CheckIn, composed: Composed, now: datetime) -> None:
        assert row.id is not None
        async with self.svc.db.session() as session:
            current = await session.get(CheckIn, row.id)
            user = await session.get(User, row.user_id)
            program = await session.get(ProgramRow, row.user_id)
            if current is None or user is None or program is None:
                return
            current.state, current.sent_at, current.last_error = SENT, now, None
            session.add(current)
            if composed.question_id:
                session.add(
                    QuestionLog(user_id=user.id, question_id=composed.question_id, asked_at=now)
                )
                program.pending_question_id = composed.question_id
                program.pending_question_at = now
            if composed.nudge:
                await planner.insert_ignore(
                    session,
                    {
                        "user_id": user.id,
                        "kind": "nudge",
                        "key": now.date().isoformat(),
                        "due_at": now,
                        "state": SENT,
                        "sent_at": now,
                    },
                )
            if composed.silence:
                state = outreach.respect_silence(repo.state_of(program), repo.intake_of(user), now)
                repo.apply_state(program, state)
            session.add(program)
            await self._plan_next(session, user, row.kind, now)
