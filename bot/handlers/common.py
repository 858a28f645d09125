"""Helpers shared by feature handlers: the program view of a user, and time phrasing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.checkins import planner
from bot.checkins.timing import Kind
from bot.handlers.base import Keyboard, Turn
from bot.program import phases
from bot.program.contact import ContactRecord, positive_exchanges
from bot.program.model import Intake, Phase, ProgramState
from bot.program.parsing import resolve_zone
from bot.program.tracks import growth_reason
from bot.storage import repo
from bot.storage.models import ProgramRow, User


@dataclass
class View:
    """Everything the program needs to know about one user, loaded once per turn."""

    user: User
    row: ProgramRow
    intake: Intake
    state: ProgramState
    checklist: dict[str, bool]
    contacts: list[ContactRecord]

    @property
    def progress(self) -> phases.Progress:
        """Checklist and exchanges, as the gates read them."""
        return phases.Progress(
            checklist_affirmed=frozenset(k for k, v in self.checklist.items() if v),
            positive_exchanges=positive_exchanges(self.contacts),
        )

    @property
    def reason(self) -> str | None:
        """Why the user is off the main track, as a content key."""
        return growth_reason(self.intake, self.state)


async def load_view(turn: Turn) -> View | None:
    """The program view of the current user, or None before intake is complete."""
    user = await turn.user()
    row = await turn.program()
    if user is None or row is None or not user.intake_complete:
        return None
    return View(
        user=user,
        row=row,
        intake=repo.intake_of(user),
        state=repo.state_of(row),
        checklist=await repo.checklist_answers(turn.session, user.id),
        contacts=await repo.contact_records(turn.session, user.id),
    )


def save_state(turn: Turn, view: View, state: ProgramState) -> None:
    """Store a new program state on the view's row."""
    repo.apply_state(view.row, state)
    view.state = state
    turn.session.add(view.row)


def describe_when(turn: Turn, when: datetime, timezone: str) -> str:
    """'today at 20:00', 'tomorrow at 08:30' or 'Mon 02 Mar 2026 at 20:00', in the user's zone."""
    zone = resolve_zone(timezone)
    local, today = when.astimezone(zone), turn.now.astimezone(zone).date()
    labels = turn.svc.renderer.labels["format"]
    clock = local.strftime(labels["time"])
    if local.date() == today:
        return labels["today"].format(time=clock)
    if local.date() == today + timedelta(days=1):
        return labels["tomorrow"].format(time=clock)
    return labels["other"].format(date=local.strftime(labels["date"]), time=clock)


def describe_day(turn: Turn, when: datetime, timezone: str) -> str:
    """A date in the user's zone, like 'Mon 02 Mar 2026'."""
    return when.astimezone(resolve_zone(timezone)).strftime(
        turn.svc.renderer.labels["format"]["date"]
    )


def phase_title(turn: Turn, phase: Phase | str) -> str:
    """The phase's display name."""
    return turn.label("phase_title", str(phase))


def blocker_views(turn: Turn, gate: phases.Gate, timezone: str) -> list[dict[str, object]]:
    """Blockers with dates phrased for the user."""
    return [
        {
            "code": b.code,
            "until": describe_day(turn, b.until, timezone) if b.until else "",
            "missing": [
                turn.label("foundation", m) if m in phases.FOUNDATION_STEPS else m
                for m in b.missing
            ],
            "have": b.have,
            "need": b.need,
        }
        for b in gate.blockers
    ]


def offer_keyboard(turn: Turn, target: Phase) -> Keyboard:
    """Buttons to accept or postpone a phase move."""
    return [
        [(turn.label("phase", "advance"), f"ph:go:{target.value}")],
        [(turn.label("phase", "later"), "ph:later")],
    ]


async def plan_milestone(turn: Turn, view: View) -> None:
    """Plan the check-in that offers the next phase when its time has come."""
    gate = phases.evaluate(view.state, view.intake, view.progress, turn.now)
    if gate.target is None or any(b.code.endswith("_track") for b in gate.blockers):
        return
    if gate.time_opens_at is None and not gate.is_open:
        return  # waiting on the user or on a reply, not on the calendar: nothing to announce
    due = gate.time_opens_at or turn.now + timedelta(minutes=1)
    key = f"{gate.target.value}:{view.state.phase_started_at.date().isoformat()}"
    await planner.plan_once(turn.session, view.user, Kind.MILESTONE, key, due)
