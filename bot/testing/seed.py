"""Bulk users with completed intake, for scale tests and the benchmark."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import insert

from bot.checkins.planner import PLANNED
from bot.checkins.timing import Kind
from bot.storage.db import Database
from bot.storage.models import CheckIn, ProgramRow, User

CHUNK = 2_000


async def seed_users(
    database: Database,
    count: int,
    now: datetime,
    *,
    first_id: int = 1_000_000,
    timezone: str = "UTC",
    prompt_time: str = "20:00",
    daily_due: datetime | None = None,
) -> list[int]:
    """Insert `count` users past intake; with `daily_due`, each has a daily prompt due then."""
    ids = list(range(first_id, first_id + count))
    for start in range(0, count, CHUNK):
        chunk = ids[start : start + CHUNK]
        users: list[dict[str, Any]] = [
            {
                "id": i,
                "chat_id": i,
                "name": f"user{i}",
                "created_at": now,
                "last_seen_at": now,
                "active": True,
                "intake_complete": True,
                "breakup_date": date(2026, 1, 1),
                "ended_by": "mutual",
                "together": "one_to_three",
                "intense": False,
                "coparenting": False,
                "ex_committed": False,
                "no_contact_requested": False,
                "abuse_or_protective_order": False,
                "hope": "unsure",
                "timezone": timezone,
                "prompt_time": prompt_time,
                "paused": False,
            }
            for i in chunk
        ]
        programs: list[dict[str, Any]] = [
            {
                "user_id": i,
                "phase": "reflect",
                "track": "main",
                "started_at": now,
                "phase_started_at": now,
                "ex_reached_out": False,
                "ex_was_committed": False,
                "foundation_done": "",
                "last_answer_at": now,
            }
            for i in chunk
        ]
        async with database.session() as session:
            await session.exec(insert(User).values(users))  # type: ignore[call-overload]
            await session.exec(insert(ProgramRow).values(programs))  # type: ignore[call-overload]
            if daily_due is not None:
                checkins = [
                    {
                        "user_id": i,
                        "kind": Kind.DAILY,
                        "key": daily_due.date().isoformat(),
                        "due_at": daily_due,
                        "state": PLANNED,
                        "attempts": 0,
                    }
                    for i in chunk
                ]
                await session.exec(insert(CheckIn).values(checkins))  # type: ignore[call-overload]
    return ids
