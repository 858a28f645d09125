"""The tables. Free text a user writes uses EncryptedText; every timestamp is UTC."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.storage.types import EncryptedJSON, EncryptedText, UTCDateTime


def _utc(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class User(SQLModel, table=True):
    """A Telegram user, their intake answers and their settings."""

    __tablename__ = "users"

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    name: str | None = Field(default=None, sa_column=Column(EncryptedText(), nullable=True))
    created_at: datetime = _utc()
    last_seen_at: datetime = _utc()
    active: bool = True
    intake_complete: bool = False
    breakup_date: date | None = None
    ended_by: str = "mutual"
    together: str = "one_to_three"
    intense: bool = False
    coparenting: bool = False
    ex_committed: bool = False
    no_contact_requested: bool = False
    abuse_or_protective_order: bool = False
    hope: str = "unsure"
    timezone: str = "UTC"
    prompt_time: str = "20:00"
    quiet_start: str | None = None
    quiet_end: str | None = None
    paused: bool = False


class ProgramRow(SQLModel, table=True):
    """Where a user stands in the program (mirrors bot.program.model.ProgramState)."""

    __tablename__ = "program_state"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    phase: str = "reflect"
    track: str = "main"
    started_at: datetime = _utc()
    phase_started_at: datetime = _utc()
    outreach_sent_at: datetime | None = _utc(nullable=True)
    outreach_outcome: str | None = None
    ex_reached_out: bool = False
    ex_was_committed: bool = False
    outreach_hold_until: datetime | None = _utc(nullable=True)
    foundation_done: str = ""
    pending_question_id: str | None = None
    pending_question_at: datetime | None = _utc(nullable=True)
    last_answer_at: datetime | None = _utc(nullable=True)


class Conversation(SQLModel, table=True):
    """The flow a user is in, written whenever it changes so a restart loses nothing."""

    __tablename__ = "conversation"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    flow: str
    step: str
    data: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(EncryptedJSON(), nullable=False)
    )
    updated_at: datetime = _utc()


class JournalEntry(SQLModel, table=True):
    """A reflection answer, a free entry, an SOS note or foundation work."""

    __tablename__ = "journal_entry"
    __table_args__ = (Index("ix_journal_user_created", "user_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = _utc()
    kind: str
    question_id: str | None = None
    theme: str | None = None
    text: str = Field(sa_column=Column(EncryptedText(), nullable=False))
    mood: int | None = None


class QuestionLog(SQLModel, table=True):
    """Which question was asked when, so none repeats within 30 days."""

    __tablename__ = "question_log"
    __table_args__ = (Index("ix_question_log_user", "user_id", "asked_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    question_id: str
    asked_at: datetime = _utc()


class ChecklistAnswer(SQLModel, table=True):
    """The latest honest answer to one checklist item."""

    __tablename__ = "checklist_answer"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    item: str = Field(sa_column=Column(String(32), primary_key=True))
    affirmed: bool
    answered_at: datetime = _utc()


class ContactEvent(SQLModel, table=True):
    """A logged contact with the ex: logistics, a slip, their outreach or an exchange."""

    __tablename__ = "contact_event"
    __table_args__ = (Index("ix_contact_user_at", "user_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    at: datetime = _utc()
    kind: str
    initiator: str
    tone: str | None = None
    feeling: str | None = None


class Urge(SQLModel, table=True):
    """An /sos moment: its intensity and the unsent words, kept private."""

    __tablename__ = "urge"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    at: datetime = _utc()
    intensity: int = Field(sa_column=Column(Integer, nullable=False))
    note: str | None = Field(default=None, sa_column=Column(EncryptedText(), nullable=True))


class Draft(SQLModel, table=True):
    """A message the user considered sending, with the review codes it got."""

    __tablename__ = "draft"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    created_at: datetime = _utc()
    text: str = Field(sa_column=Column(EncryptedText(), nullable=False))
    findings: str = ""
    words: int = 0
    sent: bool = False


class CheckIn(SQLModel, table=True):
    """A planned message: the database is the schedule's source of truth."""

    __tablename__ = "checkin"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "key", name="uq_checkin_user_kind_key"),
        Index("ix_checkin_state_due", "state", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    kind: str
    key: str
    due_at: datetime = _utc()
    state: str = "planned"
    claimed_at: datetime | None = _utc(nullable=True)
    sent_at: datetime | None = _utc(nullable=True)
    attempts: int = 0
    last_error: str | None = None


class Flag(SQLModel, table=True):
    """A safety flag (crisis language); the message itself is not copied here."""

    __tablename__ = "flag"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    at: datetime = _utc()
    kind: str
    flow: str | None = None


USER_TABLES: tuple[type[SQLModel], ...] = (
    JournalEntry,
    QuestionLog,
    ChecklistAnswer,
    ContactEvent,
    Urge,
    Draft,
    CheckIn,
    Flag,
    Conversation,
    ProgramRow,
)
