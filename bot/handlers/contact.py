"""/contact: log practical contact, a slip, their outreach, or an exchange with its tone."""

from __future__ import annotations

from bot.handlers.base import Keyboard, Turn, step_button
from bot.handlers.common import View, load_view, plan_milestone, save_state
from bot.program import outreach
from bot.program.contact import (
    ContactKind,
    ContactRecord,
    Feeling,
    Initiator,
    Tone,
    frequency_warning,
)
from bot.storage.models import ContactEvent

FLOW = "contact"
STEPS = {"who": Initiator, "tone": Tone, "felt": Feeling}


def _row(turn: Turn, options: list[tuple[str, str, str]]) -> Keyboard:
    return [[(turn.label(section, key), data)] for section, key, data in options]


async def contact(turn: Turn) -> None:
    """Ask what kind of contact to log."""
    if await load_view(turn) is None:
        return
    await turn.enter(FLOW, "kind")
    turn.say(
        "contact/ask_kind",
        _row(turn, [("contact", k.value, f"ct:kind:{k.value}") for k in ContactKind]),
    )


async def on_button(turn: Turn) -> None:
    """Each tap fills one field; only the field being asked is accepted."""
    tapped = await step_button(turn, "ct", FLOW)
    view = await load_view(turn)
    conversation = await turn.conversation()
    if tapped is None or view is None or conversation is None:
        return
    field, value = tapped
    data = dict(conversation.data)
    if field == "kind":
        if value not in {k.value for k in ContactKind}:
            turn.say("errors/stale_button")
            return
        kind = ContactKind(value)
        if kind is ContactKind.EXCHANGE:
            await turn.enter(FLOW, "who", {"kind": value})
            turn.say(
                "contact/ask_initiator",
                _row(turn, [("contact", i.value, f"ct:who:{i.value}") for i in Initiator]),
            )
            return
        initiator = Initiator.THEM if kind is ContactKind.THEY_REACHED_OUT else Initiator.ME
        await _save(turn, view, {"kind": value, "who": initiator.value})
        return
    if field not in STEPS or value not in {member.value for member in STEPS[field]}:
        turn.say("errors/stale_button")
        return
    data[field] = value
    if field == "who":
        await turn.enter(FLOW, "tone", data)
        turn.say(
            "contact/ask_tone",
            [[(turn.label("contact", f"tone_{t.value}"), f"ct:tone:{t.value}") for t in Tone]],
        )
    elif field == "tone":
        await turn.enter(FLOW, "felt", data)
        turn.say(
            "contact/ask_feeling",
            [[(turn.label("contact", f"felt_{f.value}"), f"ct:felt:{f.value}") for f in Feeling]],
        )
    else:
        await _save(turn, view, data)


async def _save(turn: Turn, view: View, data: dict[str, str]) -> None:
    kind = ContactKind(data["kind"])
    event = ContactEvent(
        user_id=turn.user_id,
        at=turn.now,
        kind=kind.value,
        initiator=data["who"],
        tone=data.get("tone"),
        feeling=data.get("felt"),
    )
    turn.session.add(event)
    record = ContactRecord(
        turn.now, kind, Initiator(data["who"]), Tone(data["tone"]) if data.get("tone") else None
    )
    records = [*view.contacts, record]
    view.contacts = records
    if kind is ContactKind.THEY_REACHED_OUT or (
        kind is ContactKind.EXCHANGE and data["who"] == Initiator.THEM.value
    ):
        save_state(turn, view, outreach.ex_reached_out(view.state, view.intake))
    await turn.leave()
    warning = frequency_warning(records, turn.now) if record.initiator is Initiator.ME else None
    turn.say("contact/saved", kind=kind.value, warning=warning, track=view.state.track.value)
    if kind is ContactKind.LOGISTICS and not view.user.coparenting:
        turn.say("contact/not_coparenting")
    await plan_milestone(turn, view)
