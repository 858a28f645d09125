"""A running bot in-process: the real application, the fake Bot API, a manual clock, users."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.app import build_application, dispatcher_of, prepare
from bot.checkins.dispatcher import Report
from bot.clock import ManualClock
from bot.config import Settings
from bot.testing.fake_api import Call, FakeBotAPI

TEST_TOKEN = "123456:TEST-TOKEN-not-a-real-one-000000000"
_ids = itertools.count(1)


class Harness:
    """Owns one application instance; `restart()` builds a fresh one on the same database."""

    def __init__(
        self, settings: Settings, clock: ManualClock, api: FakeBotAPI | None = None
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.api = api or FakeBotAPI()
        self.app: Application[Any, Any, Any, Any, Any, Any] | None = None

    async def start(self) -> Harness:
        """Build and initialise the application (no polling, no background jobs)."""
        self.app = build_application(
            self.settings, request=self.api, clock=self.clock, token=TEST_TOKEN
        )
        await self.app.initialize()
        await prepare(self.app)
        return self

    async def stop(self) -> None:
        """Shut the application down, as a process exit would."""
        if self.app is not None:
            await self.app.shutdown()
            if self.app.post_shutdown:
                await self.app.post_shutdown(self.app)
            self.app = None

    async def restart(self) -> None:
        """Stop, then start a new application on the same database and fake API."""
        await self.stop()
        await self.start()

    async def process(self, payload: dict[str, Any]) -> None:
        """Feed one raw update through the application."""
        assert self.app is not None
        await self.app.process_update(Update.de_json(payload, self.app.bot))

    async def dispatch(self) -> Report:
        """Run the check-in dispatcher once at the current clock."""
        assert self.app is not None
        return await dispatcher_of(self.app).run_once()

    async def advance(self, delta: timedelta, step: timedelta = timedelta(minutes=30)) -> Report:
        """Move the clock forward in steps, delivering what falls due along the way."""
        total = Report()
        end = self.clock.now() + delta
        while self.clock.now() < end:
            self.clock.set(min(end, self.clock.now() + step))
            report = await self.dispatch()
            total.sent += report.sent
            total.skipped += report.skipped
            total.failed += report.failed
            total.claimed += report.claimed
        return total

    def user(self, user_id: int | None = None, first_name: str = "Alex") -> SimUser:
        """A simulated Telegram user talking to this bot."""
        return SimUser(self, user_id or 10_000 + next(_ids), first_name)


@dataclass
class SimUser:
    """Types text, taps buttons and reads replies, like a person in a private chat."""

    harness: Harness
    id: int
    first_name: str
    _seen: int = 0
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def api(self) -> FakeBotAPI:
        """The fake Bot API the harness uses."""
        return self.harness.api

    def _base(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": "en",
        }

    def _message(self, **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": self.id, "type": "private", "first_name": self.first_name},
            "from": self._base(),
            **content,
        }

    async def _send_update(self, **update: Any) -> list[Call]:
        self._seen = len(self.api.sent_to(self.id))
        await self.harness.process(
            {"update_id": self.id * 100_000 + next(self._update_ids), **update}
        )
        return self.new_replies()

    async def send(self, text: str) -> list[Call]:
        """Type a message (commands get their entity, as Telegram adds it)."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        return await self._send_update(message=self._message(**content))

    async def send_media(self, kind: str) -> list[Call]:
        """Send a sticker, photo, voice note, document or location."""
        samples: dict[str, dict[str, Any]] = {
            "sticker": {
                "sticker": {
                    "file_id": "s",
                    "file_unique_id": "s",
                    "type": "regular",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                }
            },
            "photo": {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
            "voice": {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 2}},
            "document": {"document": {"file_id": "d", "file_unique_id": "d"}},
            "location": {"location": {"latitude": 52.5, "longitude": 13.4}},
        }
        return await self._send_update(message=self._message(**samples[kind]))

    async def edit(self, text: str) -> list[Call]:
        """Edit an earlier message."""
        message = self._message(text=text)
        message["edit_date"] = int(time.time())
        return await self._send_update(edited_message=message)

    async def tap(self, label: str) -> list[Call]:
        """Tap the newest button whose label contains `label`."""
        for call in reversed(self.api.sent_to(self.id)):
            for text, data in call.buttons:
                if label.lower() in text.lower():
                    return await self.tap_data(data)
        raise AssertionError(
            f"no button {label!r} in {[c.buttons for c in self.api.sent_to(self.id)[-3:]]}"
        )

    async def tap_data(self, data: str) -> list[Call]:
        """Press a button with exactly this callback data (old or forged data included)."""
        query = {
            "id": str(next(self._update_ids)),
            "from": self._base(),
            "chat_instance": str(self.id),
            "data": data,
            "message": self._message(text="(an earlier message)"),
        }
        return await self._send_update(callback_query=query)

    def new_replies(self) -> list[Call]:
        """Messages sent to this user since their last action."""
        return self.api.sent_to(self.id)[self._seen :]

    def last_reply(self) -> str:
        """The text of the newest message to this user."""
        replies = self.api.sent_to(self.id)
        assert replies, "the bot said nothing"
        return replies[-1].text

    def all_text(self) -> str:
        """Everything the bot has said to this user, joined."""
        return "\n".join(c.text for c in self.api.sent_to(self.id))

    def buttons(self) -> list[str]:
        """Labels of the newest message's buttons."""
        replies = self.api.sent_to(self.id)
        return [label for label, _ in replies[-1].buttons] if replies else []


def text_of(calls: list[Call]) -> str:
    """Join the texts of several replies."""
    return "\n".join(c.text for c in calls)
