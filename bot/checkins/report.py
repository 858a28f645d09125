"""The operator's view: what is due and what failed, with counts."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from bot.checkins.planner import FAILED, PLANNED, SENDING
from bot.clock import SystemClock
from bot.config import Settings
from bot.storage.db import Database
from bot.storage.migrate import upgrade
from bot.storage.models import CheckIn

FAILED_SHOWN = 20


async def print_report(settings: Settings) -> int:
    """Print counts per state and kind, then what is due now and the latest failures."""
    database = Database(settings.database_url)
    await upgrade(database)
    now = SystemClock().now()
    async with database.session() as session:
        counts = (
            await session.exec(
                select(CheckIn.state, CheckIn.kind, func.count())
                .group_by(col(CheckIn.state), col(CheckIn.kind))
                .order_by(col(CheckIn.state), col(CheckIn.kind))
            )
        ).all()
        due = (
            await session.exec(
                select(func.count()).where(
                    col(CheckIn.state).in_([PLANNED, SENDING]), col(CheckIn.due_at) <= now
                )
            )
        ).one()
        failed = (
            await session.exec(
                select(CheckIn)
                .where(CheckIn.state == FAILED)
                .order_by(col(CheckIn.due_at).desc())
                .limit(FAILED_SHOWN)
            )
        ).all()
    await database.dispose()
    print(f"{'state':<10} {'kind':<14} {'count':>8}")
    for state, kind, count in counts:
        print(f"{state:<10} {kind:<14} {count:>8}")
    print(f"\ndue now (planned or sending, due at or before {now:%Y-%m-%d %H:%M} UTC): {due}")
    print(f"failed: {sum(c for s, _, c in counts if s == FAILED)}")
    for row in failed:
        print(
            f"  #{row.id} user {row.user_id} {row.kind} "
            f"due {row.due_at:%Y-%m-%d %H:%M}: {row.last_error}"
        )
    return 0
