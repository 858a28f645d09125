"""Time as a dependency: production reads the system clock, tests and the chat move a fake one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime:
        """The current instant in UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The current instant in UTC."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        """The simulated instant."""
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by `delta` and return the new instant."""
        self._now += delta
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to `when` (must be aware)."""
        self._now = when


class OffsetClock(ManualClock):
    """Real time plus an offset the terminal chat can push forward (`:wait 3d`)."""

    def __init__(self) -> None:
        super().__init__()
        self.offset = timedelta()

    def now(self) -> datetime:
        """System time shifted by the offset."""
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> datetime:
        """Jump forward."""
        self.offset += delta
        return self.now()

    def set(self, when: datetime) -> None:
        """Jump to `when`."""
        self.offset = when - datetime.now(UTC)
