"""Webhook mode: a small Starlette app that checks Telegram's secret header and feeds the bot."""

from __future__ import annotations

import hmac
import logging
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot.app import prepare
from bot.config import Settings

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def web_app(app: Application[Any, Any, Any, Any, Any, Any], secret: str) -> Starlette:
    """The HTTP side: POST /telegram (secret checked) and GET /healthz."""

    async def telegram(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given, secret):
            return PlainTextResponse("forbidden", status_code=403)
        try:
            payload = await request.json()
        except ValueError:
            return PlainTextResponse("bad request", status_code=400)
        await app.update_queue.put(Update.de_json(payload, app.bot))
        return Response(status_code=200)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok", "running": app.running})

    return Starlette(
        routes=[
            Route(WEBHOOK_PATH, telegram, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def webhook_server(
    app: Application[Any, Any, Any, Any, Any, Any], settings: Settings
) -> uvicorn.Server:
    """The uvicorn server for webhook mode (it stops on SIGTERM/SIGINT)."""
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if not secret:
        raise SystemExit("coachbot: WEBHOOK_SECRET must be set in webhook mode")
    return uvicorn.Server(
        uvicorn.Config(
            web_app(app, secret),
            host=settings.webhook_listen,
            port=settings.webhook_port,
            log_level="warning",
            access_log=False,
        )
    )


async def run_webhook(
    app: Application[Any, Any, Any, Any, Any, Any],
    settings: Settings,
    server: uvicorn.Server | None = None,
) -> None:
    """Serve until SIGTERM/SIGINT, then let in-flight updates finish before stopping."""
    server = server or webhook_server(app, settings)
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    async with app:
        await prepare(app)
        await app.bot.set_webhook(
            url=f"{(settings.webhook_url or '').rstrip('/')}{WEBHOOK_PATH}",
            secret_token=secret,
            allowed_updates=Update.ALL_TYPES,
        )
        await app.start()
        log.info(
            "webhook server listening on %s:%s", settings.webhook_listen, settings.webhook_port
        )
        await server.serve()
        await app.stop()
