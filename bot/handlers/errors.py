"""Kind replies to everything else: media, edits, unknown commands, stale buttons, failures."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode

from bot.handlers.base import Context, Turn
from bot.services import services_of

log = logging.getLogger(__name__)


async def unsupported(turn: Turn) -> None:
    """Stickers, photos, voice, files, locations and the like."""
    message = turn.update.effective_message
    kind = "other"
    if message is not None:
        if message.sticker:
            kind = "sticker"
        elif message.voice or message.audio or message.video_note:
            kind = "voice"
        elif message.photo:
            kind = "photo"
    conversation = await turn.conversation()
    turn.say("errors/unsupported", kind=kind, in_flow=conversation is not None)


async def edited(turn: Turn) -> None:
    """An edited message: the original stays as sent."""
    turn.say("errors/edited")


async def unknown_command(turn: Turn) -> None:
    """A command we do not have."""
    conversation = await turn.conversation()
    turn.say(
        "errors/unknown_command", in_flow=conversation is not None and conversation.flow != "idle"
    )


async def stale_button(turn: Turn) -> None:
    """Callback data no handler recognised (old or forged)."""
    turn.say("errors/stale_button")


async def on_error(update: object, context: Context) -> None:
    """Log without user text, and tell the user kindly; the bot carries on."""
    log.error(
        "handler failed: %s",
        type(context.error).__name__,
        exc_info=(type(context.error), context.error, context.error.__traceback__)
        if context.error
        else None,
    )
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        renderer = services_of(context.bot_data).renderer
        await context.bot.send_message(
            update.effective_chat.id, renderer.render("errors/internal"), parse_mode=ParseMode.HTML
        )
    except Exception:
        log.warning("could not send the error reply", exc_info=True)
