"""Which track a user is on, derived from intake and what happened after outreach."""

from __future__ import annotations

from bot.program.model import Intake, OutreachOutcome, ProgramState, Track


def track_for(intake: Intake, state: ProgramState | None = None) -> Track:
    """Safety beats growth beats main; only the main track ever coaches outreach."""
    if intake.no_contact_requested or intake.abuse_or_protective_order:
        return Track.SAFETY
    if intake.ex_committed:
        return Track.GROWTH
    if state is None:
        return Track.MAIN
    # A committed ex who later became single still has to reach out on their own:
    # waiting in the shadows for a relationship to end is not something we coach.
    if state.ex_was_committed and not state.ex_reached_out:
        return Track.GROWTH
    silence = state.outreach_outcome in (OutreachOutcome.SILENCE, OutreachOutcome.COOL)
    if silence and not state.ex_reached_out:
        return Track.GROWTH
    return Track.MAIN


def growth_reason(intake: Intake, state: ProgramState) -> str | None:
    """Why the user is on a non-main track, as a content key."""
    if intake.abuse_or_protective_order:
        return "abuse_or_order"
    if intake.no_contact_requested:
        return "no_contact_requested"
    if intake.ex_committed or (state.ex_was_committed and not state.ex_reached_out):
        return "ex_committed"
    if state.outreach_outcome is OutreachOutcome.SILENCE and not state.ex_reached_out:
        return "silence"
    if state.outreach_outcome is OutreachOutcome.COOL and not state.ex_reached_out:
        return "cool_reply"
    return None
