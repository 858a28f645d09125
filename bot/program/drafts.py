"""The draft reviewer: checks a message against the don'ts and credits the do's.

It suggests; it never writes the message for the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

MAX_WORDS = 60
MAX_CHARS = 400


class FindingKind(StrEnum):
    """Whether a finding is something to reconsider or something that works."""

    CONCERN = "concern"
    STRENGTH = "strength"


@dataclass(frozen=True)
class Finding:
    """One observation; `code` selects the explanation the user reads."""

    code: str
    kind: FindingKind
    evidence: str = ""


@dataclass(frozen=True)
class DraftContext:
    """What the reviewer must know beyond the text itself."""

    sent_before_without_reply: bool = False


@dataclass(frozen=True)
class Review:
    """All findings for one draft."""

    findings: tuple[Finding, ...]
    words: int

    @property
    def concerns(self) -> tuple[Finding, ...]:
        """Findings that ask the user to reconsider something."""
        return tuple(f for f in self.findings if f.kind is FindingKind.CONCERN)

    @property
    def strengths(self) -> tuple[Finding, ...]:
        """Findings that credit what works."""
        return tuple(f for f in self.findings if f.kind is FindingKind.STRENGTH)

    @property
    def looks_ready(self) -> bool:
        """No concerns at all."""
        return not self.concerns


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)


_CONCERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "blame",
        _rx(
            r"you always",
            r"you never",
            r"your fault",
            r"because of you",
            r"you made me",
            r"you ruined",
            r"you destroyed",
            r"you broke (?:us|my heart|everything)",
            r"thanks to you",
        ),
    ),
    (
        "pressure",
        _rx(
            r"i need (?:an|your) answer",
            r"answer me",
            r"why won'?t you",
            r"why don'?t you",
            r"why haven'?t you",
            r"you have to",
            r"you need to",
            r"you owe me",
            r"let me know by",
            r"(?:reply|respond|answer|call me) (?:asap|now|today|tonight|please)",
            r"(?:give|gave) (?:us|me) (?:another|a second|one more) chance",
            r"get back together",
            r"decide",
            r"make up your mind",
            r"we need to talk",
            r"are we (?:done|over)",
        ),
    ),
    (
        "old_conflict",
        _rx(
            r"about what happened",
            r"that (?:fight|argument|night)",
            r"you cheated",
            r"when you (?:left|lied|cheated|said)",
            r"still (?:angry|mad|hurt)",
            r"i can'?t forgive",
            r"why did you (?:leave|do that|lie|cheat)",
            r"explain why",
            r"closure",
        ),
    ),
    (
        "intensity",
        _rx(
            r"can'?t live without you",
            r"i love you",
            r"soul ?mate",
            r"the one for me",
            r"meant to be",
            r"miss you so (?:much|bad)",
            r"i(?:'m| am) nothing without you",
            r"you(?:'re| are) my (?:everything|world|life)",
            r"i(?:'ll| will) (?:always|never stop) (?:love|wait)",
            r"i can'?t stop thinking about you",
        ),
    ),
    (
        "comparison",
        _rx(
            r"better than (?:you|him|her|them)",
            r"unlike (?:you|him|her|them)",
            r"compared to",
            r"my (?:new|other) (?:boyfriend|girlfriend|partner|date)",
            r"your new (?:boyfriend|girlfriend|partner)",
            r"(?:he|she|they)(?:'s| is| are) nothing like you",
            r"we were perfect",
            r"best (?:thing|relationship) (?:that )?ever",
            r"no one (?:will ever )?(?:compares?|loves? me like)",
        ),
    ),
)

_STRENGTHS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "shared_memory",
        _rx(
            r"remember(?:ed)? (?:how|when|that)",
            r"reminded me",
            r"made me think of",
            r"thought of you when",
            r"we both (?:loved|liked|enjoyed)",
            r"you(?:'d| would) (?:love|like|enjoy)",
            r"saw (?:the|a|that|this)",
        ),
    ),
    (
        "accountable_apology",
        _rx(
            r"i(?:'m| am) sorry (?:for|that|about) (?:how|the way|my|i)",
            r"i apologi[sz]e",
            r"owe you an apology",
            r"my (?:part|role|share) in",
            r"i take responsibility",
            r"i was wrong",
        ),
    ),
    (
        "no_pressure",
        _rx(
            r"no pressure",
            r"no need to (?:reply|respond|answer|write back)",
            r"(?:don'?t|do not) feel (?:like you have|obliged|you need) to",
            r"only if you (?:want|feel like)",
            r"whenever you(?:'re| are)? ready",
            r"totally fine if not",
        ),
    ),
    (
        "own_growth",
        _rx(
            r"i(?:'ve| have) (?:been working on|started|learned|been learning)",
            r"i started",
            r"i(?:'ve| have) been (?:going to|doing|practising|practicing)",
        ),
    ),
)

_SHOUTING = re.compile(r"!{2,}|\?{2,}|\b[A-Z]{4,}\b")


def _evidence(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    return match.group(0) if match else ""


def review_draft(text: str, context: DraftContext | None = None) -> Review:
    """Review a message the user is thinking of sending; findings come with a code each."""
    context = context or DraftContext()
    normalized = text.replace("’", "'").strip()
    words = len(normalized.split())
    findings: list[Finding] = []
    if context.sent_before_without_reply:
        findings.append(Finding("second_message", FindingKind.CONCERN))
    if words > MAX_WORDS or len(normalized) > MAX_CHARS:
        findings.append(Finding("too_long", FindingKind.CONCERN, str(words)))
    for code, pattern in _CONCERNS:
        if pattern.search(normalized):
            findings.append(Finding(code, FindingKind.CONCERN, _evidence(pattern, normalized)))
    if _SHOUTING.search(normalized):
        findings.append(
            Finding("intensity_marks", FindingKind.CONCERN, _evidence(_SHOUTING, normalized))
        )
    if normalized.count("?") > 2:
        findings.append(Finding("many_questions", FindingKind.CONCERN, str(normalized.count("?"))))
    for code, pattern in _STRENGTHS:
        if pattern.search(normalized):
            findings.append(Finding(code, FindingKind.STRENGTH, _evidence(pattern, normalized)))
    if words and words <= MAX_WORDS // 2:
        findings.append(Finding("short", FindingKind.STRENGTH, str(words)))
    return Review(findings=tuple(findings), words=words)
