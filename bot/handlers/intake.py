"""/start: the intake conversation for a new user, or where a returning user stands."""

from __future__ import annotations

from datetime import timedelta

from bot.checkins import planner
from bot.handlers.answers import TEXT_FIELDS, apply_text_answer
from bot.handlers.base import Keyboard, Turn, step_button, text_of
from bot.handlers.choices import CHOICES, apply_choice, is_valid
from bot.handlers.common import describe_when, load_view, phase_title, plan_milestone
from bot.program import phases
from bot.program.tracks import growth_reason
from bot.storage import repo
from bot.storage.models import ProgramRow, User

FLOW = "intake"
STEPS = (
    "name",
    "breakup_date",
    "ended_by",
    "together",
    "intense",
    "coparenting",
    "committed",
    "safety",
    "hope",
    "timezone",
    "prompt_time",
)
DEFAULT_PROMPT_TIME = "20:00"


def _keyboard(turn: Turn, step: str) -> Keyboard | None:
    if step == "prompt_time":
        return [[(turn.label("intake", "time_default"), "in:prompt_time:default")]]
    if step not in CHOICES:
        return None
    return [[(turn.label(c.section, c.key), f"in:{step}:{c.value}")] for c in CHOICES[step]]


async def ask(turn: Turn, step: str) -> None:
    """Ask the question of an intake step."""
    user = await turn.user()
    variables: dict[str, object] = {}
    if step == "breakup_date":
        variables["name"] = user.name if user else ""
    if step == "prompt_time":
        variables["timezone"] = user.timezone if user else ""
    template = "intake/welcome" if step == "name" else f"intake/ask_{step}"
    turn.say(template, _keyboard(turn, step), **variables)


async def start(turn: Turn) -> None:
    """Begin intake, resume it, or show a returning user where they are."""
    user = await turn.user()
    if user is None:
        turn.session.add(
            User(
                id=turn.user_id,
                chat_id=turn.chat_id,
                created_at=turn.now,
                last_seen_at=turn.now,
                timezone=turn.svc.settings.default_timezone,
            )
        )
        await turn.session.flush()
        turn.forget()
        await turn.enter(FLOW, "name")
        await ask(turn, "name")
        return
    if not user.active:
        user.active = True
    conversation = await turn.conversation()
    if not user.intake_complete:
        step = conversation.step if conversation and conversation.flow == FLOW else "name"
        await turn.enter(FLOW, step)
        turn.say("start/resume_intake")
        await ask(turn, step)
        return
    view = await load_view(turn)
    assert view is not None
    turn.say(
        "start/returning",
        name=user.name or "",
        phase_number=view.state.phase.number,
        phase_title=phase_title(turn, view.state.phase),
        track=view.state.track.value,
        track_title=turn.label("track_title", view.state.track.value),
        days_in_program=(turn.now - view.state.started_at).days + 1,
    )


def _next(step: str) -> str | None:
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


async def _advance(turn: Turn, step: str) -> None:
    following = _next(step)
    if following is None:
        await finish(turn)
        return
    await turn.enter(FLOW, following)
    await ask(turn, following)


async def on_text(turn: Turn, step: str) -> None:
    """A typed answer during intake."""
    user = await turn.user()
    assert user is not None
    if step not in TEXT_FIELDS:
        turn.say("intake/use_buttons")
        await ask(turn, step)
        return
    if apply_text_answer(turn, user, step, text_of(turn.update), _keyboard(turn, step)):
        await _advance(turn, step)


async def on_button(turn: Turn) -> None:
    """A tapped intake choice; anything not matching the current step is stale."""
    tapped = await step_button(turn, "in", FLOW)
    user = await turn.user()
    if tapped is None or user is None:
        return
    step, value = tapped
    if step == "prompt_time" and value == "default":
        user.prompt_time = DEFAULT_PROMPT_TIME
    elif is_valid(step, value):
        apply_choice(user, step, value)
    else:
        turn.say("errors/stale_button")
        return
    turn.session.add(user)
    await _advance(turn, step)


async def finish(turn: Turn) -> None:
    """Intake is complete: start the program, plan check-ins, explain the track and phase."""
    user = await turn.user()
    assert user is not None
    user.intake_complete = True
    intake = repo.intake_of(user)
    state = phases.start(intake, turn.now)
    row = await turn.program() or ProgramRow(
        user_id=user.id, started_at=turn.now, phase_started_at=turn.now
    )
    repo.apply_state(row, state)
    turn.session.add_all([user, row])
    await turn.leave()
    await turn.session.flush()
    first = await planner.plan_daily(turn.session, user, turn.now)
    await planner.plan_weekly(turn.session, user, turn.now, not_before=turn.now + timedelta(days=5))
    view = await load_view(turn)
    if view is not None:
        await plan_milestone(turn, view)
    turn.say(
        "intake/done",
        name=user.name or "",
        track=state.track.value,
        phase=state.phase.value,
        reason=growth_reason(intake, state),
        first_prompt=describe_when(turn, first, user.timezone) if first else "",
        timezone=user.timezone,
    )
