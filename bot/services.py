"""The objects every handler and job needs, built once by the application factory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.render import Renderer
from bot.storage.db import Database

SERVICES_KEY = "services"


@dataclass
class Services:
    """Settings, database, renderer and clock."""

    settings: Settings
    db: Database
    renderer: Renderer
    clock: Clock


def services_of(bot_data: dict[str, Any]) -> Services:
    """The services stored in the application's bot_data."""
    found = bot_data[SERVICES_KEY]
    assert isinstance(found, Services)
    return found
