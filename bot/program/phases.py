"""The phase state machine: what gates each move, and moves that re-check every gate."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.program.checklist import missing_items
from bot.program.model import (
    PHASE_ORDER,
    Intake,
    OutreachOutcome,
    Phase,
    ProgramState,
    Track,
)
from bot.program.timeline import add_months, start_of_day_utc
from bot.program.tracks import track_for

# Months since the breakup before a phase may begin (the seed's timeline).
MONTHS_SINCE_BREAKUP: dict[Phase, int] = {
    Phase.NOTICE: 2,
    Phase.OUTREACH: 3,
    Phase.READINESS: 6,
}
INTENSE_OUTREACH_MONTHS = 6
# Days the user must spend in a phase inside the program, whatever the calendar says:
# someone who arrives five months after a breakup still does the reflection work.
MIN_DAYS_IN_PHASE: dict[Phase, int] = {
    Phase.REFLECT: 14,
    Phase.NOTICE: 14,
    Phase.LIGHT_CONTACT: 30,
    Phase.READINESS: 14,
}
POSITIVE_EXCHANGES_FOR_READINESS = 3
FOUNDATION_STEPS: tuple[str, ...] = ("triggers", "boundaries", "listening", "vision")
TIME_BLOCKERS = frozenset({"time_since_breakup", "time_in_phase"})


@dataclass(frozen=True)
class Progress:
    """Facts gathered outside the state: checklist answers and logged exchanges."""

    checklist_affirmed: frozenset[str] = frozenset()
    positive_exchanges: int = 0


@dataclass(frozen=True)
class Blocker:
    """One reason a move is not open yet; `until` says when time alone will clear it."""

    code: str
    until: datetime | None = None
    missing: tuple[str, ...] = ()
    have: int = 0
    need: int = 0


@dataclass(frozen=True)
class Gate:
    """The next phase and everything standing between the user and it."""

    current: Phase
    target: Phase | None
    blockers: tuple[Blocker, ...] = field(default_factory=tuple)

    @property
    def is_open(self) -> bool:
        """Open only with a target and nothing blocking."""
        return self.target is not None and not self.blockers

    @property
    def time_opens_at(self) -> datetime | None:
        """When every time-based blocker has cleared (None when time blocks nothing)."""
        untils = [b.until for b in self.blockers if b.code in TIME_BLOCKERS and b.until]
        return max(untils) if untils else None

    @property
    def only_time_blocks(self) -> bool:
        """True when nothing but the calendar stands in the way."""
        return bool(self.blockers) and all(b.code in TIME_BLOCKERS for b in self.blockers)

    @property
    def opens_at(self) -> datetime | None:
        """When the gate opens if only time blocks it."""
        if not self.blockers or any(b.until is None for b in self.blockers):
            return None
        return max(b.until for b in self.blockers if b.until is not None)


class GateClosedError(Exception):
    """Raised when a move is attempted through a closed gate."""

    def __init__(self, gate: Gate) -> None:
        super().__init__(f"gate to {gate.target} is closed: {[b.code for b in gate.blockers]}")
        self.gate = gate


def start(intake: Intake, now: datetime) -> ProgramState:
    """The state right after intake."""
    base = ProgramState(
        phase=Phase.REFLECT,
        track=Track.MAIN,
        started_at=now,
        phase_started_at=now,
        ex_was_committed=intake.ex_committed,
    )
    return base.evolve(track=track_for(intake, base))


def next_phase(phase: Phase) -> Phase | None:
    """The phase after `phase`, or None at the end."""
    index = PHASE_ORDER.index(phase)
    return PHASE_ORDER[index + 1] if index + 1 < len(PHASE_ORDER) else None


def outreach_month(intake: Intake) -> int:
    """Months of space before any outreach: 3 normally, 6 after an intense breakup."""
    return INTENSE_OUTREACH_MONTHS if intake.intense else MONTHS_SINCE_BREAKUP[Phase.OUTREACH]


def _time_blockers(
    target: Phase, state: ProgramState, intake: Intake, now: datetime
) -> list[Blocker]:
    blockers: list[Blocker] = []
    months = (
        outreach_month(intake) if target is Phase.OUTREACH else MONTHS_SINCE_BREAKUP.get(target)
    )
    if months is not None:
        opens = start_of_day_utc(add_months(intake.breakup_date, months))
        if now < opens:
            blockers.append(Blocker("time_since_breakup", until=opens, need=months))
    dwell = MIN_DAYS_IN_PHASE.get(state.phase)
    if dwell is not None:
        opens = state.phase_started_at + timedelta(days=dwell)
        if now < opens:
            blockers.append(Blocker("time_in_phase", until=opens, need=dwell))
    return blockers


def evaluate(state: ProgramState, intake: Intake, progress: Progress, now: datetime) -> Gate:
    """Everything that stands between the user and the next phase, right now."""
    target = next_phase(state.phase)
    if target is None:
        return Gate(state.phase, None, (Blocker("final_phase"),))
    track = track_for(intake, state)
    if track is Track.SAFETY:
        return Gate(state.phase, target, (Blocker("safety_track"),))
    if track is Track.GROWTH:
        return Gate(state.phase, target, (Blocker("growth_track"),))
    blockers = _time_blockers(target, state, intake, now)
    if target is Phase.OUTREACH:
        missing = missing_items(progress.checklist_affirmed)
        if missing:
            blockers.append(Blocker("checklist", missing=missing))
        if state.outreach_hold_until is not None and now < state.outreach_hold_until:
            blockers.append(Blocker("outreach_hold", until=state.outreach_hold_until))
    elif target is Phase.LIGHT_CONTACT:
        if state.outreach_sent_at is None:
            blockers.append(Blocker("outreach_not_sent"))
        elif state.outreach_outcome is not OutreachOutcome.WARM and not state.ex_reached_out:
            blockers.append(Blocker("awaiting_reply"))
    elif target is Phase.READINESS:
        if progress.positive_exchanges < POSITIVE_EXCHANGES_FOR_READINESS:
            blockers.append(
                Blocker(
                    "positive_exchanges",
                    have=progress.positive_exchanges,
                    need=POSITIVE_EXCHANGES_FOR_READINESS,
                )
            )
    elif target is Phase.NEW_CHAPTER:
        missing = tuple(s for s in FOUNDATION_STEPS if s not in state.foundation_done)
        if missing:
            blockers.append(Blocker("foundation", missing=missing))
    return Gate(state.phase, target, tuple(blockers))


def advance(
    state: ProgramState, intake: Intake, progress: Progress, now: datetime, target: Phase
) -> ProgramState:
    """Move to `target` after re-checking every gate; asking twice never skips one."""
    gate = evaluate(state, intake, progress, now)
    if gate.target is not target or not gate.is_open:
        raise GateClosedError(gate)
    return state.evolve(phase=target, phase_started_at=now)


def complete_foundation_step(state: ProgramState, step: str) -> ProgramState:
    """Mark a new-foundation step done (only known steps, only in the readiness phase)."""
    if step not in FOUNDATION_STEPS or state.phase is not Phase.READINESS:
        return state
    return state.evolve(foundation_done=state.foundation_done | {step})


def with_intake(state: ProgramState, intake: Intake) -> ProgramState:
    """Re-derive the track after an intake answer changed in settings."""
    updated = state.evolve(ex_was_committed=state.ex_was_committed or intake.ex_committed)
    return updated.evolve(track=track_for(intake, updated))


def hold_outreach(state: ProgramState, now: datetime, days: int = 7) -> ProgramState:
    """After a crisis signal, outreach waits: the user's safety comes first."""
    until = now + timedelta(days=days)
    current = state.outreach_hold_until
    return state.evolve(outreach_hold_until=max(until, current) if current else until)
