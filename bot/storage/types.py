"""Column types: UTC timestamps that stay aware, and text encrypted at rest when a key is set."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import DateTime, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

_PREFIX = "fernet:"


class Cipher:
    """Process-wide Fernet key; column types cannot receive per-engine configuration."""

    fernet: Fernet | None = None

    @classmethod
    def configure(cls, key: str | None) -> None:
        """Set (or clear) the key used for every encrypted column."""
        cls.fernet = Fernet(key.encode()) if key else None

    @classmethod
    def encrypt(cls, value: str) -> str:
        """Encrypt when a key is configured; plain text otherwise."""
        if cls.fernet is None:
            return value
        return _PREFIX + cls.fernet.encrypt(value.encode()).decode()

    @classmethod
    def decrypt(cls, value: str) -> str:
        """Decrypt values written with a key; plain values pass through (pre-key data)."""
        if not value.startswith(_PREFIX):
            return value
        if cls.fernet is None:
            raise RuntimeError("encrypted data found but ENCRYPTION_KEY is not set")
        try:
            return cls.fernet.decrypt(value[len(_PREFIX) :].encode()).decode()
        except InvalidToken as exc:
            raise RuntimeError("ENCRYPTION_KEY does not match the stored data") from exc


class EncryptedText(TypeDecorator[str]):
    """Free text a user wrote; Fernet-encrypted at rest when ENCRYPTION_KEY is set."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else Cipher.encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else Cipher.decrypt(value)


class EncryptedJSON(TypeDecorator[dict[str, Any]]):
    """A JSON object that may hold user text (flow state), encrypted like EncryptedText."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: dict[str, Any] | None, dialect: Dialect) -> str | None:
        return None if value is None else Cipher.encrypt(json.dumps(value, ensure_ascii=False))

    def process_result_value(self, value: str | None, dialect: Dialect) -> dict[str, Any] | None:
        if value is None:
            return None
        loaded: dict[str, Any] = json.loads(Cipher.decrypt(value))
        return loaded


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC everywhere (SQLite keeps no offsets); always returned aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)
