"""The shape of every handler: load state, call the program, queue replies, commit, then send.

Replies go out only after the transaction commits, so no database lock is held while
Telegram answers and nothing is announced that was not saved.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.services import Services, services_of
from bot.storage import repo
from bot.storage.models import Conversation, ProgramRow, User

log = logging.getLogger(__name__)

Keyboard = list[list[tuple[str, str]]]
# Writing last_seen_at on every update would make every update a write; an hour is enough.
LAST_SEEN_RESOLUTION = timedelta(hours=1)
Context = ContextTypes.DEFAULT_TYPE


@dataclass
class Outgoing:
    """One message to send once the transaction has committed."""

    template: str
    variables: dict[str, Any]
    keyboard: Keyboard | None = None
    photo: bytes | None = None
    document: tuple[bytes, str] | None = None


@dataclass
class Turn:
    """One update being handled: who, when, the open session and the replies queued."""

    svc: Services
    session: AsyncSession
    user_id: int
    chat_id: int
    now: datetime
    update: Update
    replies: list[Outgoing] = field(default_factory=list)
    _user: User | None = None
    _conversation: Conversation | None = None
    _loaded: bool = False

    def say(self, template: str, keyboard: Keyboard | None = None, **variables: Any) -> None:
        """Queue a templated message."""
        self.replies.append(Outgoing(template, variables, keyboard))

    def photo(self, data: bytes, template: str, **variables: Any) -> None:
        """Queue an image with a templated caption."""
        self.replies.append(Outgoing(template, variables, photo=data))

    def document(self, data: bytes, filename: str, template: str, **variables: Any) -> None:
        """Queue a file with a templated caption."""
        self.replies.append(Outgoing(template, variables, document=(data, filename)))

    def label(self, section: str, key: str) -> str:
        """A button label from content/."""
        return self.svc.renderer.label(section, key)

    async def _load(self) -> None:
        if not self._loaded:
            self._user = await repo.get_user(self.session, self.user_id)
            self._conversation = await repo.get_conversation(self.session, self.user_id)
            self._loaded = True

    def forget(self) -> None:
        """Drop the cached user and flow, after rows were created or erased."""
        self._user, self._conversation, self._loaded = None, None, False

    async def user(self) -> User | None:
        """The user row, or None for a stranger."""
        await self._load()
        return self._user

    async def conversation(self) -> Conversation | None:
        """The flow the user is in, if any."""
        await self._load()
        return self._conversation

    async def program(self) -> ProgramRow | None:
        """The stored program state."""
        return await repo.get_program(self.session, self.user_id)

    async def enter(self, flow: str, step: str, data: dict[str, Any] | None = None) -> None:
        """Move the user to a flow step, saved now."""
        await repo.set_conversation(self.session, self.user_id, flow, step, data or {}, self.now)
        self._conversation = await repo.get_conversation(self.session, self.user_id)

    async def leave(self) -> bool:
        """Leave any flow; True when there was one."""
        had = await repo.clear_conversation(self.session, self.user_id)
        self._conversation = None
        return had


TurnFn = Callable[[Turn], Awaitable[None]]


def markup(keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    """Inline keyboard from (label, callback data) rows."""
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in keyboard
        ]
    )


async def deliver(turn: Turn, context: Context) -> None:
    """Send the queued replies in order."""
    renderer = turn.svc.renderer
    for out in turn.replies:
        text = renderer.render(out.template, **out.variables)
        reply_markup = markup(out.keyboard)
        if out.photo is not None:
            await context.bot.send_photo(
                turn.chat_id,
                InputFile(out.photo, filename="mood.png"),
                caption=text,
                parse_mode=ParseMode.HTML,
                reply_markup=reply_markup,
            )
        elif out.document is not None:
            data, filename = out.document
            await context.bot.send_document(
                turn.chat_id,
                InputFile(data, filename=filename),
                caption=text,
                parse_mode=ParseMode.HTML,
                reply_markup=reply_markup,
            )
        else:
            await context.bot.send_message(
                turn.chat_id,
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=reply_markup,
                link_preview_options=None,
            )


def handler(fn: TurnFn) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """Wrap a turn function as a PTB callback: one transaction, then the replies."""

    async def callback(update: Update, context: Context) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        svc = services_of(context.bot_data)
        if update.callback_query is not None:
            await update.callback_query.answer()
        async with svc.db.session() as session:
            turn = Turn(svc, session, user.id, chat.id, svc.clock.now(), update)
            await fn(turn)
            current = await turn.user()
            if current is not None and turn.now - current.last_seen_at > LAST_SEEN_RESOLUTION:
                current.last_seen_at = turn.now
                session.add(current)
        await deliver(turn, context)

    callback.__name__ = fn.__name__
    callback.__doc__ = fn.__doc__
    return callback


def text_of(update: Update) -> str:
    """The message text (empty when there is none)."""
    message = update.effective_message
    return (message.text or "") if message else ""


def callback_parts(update: Update, prefix: str) -> list[str]:
    """Callback data split on ':' after checking its prefix (the data is client-controlled)."""
    query = update.callback_query
    data = (query.data or "") if query else ""
    parts = data.split(":")
    return parts[1:] if parts and parts[0] == prefix else []


async def step_button(turn: Turn, prefix: str, flow: str) -> tuple[str, str] | None:
    """A `prefix:step:value` tap valid only for the step of `flow` being asked right now.

    Anything else (an old message, another flow, forged data) gets the stale-button reply.
    """
    parts = callback_parts(turn.update, prefix)
    conversation = await turn.conversation()
    if (
        len(parts) != 2
        or conversation is None
        or conversation.flow != flow
        or conversation.step != parts[0]
    ):
        turn.say("errors/stale_button")
        return None
    return parts[0], parts[1]
