"""`coachbot chat`: the real bot in a terminal, against the in-process fake Bot API."""

from __future__ import annotations

import asyncio
import html
import re
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from bot.clock import OffsetClock
from bot.config import Settings
from bot.testing.fake_api import Call, FakeBotAPI
from bot.testing.harness import Harness, SimUser

CHAT_USER_ID = 777
_WAIT = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_TAGS = re.compile(r"</?(b|strong|i|em|u|s|code|pre|blockquote)>")
LIVE_POLL_SECONDS = 5.0


def parse_wait(text: str) -> timedelta | None:
    """'3d' → 3 days; m, h, d and w are understood."""
    match = _WAIT.match(text.strip())
    if not match:
        return None
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def to_terminal(text: str, color: bool) -> str:
    """Telegram HTML as terminal text: bold and italics as ANSI when interactive."""
    if color:
        text = re.sub(r"<(b|strong)>", "\033[1m", text)
        text = re.sub(r"<(i|em)>", "\033[3m", text)
        text = re.sub(r"</(b|strong|i|em)>", "\033[0m", text)
    return html.unescape(_TAGS.sub("", text))


class TerminalChat:
    """Prints what the bot sends and turns typed lines into messages and taps."""

    def __init__(self, settings: Settings, out: TextIO, interactive: bool, media_dir: Path) -> None:
        self.clock = OffsetClock()
        self.api = FakeBotAPI()
        self.api.on_call = self._show
        self.harness = Harness(settings, self.clock, self.api)
        self.out = out
        self.interactive = interactive
        self.media_dir = media_dir
        self.buttons: list[tuple[str, str]] = []
        self.user: SimUser | None = None

    def _show(self, call: Call) -> None:
        if call.chat_id != CHAT_USER_ID:
            return
        lines = ["", "🤖 " + to_terminal(call.text, self.interactive)]
        if call.files:
            self.media_dir.mkdir(parents=True, exist_ok=True)
            for name, data in call.files.items():
                suffix = ".png" if data[:4] == b"\x89PNG" else ".json"
                path = self.media_dir / f"{name}-{len(list(self.media_dir.iterdir())) + 1}{suffix}"
                path.write_bytes(data)
                lines.append(f"   [file saved: {path}]")
        if call.buttons:
            self.buttons = call.buttons
            lines.append(
                "   " + "  ".join(f"[{i}] {label}" for i, (label, _) in enumerate(call.buttons, 1))
            )
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()

    async def handle_line(self, line: str) -> bool:
        """Act on one typed line; False ends the chat."""
        assert self.user is not None
        text = line.strip()
        if text in (":quit", ":q", ":exit"):
            return False
        if text.startswith(":wait"):
            delta = parse_wait(text[5:])
            if delta is None:
                self.out.write("usage: :wait 30m | 2h | 3d | 1w\n")
                return True
            await self.harness.advance(delta)
            self.out.write(f"⏩ now {self.clock.now():%a %d %b %Y %H:%M} UTC\n")
            return True
        if text == ":help":
            self.out.write(":wait 3d moves time forward and delivers check-ins; :quit leaves\n")
            return True
        choice = self._button(text)
        if choice is not None:
            await self.user.tap_data(choice)
        else:
            await self.user.send(line.rstrip("\n"))
        return True

    def _button(self, text: str) -> str | None:
        if text.isdigit() and 1 <= int(text) <= len(self.buttons):
            return self.buttons[int(text) - 1][1]
        for label, data in self.buttons:
            if text and text.lower() == label.lower():
                return data
        return None

    async def _live_checkins(self) -> None:
        while True:
            await asyncio.sleep(LIVE_POLL_SECONDS)
            await self.harness.dispatch()

    async def run(self, lines: asyncio.Queue[str | None]) -> None:
        """Run until :quit or end of input."""
        await self.harness.start()
        self.user = self.harness.user(CHAT_USER_ID, "You")
        if self.interactive:
            self.out.write("Second Chapter, in your terminal. Type /start. (:wait 3d, :quit)\n")
        live = asyncio.create_task(self._live_checkins())
        try:
            while True:
                line = await lines.get()
                if line is None or not await self.handle_line(line):
                    break
        finally:
            live.cancel()
            await self.harness.stop()


def _start_reader(queue: asyncio.Queue[str | None], interactive: bool) -> None:
    """Read stdin on a daemon thread, so a pending read never blocks exit."""
    loop = asyncio.get_running_loop()

    def read() -> None:
        while True:
            line = _read_one(interactive)
            loop.call_soon_threadsafe(queue.put_nowait, line)
            if line is None:
                return

    threading.Thread(target=read, name="chat-stdin", daemon=True).start()


def _read_one(interactive: bool) -> str | None:
    try:
        if interactive:
            return input("you › ")
        line = sys.stdin.readline()
        return line if line else None
    except (EOFError, KeyboardInterrupt):
        return None


async def run_chat(settings: Settings, media_dir: Path) -> None:
    """Chat with the bot on stdin/stdout."""
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    chat = TerminalChat(settings, sys.stdout, interactive, media_dir)
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    _start_reader(queue, interactive)
    await chat.run(queue)
