"""Use cases shared by handlers and check-ins: the program applied to stored data."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.program.model import Phase, Track
from bot.program.questions import NO_REPEAT_DAYS, choose_question, pool_for
from bot.render import Renderer
from bot.storage import repo
from bot.storage.models import JournalEntry, ProgramRow, QuestionLog


async def pose_question(
    session: AsyncSession, renderer: Renderer, row: ProgramRow, now: datetime
) -> str:
    """Choose the next question for the user's phase and track, log it and mark it pending."""
    asked = await repo.asked_questions(
        session, row.user_id, now - timedelta(days=NO_REPEAT_DAYS + 1)
    )
    pool = pool_for(Phase(row.phase), Track(row.track))
    seed = row.user_id * 1_000 + now.toordinal()
    question = choose_question(renderer.questions, pool, asked, now, seed)
    session.add(QuestionLog(user_id=row.user_id, question_id=question.id, asked_at=now))
    row.pending_question_id = question.id
    row.pending_question_at = now
    session.add(row)
    return renderer.question_texts[question.id]


async def save_entry(
    session: AsyncSession,
    renderer: Renderer,
    row: ProgramRow | None,
    user_id: int,
    text: str,
    now: datetime,
    kind: str,
) -> JournalEntry:
    """Save a journal entry; a reflection answer also clears the pending question."""
    question_id = theme = None
    if kind == "reflection" and row is not None and row.pending_question_id:
        question_id = row.pending_question_id
        theme = next((q.theme for q in renderer.questions if q.id == question_id), None)
        row.pending_question_id = None
        row.pending_question_at = None
    if row is not None and kind in ("reflection", "free"):
        row.last_answer_at = now
        session.add(row)
    entry = JournalEntry(
        user_id=user_id, created_at=now, kind=kind, question_id=question_id, theme=theme, text=text
    )
    session.add(entry)
    await session.flush()
    return entry
