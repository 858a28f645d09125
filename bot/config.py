"""Settings, read from the environment and an optional `.env`: the only place env vars are read."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_API_BASE = "https://api.telegram.org/bot"


def _default_content_dir() -> Path:
    """content/ beside the source tree (a checkout), else in the working directory."""
    beside_source = Path(__file__).resolve().parent.parent / "content"
    return beside_source if beside_source.is_dir() else Path.cwd() / "content"


class Settings(BaseSettings):
    """Everything the operator can set; secrets are SecretStr so they never print."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_file_encoding="utf-8")

    bot_token: SecretStr = Field(default=SecretStr(""), description="Token from @BotFather")
    database_url: str = Field(default="sqlite:///secondchapter.db")
    bot_api_base_url: str = Field(default=DEFAULT_API_BASE)
    encryption_key: SecretStr | None = Field(default=None)
    default_timezone: str = Field(default="UTC")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    locale: str = "en"
    content_dir: Path = Field(default_factory=lambda: _default_content_dir())
    dispatch_interval_seconds: float = Field(default=15.0, gt=0)
    rate_limit_per_second: float = Field(default=30.0, gt=0)
    max_concurrent_updates: int = Field(default=256, ge=1)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8080, ge=1, le=65535)

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @field_validator("encryption_key")
    @classmethod
    def _fernet_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        try:
            Fernet(value.get_secret_value().encode())
        except ValueError as exc:
            raise ValueError("must be a Fernet key (coachbot keygen prints one)") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgres")):
            raise ValueError("must start with sqlite:// or postgresql://")
        return value

    def require_token(self) -> str:
        """The bot token, or a clear error when it is missing."""
        token = self.bot_token.get_secret_value()
        if not token:
            raise SettingsError("BOT_TOKEN is not set (get one from @BotFather)")
        return token


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning validation errors into one readable line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        parts = []
        for error in exc.errors():
            name = ".".join(str(p) for p in error["loc"]).upper()
            parts.append(f"{name}: {error['msg']}")
        raise SettingsError("invalid setting " + "; ".join(parts)) from None
