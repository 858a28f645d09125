"""Every template renders with sample data: no missing variable, escaped text, within limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jinja2 import UndefinedError

from bot.program.checklist import CHECKLIST_ITEMS
from bot.program.model import Phase
from bot.program.questions import THEMES
from bot.render import TELEGRAM_TEXT_LIMIT, Renderer

CONTENT = Path(__file__).resolve().parent.parent / "content"
EVIL = "<b>Evil & Co</b>"
BLOCKERS = [
    {"code": c, "until": "Mon 2 Mar", "missing": ("space", "vision"), "have": 1, "need": 3}
    for c in (
        "time_since_breakup",
        "time_in_phase",
        "checklist",
        "outreach_hold",
        "outreach_not_sent",
        "awaiting_reply",
        "positive_exchanges",
        "foundation",
        "growth_track",
        "safety_track",
        "final_phase",
        "other",
    )
]
FINDINGS = [
    {"code": c, "evidence": EVIL}
    for c in (
        "too_long",
        "blame",
        "pressure",
        "old_conflict",
        "intensity",
        "intensity_marks",
        "many_questions",
        "comparison",
        "second_message",
        "shared_memory",
        "accountable_apology",
        "no_pressure",
        "own_growth",
        "short",
        "other",
    )
]
COMMON: dict[str, Any] = {"name": EVIL}
PROGRESS = {
    "phase_number": 2,
    "phase_title": "Notice",
    "track": "main",
    "track_title": "Main",
    "days_since_breakup": 70,
    "days_in_program": 20,
    "days_in_phase": 5,
    "show_streak": True,
    "streak_days": 12,
    "slips": 1,
    "entries": 14,
    "mood_avg": 3.4,
    "checklist_done": 2,
    "exchanges": 0,
    "positive_exchanges": 0,
    "paused": True,
    "gate_open": False,
    "next_title": "One message",
    "blockers": BLOCKERS,
    "reason": "ex_committed",
}

# Each template maps to one or more sample contexts; a new template must add its own here.
SAMPLES: dict[str, list[dict[str, Any]]] = {
    "intake/welcome": [{}],
    "intake/bad_name": [{"limit": 64}],
    "intake/ask_breakup_date": [COMMON],
    "intake/bad_date": [{}],
    "intake/ask_ended_by": [{}],
    "intake/ask_together": [{}],
    "intake/ask_intense": [{}],
    "intake/ask_coparenting": [{}],
    "intake/ask_committed": [{}],
    "intake/ask_safety": [{}],
    "intake/ask_hope": [{}],
    "intake/ask_timezone": [{}],
    "intake/bad_timezone": [{}],
    "intake/ask_prompt_time": [{"timezone": EVIL}],
    "intake/bad_time": [{}],
    "intake/done": [
        {
            **COMMON,
            "track": t,
            "phase": p,
            "reason": r,
            "first_prompt": "today at 20:00",
            "timezone": "Europe/Berlin",
        }
        for t, p, r in (
            ("main", "reflect", None),
            ("growth", "reflect", "ex_committed"),
            ("safety", "reflect", "abuse_or_order"),
            ("safety", "reflect", "no_contact_requested"),
        )
    ],
    "intake/use_buttons": [{}],
    "start/returning": [
        {
            **COMMON,
            "phase_number": 1,
            "phase_title": "Reflect",
            "track": t,
            "track_title": "Growth",
            "days_in_program": 3,
        }
        for t in ("main", "growth")
    ],
    "start/resume_intake": [{}],
    **{f"phases/{p.value}": [{}] for p in Phase},
    "tracks/growth": [{"reason": r} for r in ("ex_committed", "silence", "cool_reply", None)],
    "tracks/safety": [{"reason": r} for r in ("abuse_or_order", "no_contact_requested")],
    "phase/offer": [{**COMMON, "target": p.value, "target_number": 2} for p in Phase],
    "phase/advanced": [
        {"phase": p.value, "phase_number": p.number, "phase_title": "T"} for p in Phase
    ],
    "phase/later": [{}],
    "phase/blocked": [
        {"blockers": BLOCKERS, "target_title": "Notice"},
        {"blockers": [], "target_title": None},
    ],
    "phase/blocker": [{"b": b} for b in BLOCKERS],
    "help": [{}],
    "faq": [{}],
    "case_study": [{}],
    "dosdonts": [{}],
    "reflection/prompt": [{"question": EVIL, "is_checkin": c} for c in (True, False)],
    "reflection/ask_mood": [{}],
    "reflection/saved": [{"mood": m} for m in (None, 1, 5)],
    "reflection/already_answered": [{}],
    "journal/ask": [{}],
    "journal/offer_save": [{}],
    "journal/discarded": [{}],
    "journal/nothing_pending": [{}],
    "progress": [
        {**COMMON, **PROGRESS},
        {**COMMON, **PROGRESS, "track": "growth", "paused": False},
        {**COMMON, **PROGRESS, "track": "safety", "reason": "no_contact_requested"},
        {**COMMON, **PROGRESS, "gate_open": True, "mood_avg": None, "slips": 0, "exchanges": 3},
        {**COMMON, **PROGRESS, "next_title": None, "blockers": []},
    ],
    "progress/chart_caption": [{"days": 30}],
    "progress/foundation": [
        {"steps": [{"title": EVIL, "done": True}, {"title": "x", "done": False}]}
    ],
    "foundation/ask": [{"step": s} for s in ("triggers", "boundaries", "listening", "vision")],
    "foundation/saved": [
        {"remaining": ["vision"], "gate_open": False},
        {"remaining": [], "gate_open": True},
        {"remaining": [], "gate_open": False},
    ],
    "foundation/not_now": [{}],
    "reconnected/ask": [{}],
    "checklist/intro": [{"blocked_reason": EVIL}, {"blocked_reason": None}],
    "checklist/item": [
        {"index": 1, "total": 6, "statement": EVIL, "why": "w", "previous": p}
        for p in (None, True, False)
    ],
    "checklist/summary": [
        {"affirmed": a, "total": 6, "items": [{"affirmed": True, "statement": EVIL}]}
        for a in (3, 6)
    ],
    "checklist/track_note": [{"track": t} for t in ("growth", "safety")],
    "sos/start": [{}],
    "sos/ask_draft": [{"intensity": 7}],
    "sos/done": [{"wrote": w} for w in (True, False)],
    "sos/pick_number": [{}],
    "draft/ask": [{}],
    "draft/blocked": [
        {"code": c, "until": "Mon 2 Mar", "reason": "silence"}
        for c in (
            "safety_track",
            "growth_track",
            "second_after_silence",
            "already_sent",
            "outreach_hold",
            "not_outreach_phase",
        )
    ],
    "draft/review": [
        {"words": 12, "concerns": FINDINGS[:9], "strengths": FINDINGS[9:]},
        {"words": 1, "concerns": [], "strengths": []},
    ],
    "draft/finding": [{"f": f} for f in FINDINGS],
    "draft/confirm_sent": [{}],
    "draft/sent": [{"reply_check": "Thu 5 Mar", "silence_check": "Mon 16 Mar"}],
    "draft/waiting": [{}],
    "draft/kept": [{}],
    "outreach/ask_reply": [COMMON],
    "outreach/silence": [{**COMMON, "reason": "silence"}],
    "outreach/warm": [{"gate_open": g} for g in (True, False)],
    "outreach/cool": [{"reason": "cool_reply"}],
    "outreach/still_waiting": [{}],
    "outreach/they_reached_out": [{"track": t} for t in ("main", "growth")],
    "contact/ask_kind": [{}],
    "contact/ask_initiator": [{}],
    "contact/ask_tone": [{}],
    "contact/ask_feeling": [{}],
    "contact/saved": [
        {"kind": k, "warning": w, "track": "main"}
        for k in ("logistics", "slip", "they_reached_out", "exchange")
        for w in (
            None,
            {"started_last_week": 3, "days_since_previous": 1},
            {"started_last_week": 1, "days_since_previous": None},
        )
    ],
    "contact/not_coparenting": [{}],
    "settings/menu": [
        {
            **COMMON,
            "breakup_date": "2026-03-01",
            "ended_by": "They did",
            "together": "1–3 years",
            "intense": True,
            "coparenting": False,
            "ex_committed": False,
            "safety": False,
            "hope": "Friendship",
            "timezone": "Europe/Berlin",
            "prompt_time": "20:00",
            "quiet_hours": "22:00–08:00",
        }
    ],
    "settings/ask_text": [
        {"field": f} for f in ("name", "breakup_date", "timezone", "prompt_time", "quiet_hours")
    ],
    "settings/bad_quiet": [{}],
    "settings/saved": [
        {"next_prompt": n, "track_changed": c, "track": t, "reason": "ex_committed"}
        for n, c, t in (
            ("today at 20:00", False, "main"),
            (None, True, "growth"),
            (None, True, "safety"),
            (None, True, "main"),
        )
    ],
    "settings/ask_reached_out": [{}],
    "pause": [{"already": a} for a in (True, False)],
    "resume": [{"already": a, "next_prompt": "today at 20:00"} for a in (True, False)],
    "export/caption": [{}],
    "delete/confirm": [{}],
    "delete/done": [{}],
    "delete/kept": [{}],
    "checkins/weekly": [
        {
            **COMMON,
            "entries": e,
            "mood_avg": 3.5,
            "show_streak": True,
            "streak_days": 9,
            "themes": [EVIL],
        }
        for e in (0, 1, 5)
    ],
    "checkins/nudge": [COMMON],
    "crisis": [{}],
    "crisis/continue": [{}],
    "cancel": [{"had_flow": h} for h in (True, False)],
    "errors/unsupported": [
        {"kind": k, "in_flow": f}
        for k in ("sticker", "voice", "photo", "document")
        for f in (True, False)
    ],
    "errors/unknown_command": [{"in_flow": f} for f in (True, False)],
    "errors/too_long": [{"limit": 3500}],
    "errors/empty": [{}],
    "errors/stale_button": [{}],
    "errors/internal": [{}],
    "errors/need_start": [{}],
    "errors/finish_intake": [{}],
    "errors/intake_hint": [{}],
    "errors/edited": [{}],
    "errors/use_buttons": [{}],
    "errors/flow_interrupted": [{}],
}


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(CONTENT, "en")


def test_every_template_has_samples(renderer: Renderer) -> None:
    assert set(renderer.template_names()) == set(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_template_renders_escaped_and_within_limit(renderer: Renderer, name: str) -> None:
    for context in SAMPLES[name]:
        text = renderer.render(name, **context)
        assert text.strip()
        assert len(text) <= TELEGRAM_TEXT_LIMIT
        assert EVIL not in text, f"{name} let user text through unescaped"


def test_missing_variable_fails(renderer: Renderer) -> None:
    with pytest.raises(UndefinedError):
        renderer.render("intake/ask_breakup_date")


def test_question_bank_is_big_and_well_formed(renderer: Renderer) -> None:
    bank = renderer.questions
    assert len(bank) >= 60
    assert {q.theme for q in bank} == set(THEMES)
    for pool in [p.value for p in Phase] + ["growth", "safety"]:
        reachable = {q.id for q in bank if pool in q.pools or "general" in q.pools}
        assert len(reachable) >= 30, pool
    assert set(renderer.question_texts) == {q.id for q in bank}


def test_checklist_matches_program(renderer: Renderer) -> None:
    assert tuple(item.key for item in renderer.checklist) == CHECKLIST_ITEMS


def test_labels_fit_on_buttons(renderer: Renderer) -> None:
    for section in renderer.labels.values():
        for label in section.values():
            assert 0 < len(label) <= 64
