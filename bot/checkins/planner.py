"""Planning check-in rows: idempotent inserts keyed by (user, kind, key)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.checkins.timing import (
    Kind,
    daily_candidates,
    next_weekly,
    outside_quiet_hours,
    parse_hhmm,
)
from bot.program.parsing import resolve_zone
from bot.storage.db import Database
from bot.storage.models import CheckIn, User

PLANNED = "planned"
SENDING = "sending"
SENT = "sent"
SKIPPED = "skipped"
FAILED = "failed"
HELD = "held"


async def insert_ignore(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert a check-in unless (user, kind, key) exists; True when inserted."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        builder(CheckIn)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["user_id", "kind", "key"])
    )
    result = await session.exec(statement)  # type: ignore[call-overload]
    return bool(result.rowcount)


def _quiet(user: User) -> tuple[Any, Any]:
    if user.quiet_start and user.quiet_end:
        return parse_hhmm(user.quiet_start), parse_hhmm(user.quiet_end)
    return None, None


async def plan_daily(session: AsyncSession, user: User, now: datetime) -> datetime | None:
    """Make sure the next daily prompt is planned; returns its due time.

    A day whose prompt was already sent (or skipped) is never planned again, so changing
    the prompt time neither doubles nor drops that day's prompt.
    """
    if not user.active or user.paused or not user.intake_complete:
        return None
    zone = resolve_zone(user.timezone)
    quiet_start, quiet_end = _quiet(user)
    for day, due in daily_candidates(now, zone, parse_hhmm(user.prompt_time)):
        due = outside_quiet_hours(due, zone, quiet_start, quiet_end)
        if due <= now:
            continue
        key = day.isoformat()
        existing = (
            await session.exec(
                select(CheckIn).where(
                    CheckIn.user_id == user.id, CheckIn.kind == Kind.DAILY, CheckIn.key == key
                )
            )
        ).first()
        if existing is None:
            await insert_ignore(
                session,
                {
                    "user_id": user.id,
                    "kind": Kind.DAILY,
                    "key": key,
                    "due_at": due,
                    "state": PLANNED,
                },
            )
            return due
        if existing.state == PLANNED:
            existing.due_at = due
            session.add(existing)
            return due
    return None


async def replan_daily(session: AsyncSession, user: User, now: datetime) -> datetime | None:
    """After a time, timezone or quiet-hours change: drop unsent prompts and plan the next.

    When today's prompt was still pending and the new time has already passed today, it is
    sent now rather than skipped: a change of time never costs the user a day.
    """
    zone = resolve_zone(user.timezone)
    today = daily_candidates(now, zone, parse_hhmm(user.prompt_time))[0][0].isoformat()
    pending = (
        await session.exec(
            select(CheckIn).where(
                CheckIn.user_id == user.id,
                CheckIn.kind == Kind.DAILY,
                CheckIn.state == PLANNED,
            )
        )
    ).all()
    had_today = any(row.key == today for row in pending)
    for row in pending:
        await session.delete(row)
    await session.flush()
    due = await plan_daily(session, user, now)
    if (
        had_today
        and not user.paused
        and (due is None or due.astimezone(zone).date().isoformat() != today)
    ):
        values = {
            "user_id": user.id,
            "kind": Kind.DAILY,
            "key": today,
            "due_at": now,
            "state": PLANNED,
        }
        if await insert_ignore(session, values):
            return now
    return due


async def plan_weekly(
    session: AsyncSession, user: User, now: datetime, *, not_before: datetime | None = None
) -> None:
    """Plan the coming Sunday's summary (the first one once there is a week to sum up)."""
    if not user.active or user.paused or not user.intake_complete:
        return
    zone = resolve_zone(user.timezone)
    key, due = next_weekly(max(now, not_before or now), zone, parse_hhmm(user.prompt_time))
    quiet_start, quiet_end = _quiet(user)
    due = outside_quiet_hours(due, zone, quiet_start, quiet_end) + timedelta(minutes=1)
    await insert_ignore(
        session,
        {"user_id": user.id, "kind": Kind.WEEKLY, "key": key, "due_at": due, "state": PLANNED},
    )


async def plan_once(session: AsyncSession, user: User, kind: str, key: str, due: datetime) -> None:
    """Plan a one-off check-in (milestone, follow-ups), shifted out of quiet hours."""
    zone = resolve_zone(user.timezone)
    quiet_start, quiet_end = _quiet(user)
    due = outside_quiet_hours(due, zone, quiet_start, quiet_end)
    await insert_ignore(
        session, {"user_id": user.id, "kind": kind, "key": key, "due_at": due, "state": PLANNED}
    )


async def cancel_all(session: AsyncSession, user_id: int, reason: str) -> None:
    """Stop every planned check-in of a user (blocked the bot, or deleted)."""
    await session.exec(  # type: ignore[call-overload]
        update(CheckIn)
        .where(col(CheckIn.user_id) == user_id, col(CheckIn.state).in_([PLANNED, HELD]))
        .values(state=SKIPPED, last_error=reason)
    )


async def release_held(session: AsyncSession, user_id: int, now: datetime) -> None:
    """On /resume, follow-ups held during a pause become due now."""
    await session.exec(  # type: ignore[call-overload]
        update(CheckIn)
        .where(col(CheckIn.user_id) == user_id, col(CheckIn.state) == HELD)
        .values(state=PLANNED, due_at=now)
    )


def next_daily_rows(user: User, now: datetime) -> list[dict[str, Any]]:
    """Rows for today's prompt (if still ahead) and tomorrow's, for insert-or-ignore."""
    if not user.active or user.paused or not user.intake_complete:
        return []
    zone = resolve_zone(user.timezone)
    quiet_start, quiet_end = _quiet(user)
    rows = []
    for day, due in daily_candidates(now, zone, parse_hhmm(user.prompt_time))[:2]:
        due = outside_quiet_hours(due, zone, quiet_start, quiet_end)
        if due > now:
            rows.append(
                {
                    "user_id": user.id,
                    "kind": Kind.DAILY,
                    "key": day.isoformat(),
                    "due_at": due,
                    "state": PLANNED,
                    "attempts": 0,
                }
            )
    return rows


async def insert_ignore_many(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert many check-ins in one statement, skipping (user, kind, key) that exist."""
    if not rows:
        return
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = builder(CheckIn).on_conflict_do_nothing(index_elements=["user_id", "kind", "key"])
    connection = await session.connection()
    await connection.execute(statement, rows)


async def plan_all_daily(database: Database, now: datetime, chunk: int = 5_000) -> int:
    """Make sure every active user has their next daily prompts planned; returns users seen.

    Set-based and idempotent, for start-up after downtime and for large user bases: it plans
    today's prompt (if still ahead) and tomorrow's, and insert-or-ignore skips days that
    already have a row, sent or not.
    """
    seen = 0
    last_id = -1
    while True:
        async with database.session() as session:
            users = (
                await session.exec(
                    select(User)
                    .where(
                        col(User.id) > last_id,
                        col(User.active),
                        col(User.intake_complete),
                        col(User.paused).is_(False),
                    )
                    .order_by(col(User.id))
                    .limit(chunk)
                )
            ).all()
            if not users:
                return seen
            seen += len(users)
            last_id = users[-1].id
            await insert_ignore_many(
                session, [r for user in users for r in next_daily_rows(user, now)]
            )
