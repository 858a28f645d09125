"""The bot runs against a Bot API server that implements only the core methods."""

from __future__ import annotations

import logging

import pytest

from bot.testing.fake_api import FakeBotAPI
from bot.testing.harness import Harness
from tests.e2e.conftest import do_intake, make_settings

CORE = {"getMe", "sendMessage", "sendPhoto", "sendDocument", "answerCallbackQuery", "getUpdates"}


async def test_missing_optional_methods_only_warn(
    db_url: str, clock: object, caplog: pytest.LogCaptureFixture
) -> None:
    harness = Harness(make_settings(db_url), clock, FakeBotAPI(supported=CORE))  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING):
        await harness.start()
    try:
        assert any("setMyCommands failed" in r.message for r in caplog.records)
        user = harness.user()
        await do_intake(user)
        assert "Here's where you stand" in user.last_reply()
    finally:
        await harness.stop()
