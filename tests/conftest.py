"""Shared fixtures: databases on SQLite always and on PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.storage.db import Database
from bot.storage.migrate import upgrade
from bot.storage.types import Cipher

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"]


async def reset_postgres(url: str) -> None:
    """Drop every table so each test starts from an empty schema."""
    database = Database(url)
    async with database.engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await database.dispose()


def database_url(backend: str, tmp_path: Path) -> str:
    """A fresh database URL for `backend`, or a skip saying why."""
    if backend == "postgresql":
        if not PG_URL:
            pytest.skip("PostgreSQL tests skipped: TEST_DATABASE_URL is not set")
        return PG_URL
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url = database_url(request.param, tmp_path)
    if request.param == "postgresql":
        await reset_postgres(url)
    return url


@pytest.fixture
async def database(db_url: str) -> AsyncIterator[Database]:
    db = Database(db_url)
    await upgrade(db)
    yield db
    await db.dispose()


@pytest.fixture(autouse=True)
def _no_cipher_leak() -> None:
    Cipher.configure(None)
