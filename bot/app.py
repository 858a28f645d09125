"""The one application factory: production, the terminal chat, the tests and the benchmark."""

from __future__ import annotations

import gc
import logging
from typing import Any

from telegram import BotCommand
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.checkins.dispatcher import Dispatcher
from bot.checkins.planner import plan_all_daily
from bot.clock import Clock, SystemClock
from bot.concurrency import PerUserUpdateProcessor
from bot.config import Settings
from bot.handlers import (
    checklist,
    contact,
    draft,
    errors,
    info,
    intake,
    outreach,
    privacy,
    progress,
    reflection,
    router,
    safety,
    sos,
)
from bot.handlers import (
    settings as settings_handlers,
)
from bot.handlers.base import handler
from bot.handlers.router import command
from bot.ratelimit import SendBudget, SharedRateLimiter
from bot.render import Renderer
from bot.services import SERVICES_KEY, Services, services_of
from bot.storage.db import Database
from bot.storage.migrate import upgrade
from bot.storage.types import Cipher

log = logging.getLogger(__name__)
DISPATCHER_KEY = "dispatcher"
HEALED_KEY = "daily_plans_healed"
COMMANDS = (
    "start",
    "help",
    "today",
    "journal",
    "progress",
    "checklist",
    "sos",
    "draft",
    "contact",
    "faq",
    "dosdonts",
    "settings",
    "pause",
    "resume",
    "export",
    "delete",
    "cancel",
)


def _register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """All wiring in one place: crisis guard first, then commands, buttons, text, the rest."""
    app.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, safety.crisis_guard), group=-1
    )
    commands = {
        "start": command(intake.start, needs_program=False),
        "help": command(info.help_command, needs_program=False, keeps_flow=True),
        "faq": command(info.faq, needs_program=False, keeps_flow=True),
        "dosdonts": command(info.dosdonts, needs_program=False, keeps_flow=True),
        "cancel": command(info.cancel, needs_program=False),
        "today": command(reflection.today),
        "journal": command(reflection.journal),
        "progress": command(progress.progress, keeps_flow=True),
        "checklist": command(checklist.checklist),
        "sos": command(sos.sos),
        "draft": command(draft.draft),
        "contact": command(contact.contact),
        "settings": command(settings_handlers.settings),
        "pause": command(privacy.pause, keeps_flow=True),
        "resume": command(privacy.resume, keeps_flow=True),
        "export": command(privacy.export, needs_program=False, keeps_flow=True),
        "delete": command(privacy.delete, needs_program=False),
    }
    edited = filters.UpdateType.EDITED
    for name, fn in commands.items():
        app.add_handler(CommandHandler(name, handler(fn), filters=~edited))
    buttons = {
        "in": intake.on_button,
        "md": reflection.on_mood,
        "js": reflection.on_save_choice,
        "ph": progress.on_phase_button,
        "fd": progress.on_foundation_button,
        "ck": checklist.on_button,
        "sos": sos.on_button,
        "dr": draft.on_button,
        "or": outreach.on_button,
        "ct": contact.on_button,
        "st": settings_handlers.on_menu_button,
        "sv": settings_handlers.on_value_button,
        "dl": privacy.on_button,
        "cr": safety.on_continue,
        "info": info.story,
    }
    for prefix, fn in buttons.items():
        app.add_handler(CallbackQueryHandler(handler(fn), pattern=rf"^{prefix}(:|$)"))
    app.add_handler(CallbackQueryHandler(handler(errors.stale_button)))
    app.add_handler(MessageHandler(edited, handler(errors.edited)))
    app.add_handler(MessageHandler(filters.COMMAND, handler(errors.unknown_command)))
    app.add_handler(MessageHandler(filters.TEXT, handler(router.on_text)))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, handler(errors.unsupported)))
    app.add_error_handler(errors.on_error)


async def prepare(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Start-up work: migrate the schema, then the optional Bot API calls."""
    svc = services_of(app.bot_data)
    await upgrade(svc.db)
    await dispatcher_of(app).bot.initialize()
    if Cipher.fernet is None:
        log.warning("ENCRYPTION_KEY is not set: journal text is stored unencrypted")
    # Objects built at start-up live for the whole process: keep them out of the
    # garbage collector's way so full collections do not stall the event loop.
    gc.freeze()
    renderer = svc.renderer
    try:
        await app.bot.set_my_commands(
            [BotCommand(c, renderer.label("commands", c)) for c in COMMANDS]
        )
    except TelegramError as exc:
        log.warning(
            "setMyCommands failed (%s); continuing without a command menu", type(exc).__name__
        )


async def _shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await dispatcher_of(app).bot.shutdown()
    await services_of(app.bot_data).db.dispose()


async def _dispatch_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    dispatcher = context.bot_data[DISPATCHER_KEY]
    assert isinstance(dispatcher, Dispatcher)
    if not context.bot_data.get(HEALED_KEY):
        # Once per process, after start-up: every active user gets their next prompts planned,
        # whatever was skipped or missed while the bot was down.
        context.bot_data[HEALED_KEY] = True
        svc = services_of(context.bot_data)
        await plan_all_daily(svc.db, svc.clock.now())
    report = await dispatcher.run_once()
    if report.claimed:
        log.info(
            "check-ins: %s sent, %s skipped, %s failed, %s retried",
            report.sent,
            report.skipped,
            report.failed,
            report.retried,
        )


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    clock: Clock | None = None,
    token: str | None = None,
    update_processor: BaseUpdateProcessor | None = None,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """Build the bot: handlers, database, renderer, dispatcher, injected clock and request."""
    budget = SendBudget(settings.rate_limit_per_second)
    Cipher.configure(
        settings.encryption_key.get_secret_value() if settings.encryption_key else None
    )
    builder = (
        Application.builder()
        .token(token or settings.require_token())
        .base_url(settings.bot_api_base_url)
        .concurrent_updates(
            update_processor or PerUserUpdateProcessor(settings.max_concurrent_updates)
        )
        .rate_limiter(SharedRateLimiter(budget))
        .post_init(prepare)
        .post_shutdown(_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app = builder.build()
    svc = Services(
        settings=settings,
        db=Database(settings.database_url),
        renderer=Renderer(settings.content_dir, settings.locale),
        clock=clock or SystemClock(),
    )
    app.bot_data[SERVICES_KEY] = svc
    # Check-ins go through their own bot without the retrying rate limiter: the dispatcher
    # paces them itself and turns a 429 into a later due time instead of a sleep.
    checkin_bot = ExtBot(
        token or settings.require_token(),
        base_url=settings.bot_api_base_url,
        request=request or HTTPXRequest(connection_pool_size=64),
    )
    app.bot_data[DISPATCHER_KEY] = Dispatcher(svc, checkin_bot, budget=budget)
    _register(app)
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            _dispatch_job,
            interval=settings.dispatch_interval_seconds,
            first=1.0,
            name="checkin-dispatcher",
            # A stalled loop must not silently skip a pass (APScheduler's default grace is 1 s),
            # and passes that pile up during a stall collapse into one.
            job_kwargs={"misfire_grace_time": 300, "coalesce": True, "max_instances": 1},
        )
    return app


def dispatcher_of(app: Application[Any, Any, Any, Any, Any, Any]) -> Dispatcher:
    """The check-in dispatcher of an application."""
    found = app.bot_data[DISPATCHER_KEY]
    assert isinstance(found, Dispatcher)
    return found
