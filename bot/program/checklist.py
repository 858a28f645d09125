"""The six-item pre-outreach checklist; every item must be honestly affirmed."""

from __future__ import annotations

from collections.abc import Iterable

CHECKLIST_ITEMS: tuple[str, ...] = (
    "space",
    "accountability",
    "clarity",
    "any_outcome",
    "changes",
    "their_comfort",
)


def is_item(key: str) -> bool:
    """Whether `key` names a checklist item (callback data is untrusted)."""
    return key in CHECKLIST_ITEMS


def missing_items(affirmed: Iterable[str]) -> tuple[str, ...]:
    """Items not yet affirmed, in checklist order."""
    done = set(affirmed)
    return tuple(item for item in CHECKLIST_ITEMS if item not in done)


def is_complete(affirmed: Iterable[str]) -> bool:
    """True only when all six items are affirmed."""
    return not missing_items(affirmed)
