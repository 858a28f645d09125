"""The async engine and sessions: SQLite (WAL, busy timeout, BEGIN IMMEDIATE) or PostgreSQL."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

SQLITE_BUSY_TIMEOUT_MS = 10_000
_IN_SESSION: contextvars.ContextVar[bool] = contextvars.ContextVar("in_session", default=False)


def async_url(url: str) -> str:
    """Accept the usual URL forms and pick the async driver ourselves."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database {backend!r}")


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, open transactions, so BEGIN IMMEDIATE is ours to send.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Every transaction here reads then writes; a deferred one can fail or lose an
        # update when another writer slips in between, so take the write lock up front.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """One engine per process, with a session factory for short transactions."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = async_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        options: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            # SQLite has one writer at a time. Queueing writers here, on one connection, is far
            # cheaper than letting them collide in SQLite's sleeping busy handler.
            options.update(pool_size=1, max_overflow=0, pool_timeout=60)
        else:
            options.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine = create_async_engine(self.url, **options)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )
        self._writer = asyncio.Lock() if self.is_sqlite else None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A transaction: committed on success, rolled back on error."""
        if self._writer is None:
            async with self._sessions() as session, session.begin():
                yield session
            return
        if _IN_SESSION.get():
            # The writer lock is not re-entrant: a nested session would wait on itself forever.
            raise RuntimeError("nested database session in one task (SQLite would deadlock)")
        marker = _IN_SESSION.set(True)
        try:
            async with self._writer, self._sessions() as session, session.begin():
                yield session
        finally:
            _IN_SESSION.reset(marker)

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
