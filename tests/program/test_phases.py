"""Gates of the phase state machine: each refuses and allows as PRODUCT.md says."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.program import outreach, phases
from bot.program.checklist import CHECKLIST_ITEMS
from bot.program.model import Intake, OutreachOutcome, Phase, ProgramState, Track
from bot.program.phases import GateClosedError, Progress

T0 = datetime(2026, 1, 1, 9, tzinfo=UTC)
ALL_CHECKED = Progress(checklist_affirmed=frozenset(CHECKLIST_ITEMS))


def intake(**kw: object) -> Intake:
    return Intake(breakup_date=date(2025, 12, 20), **kw)  # type: ignore[arg-type]


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def test_start_puts_user_in_reflect_on_main_track() -> None:
    state = phases.start(intake(), T0)
    assert (state.phase, state.track) == (Phase.REFLECT, Track.MAIN)


@pytest.mark.parametrize(
    ("answers", "track"),
    [
        ({"ex_committed": True}, Track.GROWTH),
        ({"no_contact_requested": True}, Track.SAFETY),
        ({"abuse_or_protective_order": True}, Track.SAFETY),
        ({"ex_committed": True, "abuse_or_protective_order": True}, Track.SAFETY),
    ],
)
def test_intake_sets_track(answers: dict[str, bool], track: Track) -> None:
    assert phases.start(intake(**answers), T0).track is track


def test_notice_waits_for_two_months_since_breakup() -> None:
    state = phases.start(intake(), T0)
    gate = phases.evaluate(state, intake(), Progress(), at(30))
    assert not gate.is_open
    assert {b.code for b in gate.blockers} == {"time_since_breakup"}
    assert gate.opens_at == datetime(2026, 2, 20, tzinfo=UTC)
    assert phases.evaluate(state, intake(), Progress(), at(51)).is_open


def test_notice_also_needs_two_weeks_in_the_program() -> None:
    old_breakup = Intake(breakup_date=date(2025, 6, 1))
    state = phases.start(old_breakup, T0)
    gate = phases.evaluate(state, old_breakup, Progress(), at(3))
    assert [b.code for b in gate.blockers] == ["time_in_phase"]
    assert phases.evaluate(state, old_breakup, Progress(), at(14)).is_open


def _in_notice(i: Intake, when: datetime) -> ProgramState:
    return phases.start(i, T0).evolve(phase=Phase.NOTICE, phase_started_at=when)


def test_outreach_needs_three_months_and_full_checklist() -> None:
    state = _in_notice(intake(), at(60))
    blocked = phases.evaluate(state, intake(), Progress(), at(75))
    assert {b.code for b in blocked.blockers} == {"time_since_breakup", "checklist"}
    partial = Progress(checklist_affirmed=frozenset(CHECKLIST_ITEMS[:5]))
    gate = phases.evaluate(state, intake(), partial, at(90))
    assert [b.code for b in gate.blockers] == ["checklist"]
    assert gate.blockers[0].missing == ("their_comfort",)
    assert phases.evaluate(state, intake(), ALL_CHECKED, at(90)).is_open


def test_intense_breakup_needs_six_months_before_outreach() -> None:
    intense = intake(intense=True)
    state = _in_notice(intense, at(60))
    gate = phases.evaluate(state, intense, ALL_CHECKED, at(120))
    assert [b.code for b in gate.blockers] == ["time_since_breakup"]
    assert gate.blockers[0].need == 6
    assert phases.evaluate(state, intense, ALL_CHECKED, at(172)).is_open


@pytest.mark.parametrize(
    ("answers", "code"),
    [({"ex_committed": True}, "growth_track"), ({"no_contact_requested": True}, "safety_track")],
)
def test_tracks_block_every_move(answers: dict[str, bool], code: str) -> None:
    i = intake(**answers)
    state = _in_notice(i, at(60))
    gate = phases.evaluate(state, i, ALL_CHECKED, at(400))
    assert [b.code for b in gate.blockers] == [code]
    with pytest.raises(GateClosedError):
        phases.advance(state, i, ALL_CHECKED, at(400), Phase.OUTREACH)


def test_advance_refuses_skipping_a_phase() -> None:
    state = phases.start(intake(), T0)
    with pytest.raises(GateClosedError):
        phases.advance(state, intake(), ALL_CHECKED, at(400), Phase.OUTREACH)


def test_crisis_hold_blocks_outreach_for_a_week() -> None:
    state = phases.hold_outreach(_in_notice(intake(), at(60)), at(89))
    gate = phases.evaluate(state, intake(), ALL_CHECKED, at(90))
    assert [b.code for b in gate.blockers] == ["outreach_hold"]
    assert phases.evaluate(state, intake(), ALL_CHECKED, at(96)).is_open


def _sent(i: Intake) -> ProgramState:
    state = phases.advance(_in_notice(i, at(60)), i, ALL_CHECKED, at(90), Phase.OUTREACH)
    return outreach.record_sent(state, i, at(91))


def test_light_contact_needs_a_warm_reply() -> None:
    i = intake()
    state = _sent(i)
    assert [b.code for b in phases.evaluate(state, i, ALL_CHECKED, at(95)).blockers] == [
        "awaiting_reply"
    ]
    warm = outreach.record_reply(state, i, OutreachOutcome.WARM)
    assert (
        phases.advance(warm, i, ALL_CHECKED, at(95), Phase.LIGHT_CONTACT).phase
        is Phase.LIGHT_CONTACT
    )


def test_silence_moves_to_growth_and_forbids_second_message() -> None:
    i = intake()
    state = _sent(i)
    assert outreach.respect_silence(state, i, at(100)) == state  # too early
    silent = outreach.respect_silence(state, i, at(105))
    assert silent.outreach_outcome is OutreachOutcome.SILENCE
    assert silent.track is Track.GROWTH
    assert outreach.send_blocker(silent, i, at(200)) == "second_after_silence"
    with pytest.raises(outreach.OutreachRefusedError):
        outreach.record_sent(silent, i, at(200))


def test_second_message_refused_while_waiting() -> None:
    i = intake()
    state = _sent(i)
    assert outreach.send_blocker(state, i, at(92)) == "already_sent"


def test_ex_reaching_out_after_silence_reopens_main_track() -> None:
    i = intake()
    silent = outreach.respect_silence(_sent(i), i, at(110))
    reopened = outreach.ex_reached_out(silent, i)
    assert reopened.track is Track.MAIN
    assert phases.evaluate(reopened, i, ALL_CHECKED, at(121)).is_open


def test_committed_ex_who_becomes_single_must_reach_out_first() -> None:
    committed = intake(ex_committed=True)
    state = phases.start(committed, T0)
    single = intake(ex_committed=False)
    state = phases.with_intake(state, single)
    assert state.track is Track.GROWTH
    assert outreach.ex_reached_out(state, single).track is Track.MAIN


def test_readiness_needs_several_positive_exchanges_and_month_seven() -> None:
    i = intake()
    light = _sent(i).evolve(
        outreach_outcome=OutreachOutcome.WARM, phase=Phase.LIGHT_CONTACT, phase_started_at=at(100)
    )
    gate = phases.evaluate(light, i, Progress(positive_exchanges=2), at(200))
    assert [(b.code, b.have, b.need) for b in gate.blockers] == [("positive_exchanges", 2, 3)]
    early = phases.evaluate(light, i, Progress(positive_exchanges=5), at(140))
    assert {b.code for b in early.blockers} == {"time_since_breakup"}
    assert phases.evaluate(light, i, Progress(positive_exchanges=3), at(200)).is_open


def test_new_chapter_needs_every_foundation_step() -> None:
    i = intake()
    ready = _sent(i).evolve(phase=Phase.READINESS, phase_started_at=at(200))
    for step in phases.FOUNDATION_STEPS[:3]:
        ready = phases.complete_foundation_step(ready, step)
    gate = phases.evaluate(ready, i, Progress(), at(230))
    assert [(b.code, b.missing) for b in gate.blockers] == [("foundation", ("vision",))]
    ready = phases.complete_foundation_step(ready, "vision")
    assert (
        phases.advance(ready, i, Progress(), at(230), Phase.NEW_CHAPTER).phase is Phase.NEW_CHAPTER
    )
    final = ready.evolve(phase=Phase.NEW_CHAPTER)
    assert [b.code for b in phases.evaluate(final, i, Progress(), at(300)).blockers] == [
        "final_phase"
    ]


def test_unknown_foundation_step_is_ignored() -> None:
    ready = phases.start(intake(), T0).evolve(phase=Phase.READINESS)
    assert phases.complete_foundation_step(ready, "forged").foundation_done == frozenset()


# --- properties: no sequence of requests can skip a gate or reach outreach off-track ---

intakes = st.builds(
    Intake,
    breakup_date=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 1, 1)),
    intense=st.booleans(),
    coparenting=st.booleans(),
    ex_committed=st.booleans(),
    no_contact_requested=st.booleans(),
    abuse_or_protective_order=st.booleans(),
)
moves = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=40),
        st.sampled_from(list(Phase)),
        st.frozensets(st.sampled_from(CHECKLIST_ITEMS)),
        st.integers(min_value=0, max_value=6),
    ),
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(i=intakes, script=moves)
def test_no_request_sequence_skips_a_gate(
    i: Intake, script: list[tuple[int, Phase, frozenset[str], int]]
) -> None:
    now = T0
    state = phases.start(i, now)
    for days, target, checked, exchanges in script:
        now += timedelta(days=days)
        progress = Progress(checklist_affirmed=checked, positive_exchanges=exchanges)
        before = state
        try:
            state = phases.advance(state, i, progress, now, target)
        except GateClosedError:
            assert state == before
            continue
        assert state.phase.number == before.phase.number + 1
        assert state.track is Track.MAIN
        if state.phase is Phase.OUTREACH:
            assert checked == frozenset(CHECKLIST_ITEMS)
            months = 6 if i.intense else 3
            assert now.date() >= phases.add_months(i.breakup_date, months)
        if state.phase is Phase.LIGHT_CONTACT:
            pytest.fail("light contact is unreachable without a recorded warm reply")
    if i.ex_committed or i.no_contact_requested or i.abuse_or_protective_order:
        assert state.phase is Phase.REFLECT


@settings(max_examples=200, deadline=None)
@given(i=intakes, days=st.integers(min_value=14, max_value=400))
def test_silence_never_allows_a_second_message(i: Intake, days: int) -> None:
    state = phases.start(i, T0).evolve(
        phase=Phase.OUTREACH, outreach_sent_at=T0, outreach_outcome=OutreachOutcome.PENDING
    )
    silent = outreach.respect_silence(state, i, T0 + timedelta(days=days))
    assert outreach.send_blocker(silent, i, T0 + timedelta(days=days + 1)) is not None
    assert silent.track is not Track.MAIN
