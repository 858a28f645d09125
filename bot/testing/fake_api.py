"""A fake Bot API at PTB's HTTP-request layer: records calls and answers like Telegram."""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

BOT_ID = 4242
BOT_USERNAME = "second_chapter_bot"


@dataclass
class Call:
    """One Bot API request as the fake received it."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = 0.0

    @property
    def chat_id(self) -> int | None:
        """The chat a sending method addressed."""
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        """Message text or caption."""
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """Inline buttons as (label, callback_data), row by row."""
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [
            (b["text"], b.get("callback_data", ""))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]


SENDING = {"sendMessage", "sendPhoto", "sendDocument", "editMessageText"}


class FakeBotAPI(BaseRequest):
    """Answers Bot API calls in-process; 403, 429 and latency on demand."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        rate_limit: float | None = None,
        supported: set[str] | None = None,
        record: bool = True,
    ) -> None:
        self.calls: list[Call] = []
        # Without recording (large benchmarks) only on_call sees each call.
        self.record = record
        self.latency = latency
        self.rate_limit = rate_limit
        self.supported = supported
        self.blocked: set[int] = set()
        self.fail_next: dict[int, int] = defaultdict(int)
        self.retry_after_next = 0
        self.retry_after_count = 0
        self.on_call: Callable[[Call], None] | None = None
        self._message_id = 1000
        self._window_start = 0.0
        self._window_count = 0

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def sent_to(self, chat_id: int) -> list[Call]:
        """Every message-producing call to a chat, in order."""
        return [c for c in self.calls if c.method in SENDING and c.chat_id == chat_id]

    def _rate_limited(self) -> bool:
        if self.rate_limit is None:
            return False
        now = time.monotonic()
        if now - self._window_start >= 1.0:
            self._window_start, self._window_count = now, 0
        self._window_count += 1
        return self._window_count > self.rate_limit

    def _answer(self, result: Any) -> tuple[int, bytes]:
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _error(self, code: int, description: str, **parameters: Any) -> tuple[int, bytes]:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return code, json.dumps(body).encode()

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        self._message_id += 1
        chat_id = int(params["chat_id"])
        message = {
            "message_id": self._message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Second Chapter"},
        }
        message.update(extra)
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files: dict[str, bytes] = {}
        if request_data and request_data.contains_files:
            for name, value in request_data.multipart_data.items():
                content = value[1] if isinstance(value, tuple) else value
                files[name] = content if isinstance(content, bytes) else content.read()
        if self.latency:
            await asyncio.sleep(self.latency)
        if self.supported is not None and api_method not in self.supported:
            return self._error(404, "Not Found: method not found")
        call = Call(api_method, params, files, time.monotonic())
        if api_method in SENDING:
            chat_id = call.chat_id or 0
            if self.retry_after_next > 0:
                self.retry_after_next -= 1
                self.retry_after_count += 1
                return self._error(429, "Too Many Requests: retry after 1", retry_after=1)
            if self._rate_limited():
                self.retry_after_count += 1
                return self._error(429, "Too Many Requests: retry after 1", retry_after=1)
            if chat_id in self.blocked:
                return self._error(403, "Forbidden: bot was blocked by the user")
            if self.fail_next[chat_id] > 0:
                self.fail_next[chat_id] -= 1
                return self._error(502, "Bad Gateway")
        if self.record:
            self.calls.append(call)
        if self.on_call is not None:
            self.on_call(call)
        return self._answer(self._result(api_method, params))

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Second Chapter",
                "username": BOT_USERNAME,
                "can_join_groups": False,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if method in ("sendMessage", "editMessageText"):
            return self._message(params, text=params.get("text", ""))
        if method == "sendPhoto":
            return self._message(
                params,
                caption=params.get("caption", ""),
                photo=[{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}],
            )
        if method == "sendDocument":
            return self._message(
                params,
                caption=params.get("caption", ""),
                document={"file_id": "d", "file_unique_id": "d"},
            )
        if method == "getUpdates":
            return []
        return True
