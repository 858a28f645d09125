"""Settings fail with one clear line; the CLI starts; secrets never reach the logs."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings
from bot.logs import JsonFormatter, RedactTokens, setup_logging

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AAH-secret-token-value-abcdefghijkl"


def test_defaults_need_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.database_url == "sqlite:///secondchapter.db"
    assert settings.bot_api_base_url.startswith("https://api.telegram.org")
    assert (settings.content_dir / "en").is_dir()


@pytest.mark.parametrize(
    ("name", "value", "mentions"),
    [
        ("DEFAULT_TIMEZONE", "Mars/Olympus", "DEFAULT_TIMEZONE"),
        ("ENCRYPTION_KEY", "not-a-key", "ENCRYPTION_KEY"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL"),
    ],
)
def test_malformed_setting_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, mentions: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert mentions in str(caught.value) and "\n" not in str(caught.value)


def test_missing_token_for_run_is_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "coachbot: BOT_TOKEN is not set (get one from @BotFather)"


def test_help_lists_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    for command in ("run", "chat", "checkins", "migrate", "keygen"):
        assert command in result.stdout


def test_token_never_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    settings = load_settings()
    assert TOKEN not in repr(settings) and TOKEN not in str(settings.model_dump())
    record = logging.LogRecord(
        "httpx", logging.WARNING, __file__, 1, "POST https://x/bot%s/getMe", (TOKEN,), None
    )
    RedactTokens().filter(record)
    assert TOKEN not in JsonFormatter().format(record)
    setup_logging("INFO", "json")
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING


def test_checkins_report_runs(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/r.db"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "checkins"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "due now" in result.stdout and "failed: 0" in result.stdout
