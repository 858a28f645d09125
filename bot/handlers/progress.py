"""/progress, phase moves the user confirms, and the new-foundation work of readiness."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.charts import mood_chart
from bot.coach import save_entry
from bot.handlers.base import Keyboard, Turn, callback_parts
from bot.handlers.common import (
    View,
    blocker_views,
    load_view,
    offer_keyboard,
    phase_title,
    plan_milestone,
    save_state,
)
from bot.program import phases
from bot.program.contact import ContactKind, no_contact_streak_days, slip_count
from bot.program.model import Phase, Track
from bot.storage import repo

CHART_DAYS = 30
MOOD_AVERAGE_DAYS = 14


def _foundation_keyboard(turn: Turn, view: View) -> Keyboard:
    return [
        [
            (
                ("✅ " if step in view.state.foundation_done else "")
                + turn.label("foundation", step),
                f"fd:{step}",
            )
        ]
        for step in phases.FOUNDATION_STEPS
    ]


def _reconnected_keyboard(turn: Turn) -> Keyboard:
    return [
        [(turn.label("reconnected", "partners"), "ph:go:new_chapter")],
        [(turn.label("reconnected", "friends"), "ph:go:new_chapter")],
        [(turn.label("phase", "later"), "ph:later")],
    ]


async def progress(turn: Turn) -> None:
    """Where the user is, what unlocks next and when, and the mood chart."""
    view = await load_view(turn)
    if view is None:
        return
    state, user = view.state, view.user
    gate = phases.evaluate(state, view.intake, view.progress, turn.now)
    moods = await repo.moods_since(turn.session, user.id, turn.now - timedelta(days=CHART_DAYS))
    recent = [m for at, m in moods if at >= turn.now - timedelta(days=MOOD_AVERAGE_DAYS)]
    exchanges = [c for c in view.contacts if c.kind is ContactKind.EXCHANGE]
    keyboard: Keyboard | None = None
    if gate.is_open and gate.target is Phase.NEW_CHAPTER:
        keyboard = _reconnected_keyboard(turn)
    elif gate.is_open and gate.target is not None:
        keyboard = offer_keyboard(turn, gate.target)
    elif state.phase is Phase.READINESS and state.track is Track.MAIN:
        keyboard = _foundation_keyboard(turn, view)
    turn.say(
        "progress",
        keyboard,
        name=user.name or "",
        phase_number=state.phase.number,
        phase_title=phase_title(turn, state.phase),
        track=state.track.value,
        track_title=turn.label("track_title", state.track.value),
        reason=view.reason,
        days_since_breakup=(turn.now.date() - view.intake.breakup_date).days,
        days_in_program=(turn.now - state.started_at).days,
        days_in_phase=(turn.now - state.phase_started_at).days,
        show_streak=state.phase in (Phase.REFLECT, Phase.NOTICE) or state.track is not Track.MAIN,
        streak_days=no_contact_streak_days(state.started_at, view.contacts, turn.now),
        slips=slip_count(view.contacts),
        entries=await repo.journal_count(turn.session, user.id),
        mood_avg=round(sum(recent) / len(recent), 1) if recent else None,
        checklist_done=len(view.progress.checklist_affirmed),
        exchanges=len(exchanges),
        positive_exchanges=view.progress.positive_exchanges,
        paused=user.paused,
        gate_open=gate.is_open,
        next_title=phase_title(turn, gate.target) if gate.target else None,
        blockers=blocker_views(turn, gate, user.timezone),
    )
    if len(moods) >= 2:
        labels = turn.svc.renderer.labels["chart"]
        image = await asyncio.to_thread(mood_chart, moods, labels["title"], labels["ylabel"])
        turn.photo(image, "progress/chart_caption", days=CHART_DAYS)


async def on_phase_button(turn: Turn) -> None:
    """'Yes, let's begin' re-checks every gate; 'not yet' leaves things as they are."""
    parts = callback_parts(turn.update, "ph")
    view = await load_view(turn)
    if view is None or not parts:
        turn.say("errors/stale_button")
        return
    if parts == ["later"]:
        turn.say("phase/later")
        return
    if len(parts) != 2 or parts[0] != "go" or parts[1] not in {p.value for p in Phase}:
        turn.say("errors/stale_button")
        return
    target = Phase(parts[1])
    gate = phases.evaluate(view.state, view.intake, view.progress, turn.now)
    if gate.target is not target:
        turn.say("errors/stale_button")
        return
    try:
        state = phases.advance(view.state, view.intake, view.progress, turn.now, target)
    except phases.GateClosedError as refused:
        turn.say(
            "phase/blocked",
            blockers=blocker_views(turn, refused.gate, view.user.timezone),
            target_title=phase_title(turn, target),
        )
        return
    save_state(turn, view, state)
    await plan_milestone(turn, view)
    turn.say(
        "phase/advanced",
        phase=state.phase.value,
        phase_number=state.phase.number,
        phase_title=phase_title(turn, state.phase),
    )


async def on_foundation_button(turn: Turn) -> None:
    """Start reflecting on one new-foundation step."""
    parts = callback_parts(turn.update, "fd")
    view = await load_view(turn)
    if view is None or len(parts) != 1 or parts[0] not in phases.FOUNDATION_STEPS:
        turn.say("errors/stale_button")
        return
    if view.state.phase is not Phase.READINESS or view.state.track is not Track.MAIN:
        turn.say("foundation/not_now")
        return
    await turn.enter("foundation", parts[0])
    turn.say("foundation/ask", step=parts[0])


async def on_foundation_text(turn: Turn, step: str, text: str) -> None:
    """Save foundation work to the journal and mark the step done."""
    view = await load_view(turn)
    if view is None:
        return
    await save_entry(
        turn.session, turn.svc.renderer, view.row, turn.user_id, text, turn.now, "foundation"
    )
    save_state(turn, view, phases.complete_foundation_step(view.state, step))
    await turn.leave()
    remaining = [
        turn.label("foundation", s)
        for s in phases.FOUNDATION_STEPS
        if s not in view.state.foundation_done
    ]
    gate = phases.evaluate(view.state, view.intake, view.progress, turn.now)
    turn.say(
        "foundation/saved",
        _reconnected_keyboard(turn) if gate.is_open else _foundation_keyboard(turn, view),
        remaining=remaining,
        gate_open=gate.is_open,
    )
