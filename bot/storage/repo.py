"""Small repository functions: each takes a session inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.program.contact import ContactKind, ContactRecord, Initiator, Tone
from bot.program.model import (
    EndedBy,
    Hope,
    Intake,
    OutreachOutcome,
    Phase,
    ProgramState,
    Together,
    Track,
)
from bot.storage.models import (
    USER_TABLES,
    ChecklistAnswer,
    ContactEvent,
    Conversation,
    JournalEntry,
    ProgramRow,
    QuestionLog,
    User,
)


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    """The user row, or None for someone we have never met (or who deleted their data)."""
    return await session.get(User, user_id)


def intake_of(user: User) -> Intake:
    """The program's view of a user's intake answers."""
    if user.breakup_date is None:
        raise ValueError("intake incomplete")
    return Intake(
        breakup_date=user.breakup_date,
        ended_by=EndedBy(user.ended_by),
        together=Together(user.together),
        intense=user.intense,
        coparenting=user.coparenting,
        ex_committed=user.ex_committed,
        no_contact_requested=user.no_contact_requested,
        abuse_or_protective_order=user.abuse_or_protective_order,
        hope=Hope(user.hope),
    )


def state_of(row: ProgramRow) -> ProgramState:
    """The program's view of a stored program state."""
    return ProgramState(
        phase=Phase(row.phase),
        track=Track(row.track),
        started_at=row.started_at,
        phase_started_at=row.phase_started_at,
        outreach_sent_at=row.outreach_sent_at,
        outreach_outcome=OutreachOutcome(row.outreach_outcome) if row.outreach_outcome else None,
        ex_reached_out=row.ex_reached_out,
        ex_was_committed=row.ex_was_committed,
        outreach_hold_until=row.outreach_hold_until,
        foundation_done=frozenset(s for s in row.foundation_done.split(",") if s),
    )


def apply_state(row: ProgramRow, state: ProgramState) -> None:
    """Copy a program state onto its row."""
    row.phase = state.phase.value
    row.track = state.track.value
    row.started_at = state.started_at
    row.phase_started_at = state.phase_started_at
    row.outreach_sent_at = state.outreach_sent_at
    row.outreach_outcome = state.outreach_outcome.value if state.outreach_outcome else None
    row.ex_reached_out = state.ex_reached_out
    row.ex_was_committed = state.ex_was_committed
    row.outreach_hold_until = state.outreach_hold_until
    row.foundation_done = ",".join(sorted(state.foundation_done))


async def get_program(session: AsyncSession, user_id: int) -> ProgramRow | None:
    """The stored program state."""
    return await session.get(ProgramRow, user_id)


async def get_conversation(session: AsyncSession, user_id: int) -> Conversation | None:
    """The flow the user is in, if any."""
    return await session.get(Conversation, user_id)


async def set_conversation(
    session: AsyncSession, user_id: int, flow: str, step: str, data: dict[str, Any], now: datetime
) -> None:
    """Record the user's position in a flow (written at once, never batched)."""
    row = await session.get(Conversation, user_id)
    if row is None:
        session.add(Conversation(user_id=user_id, flow=flow, step=step, data=data, updated_at=now))
    else:
        row.flow, row.step, row.data, row.updated_at = flow, step, dict(data), now
        session.add(row)


async def clear_conversation(session: AsyncSession, user_id: int) -> bool:
    """Leave any flow; True when there was one."""
    row = await session.get(Conversation, user_id)
    if row is None:
        return False
    await session.delete(row)
    return True


async def asked_questions(
    session: AsyncSession, user_id: int, since: datetime
) -> dict[str, datetime]:
    """When each question was last asked since `since`."""
    rows = await session.exec(
        select(QuestionLog.question_id, func.max(QuestionLog.asked_at))
        .where(QuestionLog.user_id == user_id, QuestionLog.asked_at >= since)
        .group_by(col(QuestionLog.question_id))
    )
    return {qid: at for qid, at in rows.all()}


async def checklist_answers(session: AsyncSession, user_id: int) -> dict[str, bool]:
    """The latest answer per checklist item."""
    rows = await session.exec(select(ChecklistAnswer).where(ChecklistAnswer.user_id == user_id))
    return {row.item: row.affirmed for row in rows.all()}


async def contact_records(session: AsyncSession, user_id: int) -> list[ContactRecord]:
    """Logged contacts as program records, oldest first."""
    rows = await session.exec(
        select(ContactEvent).where(ContactEvent.user_id == user_id).order_by(col(ContactEvent.at))
    )
    return [
        ContactRecord(
            at=row.at,
            kind=ContactKind(row.kind),
            initiator=Initiator(row.initiator),
            tone=Tone(row.tone) if row.tone else None,
        )
        for row in rows.all()
    ]


async def journal_since(
    session: AsyncSession, user_id: int, since: datetime
) -> Sequence[JournalEntry]:
    """Journal entries from `since` on, oldest first."""
    rows = await session.exec(
        select(JournalEntry)
        .where(JournalEntry.user_id == user_id, JournalEntry.created_at >= since)
        .order_by(col(JournalEntry.created_at))
    )
    return rows.all()


async def journal_count(session: AsyncSession, user_id: int) -> int:
    """How many entries the user has written."""
    result = await session.exec(
        select(func.count()).select_from(JournalEntry).where(JournalEntry.user_id == user_id)
    )
    return int(result.one())


async def moods_since(
    session: AsyncSession, user_id: int, since: datetime
) -> list[tuple[datetime, int]]:
    """(time, mood) pairs for the chart."""
    rows = await session.exec(
        select(JournalEntry.created_at, JournalEntry.mood)
        .where(
            JournalEntry.user_id == user_id,
            JournalEntry.created_at >= since,
            col(JournalEntry.mood).is_not(None),
        )
        .order_by(col(JournalEntry.created_at))
    )
    return [(at, int(mood)) for at, mood in rows.all() if mood is not None]


async def delete_user(session: AsyncSession, user_id: int) -> None:
    """Erase every row that belongs to the user."""
    for table in USER_TABLES:
        await session.exec(delete(table).where(table.user_id == user_id))  # type: ignore[attr-defined, call-overload]
    await session.exec(delete(User).where(col(User.id) == user_id))  # type: ignore[call-overload]


async def export_user(session: AsyncSession, user_id: int) -> dict[str, Any]:
    """Everything stored about a user, decrypted, as JSON-ready data."""
    user = await session.get(User, user_id)
    data: dict[str, Any] = {"user": user.model_dump(mode="json") if user else None}
    for table in USER_TABLES:
        rows = await session.exec(select(table).where(table.user_id == user_id))  # type: ignore[attr-defined]
        data[str(table.__tablename__)] = [row.model_dump(mode="json") for row in rows.all()]
    return data


def recent(now: datetime, days: int) -> datetime:
    """A cut-off `days` ago."""
    return now - timedelta(days=days)
