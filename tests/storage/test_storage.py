"""The schema migrates up, text is encrypted at rest, export and delete cover every table."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import inspect, text

from bot.storage import repo
from bot.storage.db import Database, async_url
from bot.storage.models import JournalEntry, ProgramRow, User
from bot.storage.types import Cipher

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_async_driver_is_chosen_from_usual_urls() -> None:
    assert async_url("sqlite:///x.db") == "sqlite+aiosqlite:///x.db"
    assert async_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert async_url("postgres://u@h/db") == "postgresql+asyncpg://u@h/db"
    with pytest.raises(ValueError, match="unsupported"):
        async_url("mysql://u@h/db")


async def test_migrates_every_table(database: Database) -> None:
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert {
        "users",
        "program_state",
        "conversation",
        "journal_entry",
        "checkin",
        "flag",
        "checklist_answer",
        "contact_event",
        "urge",
        "draft",
        "question_log",
        "alembic_version",
    } <= tables


async def test_sqlite_runs_in_wal_mode(tmp_path: object) -> None:
    db = Database(f"sqlite:///{tmp_path}/wal.db")
    async with db.engine.connect() as connection:
        mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
        timeout = (await connection.execute(text("PRAGMA busy_timeout"))).scalar()
    await db.dispose()
    assert (mode, timeout) == ("wal", 10_000)


async def _add_user(database: Database) -> None:
    async with database.session() as session:
        session.add(
            User(
                id=1,
                chat_id=1,
                name="Ana",
                created_at=NOW,
                last_seen_at=NOW,
                breakup_date=date(2026, 1, 1),
            )
        )
        session.add(ProgramRow(user_id=1, started_at=NOW, phase_started_at=NOW))
        session.add(
            JournalEntry(user_id=1, created_at=NOW, kind="free", text="my secret words", mood=3)
        )


async def test_free_text_is_encrypted_at_rest(database: Database) -> None:
    Cipher.configure(Fernet.generate_key().decode())
    await _add_user(database)
    async with database.engine.connect() as connection:
        raw = (await connection.execute(text("SELECT text FROM journal_entry"))).scalar()
        raw_name = (await connection.execute(text("SELECT name FROM users"))).scalar()
    assert "secret" not in raw and raw.startswith("fernet:")
    assert "Ana" not in raw_name
    async with database.session() as session:
        entries = await repo.journal_since(session, 1, datetime(2026, 1, 1, tzinfo=UTC))
    assert entries[0].text == "my secret words"
    assert entries[0].created_at == NOW


async def test_without_key_text_is_plain(database: Database) -> None:
    await _add_user(database)
    async with database.engine.connect() as connection:
        raw = (await connection.execute(text("SELECT text FROM journal_entry"))).scalar()
    assert raw == "my secret words"


async def test_export_then_delete_erases_everything(database: Database) -> None:
    await _add_user(database)
    async with database.session() as session:
        exported = await repo.export_user(session, 1)
    assert exported["user"]["name"] == "Ana"
    assert exported["journal_entry"][0]["text"] == "my secret words"
    async with database.session() as session:
        await repo.delete_user(session, 1)
    async with database.session() as session:
        again = await repo.export_user(session, 1)
    assert again["user"] is None
    assert all(rows == [] for key, rows in again.items() if key != "user")


async def test_nested_sqlite_session_fails_fast_instead_of_deadlocking(tmp_path: object) -> None:
    db = Database(f"sqlite:///{tmp_path}/nested.db")
    try:
        async with db.session():
            with pytest.raises(RuntimeError, match="nested database session"):
                async with db.session():
                    pass
        async with db.session():  # the lock was released: a later session works
            pass
    finally:
        await db.dispose()
