"""The one periodic job: claim due rows, send them, record the outcome, plan what comes next.

Delivery policy:
- Rows are claimed (planned → sending) in their own committed transaction before any send;
  PostgreSQL claims with FOR UPDATE SKIP LOCKED, SQLite inside BEGIN IMMEDIATE, so two
  instances never claim the same row.
- Outcomes are written in small batches right after Telegram accepts each message (at most
  FLUSH_EVERY rows or FLUSH_SECONDS apart). A crash before that write leaves the row
  'sending'; after the lease it is planned again and re-sent: at-least-once, so at most the
  messages in flight at the crash can arrive twice; none is lost.
- 429 pauses all sending until its retry_after has passed and never uses up an attempt;
  403 marks the user inactive and cancels everything planned for them; other errors retry
  with backoff (30 s, 1, 2, 4 min), then fail with the reason.
- After downtime, a daily prompt more than 3 hours late (a weekly summary, a day late) is
  skipped and the next one planned; milestones and follow-ups are sent late, never lost.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import Forbidden, RetryAfter, TelegramError

from bot.checkins import planner
from bot.checkins.compose import NUDGE, Composed, Prefetched, Reschedule, compose, prefetch
from bot.checkins.planner import FAILED, HELD, PLANNED, SENDING, SENT, SKIPPED
from bot.checkins.timing import Kind
from bot.coach import record_asked
from bot.program import outreach
from bot.ratelimit import SendBudget, retry_after_seconds
from bot.services import Services
from bot.storage import repo
from bot.storage.models import CheckIn, ProgramRow, User

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
LATE_LIMIT = {Kind.DAILY: timedelta(hours=3), Kind.WEEKLY: timedelta(hours=24)}
MAX_ATTEMPTS = 5
BATCH = 500
FLUSH_EVERY = 50
FLUSH_SECONDS = 0.5
RECURRING = (Kind.DAILY, Kind.WEEKLY)
YIELD_EVERY = 25


@dataclass
class Report:
    """What one dispatcher pass did."""

    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retried: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def count(self, outcome: str) -> None:
        """Tally one row's outcome."""
        self.outcomes[outcome] += 1
        if outcome == SENT:
            self.sent += 1
        elif outcome == FAILED:
            self.failed += 1
        elif outcome == PLANNED:
            self.retried += 1
        else:
            self.skipped += 1


@dataclass
class Outcome:
    """What happened to one claimed row, to be written in the next flush."""

    checkin_id: int
    user_id: int
    kind: str
    state: str
    error: str | None = None
    due: datetime | None = None
    count_attempt: bool = True
    composed: Composed | None = None
    blocked: bool = False
    plan_next: bool = False


async def _people(
    session: AsyncSession, user_ids: set[int]
) -> tuple[dict[int, User], dict[int, ProgramRow]]:
    """Users and their program rows for a batch, in two queries."""
    ids = list(user_ids)
    users = (await session.exec(select(User).where(col(User.id).in_(ids)))).all()
    programs = (
        await session.exec(select(ProgramRow).where(col(ProgramRow.user_id).in_(ids)))
    ).all()
    return {u.id: u for u in users}, {p.user_id: p for p in programs}


def _outcome(row: CheckIn, state: str, **details: object) -> Outcome:
    assert row.id is not None
    return Outcome(row.id, row.user_id, row.kind, state, **details)  # type: ignore[arg-type]


@dataclass
class Batch:
    """Claimed rows with what each will say, grouped by user in due order."""

    ids: list[int]
    now: datetime
    users: dict[int, User]
    plans: dict[int, list[tuple[CheckIn, Composed | Outcome]]]


class Dispatcher:
    """Delivers due check-ins within a global rate limit."""

    def __init__(self, svc: Services, bot: Bot, *, budget: SendBudget, batch: int = BATCH) -> None:
        self.svc = svc
        self.bot = bot
        self.batch = batch
        self.lease = LEASE
        self.budget = budget
        self._lock = asyncio.Lock()
        # Set by a 429: nothing is sent until then (clock time, so tests never sleep).
        self.backoff_until: datetime | None = None
        self._pending: list[Outcome] = []
        self._last_flush = time.monotonic()

    def _backing_off(self, now: datetime) -> bool:
        return self.backoff_until is not None and now < self.backoff_until

    async def claim(self, now: datetime) -> list[int]:
        """Atomically move due rows to 'sending' and return their ids."""
        async with self.svc.db.session() as session:
            await session.exec(  # type: ignore[call-overload]
                update(CheckIn)
                .where(col(CheckIn.state) == SENDING, col(CheckIn.claimed_at) < now - self.lease)
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
        """One pass: claim everything due now and deliver it, in order per user.

        The next batch is claimed and composed while the current one is being sent, so
        the send budget is never idle waiting for the database.
        """
        async with self._lock:
            report = Report()
            upcoming: asyncio.Task[Batch | None] | None = asyncio.create_task(self._prepare())
            try:
                while upcoming is not None:
                    batch = await upcoming
                    upcoming = None
                    if batch is None:
                        break
                    report.claimed += len(batch.ids)
                    if len(batch.ids) == self.batch:
                        upcoming = asyncio.create_task(self._prepare())
                    await asyncio.gather(
                        *(
                            self._send_user(batch.users.get(uid), items, batch.now, report)
                            for uid, items in batch.plans.items()
                        )
                    )
                    await self._flush()
            finally:
                if upcoming is not None:
                    # A prepared batch that will not be sent now goes back to 'planned'.
                    batch = await upcoming
                    if batch is not None:
                        await self._release(batch.ids)
            return report

    async def _release(self, ids: list[int]) -> None:
        async with self.svc.db.session() as session:
            await session.exec(  # type: ignore[call-overload]
                update(CheckIn)
                .where(col(CheckIn.id).in_(ids), col(CheckIn.state) == SENDING)
                .values(state=PLANNED, attempts=CheckIn.attempts - 1)
            )

    async def _prepare(self) -> Batch | None:
        """Claim due rows and decide what each one says (None when nothing is due)."""
        now = self.svc.clock.now()
        if self._backing_off(now):
            return None
        ids = await self.claim(now)
        if not ids:
            return None
        async with self.svc.db.session() as session:
            rows = (await session.exec(select(CheckIn).where(col(CheckIn.id).in_(ids)))).all()
            users, programs = await _people(session, {row.user_id for row in rows})
            daily = [
                (users[r.user_id], programs[r.user_id])
                for r in rows
                if r.kind == Kind.DAILY and r.user_id in users and r.user_id in programs
            ]
            facts = await prefetch(session, daily, now)
            plans: dict[int, list[tuple[CheckIn, Composed | Outcome]]] = defaultdict(list)
            for index, row in enumerate(sorted(rows, key=lambda r: (r.due_at, r.id or 0))):
                if index % YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # composing 500 prompts must not stall chatting users
                user, program = users.get(row.user_id), programs.get(row.user_id)
                decided = await self._decide(
                    session, row, user, program, now, facts.get(row.user_id)
                )
                plans[row.user_id].append((row, decided))
        return Batch(ids, now, users, plans)

    async def _decide(
        self,
        session: AsyncSession,
        row: CheckIn,
        user: User | None,
        program: ProgramRow | None,
        now: datetime,
        facts: Prefetched | None,
    ) -> Composed | Outcome:
        assert row.id is not None
        if user is None or program is None or not user.active or not user.intake_complete:
            return _outcome(row, state=SKIPPED, error="no active user")
        if user.paused:
            held = SKIPPED if row.kind in RECURRING else HELD
            return _outcome(row, state=held, error="paused")
        late = LATE_LIMIT.get(row.kind)
        if late is not None and now - row.due_at > late:
            return _outcome(row, state=SKIPPED, error="too late after downtime", plan_next=True)
        composed = await compose(session, self.svc.renderer, row, user, program, now, facts)
        if composed is None:
            return _outcome(row, state=SKIPPED, error="no longer applies")
        if isinstance(composed, Reschedule):
            return _outcome(row, state=PLANNED, due=composed.due, count_attempt=False)
        return composed

    async def _send_user(
        self,
        user: User | None,
        items: list[tuple[CheckIn, Composed | Outcome]],
        now: datetime,
        report: Report,
    ) -> None:
        not_before: datetime | None = None
        for row, decided in items:
            assert row.id is not None
            if isinstance(decided, Outcome):
                outcome = decided
            elif not_before is not None or self._backing_off(now):
                # Keep this user's order: nothing of theirs goes out before the row that waits.
                due = max(row.due_at, not_before or self.backoff_until or now)
                outcome = _outcome(row, state=PLANNED, due=due, count_attempt=False)
            else:
                assert user is not None
                outcome = await self._send_one(row, user, decided, now)
            if outcome.state == PLANNED:
                not_before = max(not_before or now, outcome.due or now)
            report.count(outcome.state)
            await self._record(outcome)

    async def _send_one(
        self, row: CheckIn, user: User, composed: Composed, now: datetime
    ) -> Outcome:
        assert row.id is not None
        try:
            await self._send(user.chat_id, composed)
        except Forbidden:
            return _outcome(row, state=FAILED, error="blocked by user", blocked=True)
        except RetryAfter as exc:
            until = now + timedelta(seconds=retry_after_seconds(exc))
            self.backoff_until = max(self.backoff_until or until, until)
            # A 429 is Telegram asking us to wait, not a failure: it never uses up an attempt.
            return _outcome(row, PLANNED, due=until, count_attempt=False, error="rate limited")
        except TelegramError as exc:
            if row.attempts >= MAX_ATTEMPTS:
                return _outcome(row, state=FAILED, error=type(exc).__name__)
            delay = timedelta(seconds=30 * 2 ** max(0, row.attempts - 1))
            return _outcome(row, state=PLANNED, due=now + delay, error=type(exc).__name__)
        return _outcome(row, state=SENT, composed=composed, plan_next=True)

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
        await self.budget.bulk()
        await self.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)
        if composed.photo is not None:
            await self.budget.bulk()
            await self.bot.send_photo(
                chat_id,
                InputFile(composed.photo, filename="mood.png"),
                caption=composed.photo_caption,
                parse_mode=ParseMode.HTML,
            )

    async def _record(self, outcome: Outcome) -> None:
        self._pending.append(outcome)
        due = (
            len(self._pending) >= FLUSH_EVERY
            or time.monotonic() - self._last_flush >= FLUSH_SECONDS
        )
        if due:
            await self._flush()

    async def _flush(self) -> None:
        """Write every pending outcome in one transaction."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        self._last_flush = time.monotonic()
        now = self.svc.clock.now()
        async with self.svc.db.session() as session:
            rows = {
                r.id: r
                for r in (
                    await session.exec(
                        select(CheckIn).where(col(CheckIn.id).in_([o.checkin_id for o in pending]))
                    )
                ).all()
            }
            users, programs = await _people(session, {o.user_id for o in pending})
            next_daily: list[dict[str, Any]] = []
            for index, outcome in enumerate(pending):
                if index % YIELD_EVERY == 0:
                    await asyncio.sleep(0)
                row = rows.get(outcome.checkin_id)
                if row is None:
                    continue
                row.state, row.last_error = outcome.state, outcome.error
                if outcome.due is not None:
                    row.due_at = outcome.due
                if not outcome.count_attempt:
                    row.attempts = max(0, row.attempts - 1)
                if outcome.state == SENT:
                    row.sent_at = now
                session.add(row)
                user = users.get(outcome.user_id)
                await self._apply(session, outcome, user, programs.get(outcome.user_id), now)
                if outcome.plan_next and outcome.kind == Kind.DAILY and user is not None:
                    next_daily.extend(planner.next_daily_rows(user, now))
            await planner.insert_ignore_many(session, next_daily)

    async def _apply(
        self,
        session: AsyncSession,
        outcome: Outcome,
        user: User | None,
        program: ProgramRow | None,
        now: datetime,
    ) -> None:
        if user is None:
            return
        if outcome.blocked:
            user.active = False
            session.add(user)
            await planner.cancel_all(session, user.id, "user blocked the bot")
            return
        composed = outcome.composed
        if composed is not None and program is not None:
            if composed.question_id:
                record_asked(session, program, composed.question_id, now)
            if composed.nudge:
                await planner.insert_ignore(
                    session,
                    {
                        "user_id": user.id,
                        "kind": NUDGE,
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
        if outcome.plan_next and outcome.kind == Kind.WEEKLY:
            await planner.plan_weekly(session, user, now)
