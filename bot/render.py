"""Every word the bot says: Jinja templates and data files under content/<locale>/."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.program.questions import Question

TELEGRAM_TEXT_LIMIT = 4096
_BLANK_RUNS = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class ChecklistEntry:
    """One checklist item's wording."""

    key: str
    statement: str
    why: str


class Renderer:
    """Renders templates with StrictUndefined and HTML escaping, Telegram's parse mode."""

    def __init__(self, content_dir: Path, locale: str = "en") -> None:
        self.root = content_dir / locale
        if not self.root.is_dir():
            raise FileNotFoundError(f"no content for locale {locale!r} in {content_dir}")
        self.env = Environment(
            loader=FileSystemLoader(self.root),
            undefined=StrictUndefined,
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=False,
            keep_trailing_newline=False,
        )

    def render(self, template: str, /, **context: Any) -> str:
        """Render `template` (without `.j2`) to Telegram HTML."""
        text = self.env.get_template(f"{template}.j2").render(**context)
        text = _BLANK_RUNS.sub("\n\n", text).strip()
        if len(text) > TELEGRAM_TEXT_LIMIT:
            raise ValueError(f"template {template} rendered {len(text)} characters")
        return text

    def template_names(self) -> list[str]:
        """Every template of this locale, without the `.j2` suffix."""
        return sorted(
            str(p.relative_to(self.root).with_suffix("")) for p in self.root.rglob("*.j2")
        )

    def _toml(self, name: str) -> dict[str, Any]:
        with (self.root / name).open("rb") as handle:
            return tomllib.load(handle)

    @cached_property
    def labels(self) -> dict[str, dict[str, str]]:
        """Button labels, grouped by section."""
        return self._toml("labels.toml")

    def label(self, section: str, key: str) -> str:
        """One button label (plain text; Telegram does not parse button HTML)."""
        return self.labels[section][key]

    @cached_property
    def questions(self) -> list[Question]:
        """The question bank as program data (wording stays here)."""
        return [
            Question(q["id"], q["theme"], frozenset(q["pools"]))
            for q in self._toml("questions.toml")["question"]
        ]

    @cached_property
    def question_texts(self) -> dict[str, str]:
        """Question wording by id."""
        return {q["id"]: q["text"] for q in self._toml("questions.toml")["question"]}

    @cached_property
    def checklist(self) -> list[ChecklistEntry]:
        """The checklist's wording, in order."""
        return [ChecklistEntry(**item) for item in self._toml("checklist.toml")["item"]]
