"""The one careful message: recording it, the follow-ups, and respecting silence."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.program.model import Intake, OutreachOutcome, Phase, ProgramState, Track
from bot.program.tracks import track_for

REPLY_CHECK_DAYS = 3
SILENCE_DAYS = 14


class OutreachRefusedError(Exception):
    """The message may not be sent (or recorded as sent) now; `code` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def send_blocker(state: ProgramState, intake: Intake, now: datetime) -> str | None:
    """Why the user may not send a message now, or None when the one message is allowed."""
    track = track_for(intake, state)
    if track is Track.SAFETY:
        return "safety_track"
    if state.outreach_outcome is OutreachOutcome.SILENCE:
        return "second_after_silence"
    if track is Track.GROWTH:
        return "growth_track"
    if state.phase is not Phase.OUTREACH:
        return "not_outreach_phase"
    if state.outreach_sent_at is not None:
        return "already_sent"
    if state.outreach_hold_until is not None and now < state.outreach_hold_until:
        return "outreach_hold"
    return None


def record_sent(state: ProgramState, intake: Intake, now: datetime) -> ProgramState:
    """The user tells us they sent their message."""
    blocker = send_blocker(state, intake, now)
    if blocker is not None:
        raise OutreachRefusedError(blocker)
    return state.evolve(outreach_sent_at=now, outreach_outcome=OutreachOutcome.PENDING)


def follow_up_times(sent_at: datetime) -> tuple[datetime, datetime]:
    """When to ask whether they replied, and when to respect the silence."""
    return sent_at + timedelta(days=REPLY_CHECK_DAYS), sent_at + timedelta(days=SILENCE_DAYS)


def record_reply(state: ProgramState, intake: Intake, outcome: OutreachOutcome) -> ProgramState:
    """They replied (warmly or coolly); a cool reply is respected like silence."""
    if state.outreach_sent_at is None or outcome is OutreachOutcome.PENDING:
        return state
    updated = state.evolve(outreach_outcome=outcome)
    return updated.evolve(track=track_for(intake, updated))


def respect_silence(state: ProgramState, intake: Intake, now: datetime) -> ProgramState:
    """After the silence window with no reply: no second message, the growth track."""
    if state.outreach_sent_at is None or state.outreach_outcome is not OutreachOutcome.PENDING:
        return state
    if now < follow_up_times(state.outreach_sent_at)[1]:
        return state
    updated = state.evolve(outreach_outcome=OutreachOutcome.SILENCE)
    return updated.evolve(track=track_for(intake, updated))


def ex_reached_out(state: ProgramState, intake: Intake) -> ProgramState:
    """They started contact on their own: a fair opening, if nothing else blocks it."""
    updated = state.evolve(ex_reached_out=True)
    return updated.evolve(track=track_for(intake, updated))
