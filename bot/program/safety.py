"""Crisis-language detection: any match interrupts whatever flow the user is in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class CrisisKind(StrEnum):
    """Why a message was flagged."""

    SELF_HARM = "self_harm"
    UNSAFE = "unsafe"


_SELF_HARM = re.compile(
    r"\b("
    r"suicid\w*|kill(ing)? my ?self|end(ing)? (it all|my life)|take my (own )?life"
    r"|(hurt|harm|cut)(ing)? my ?self|self[- ]?harm\w*"
    r"|(don'?t|do not) want to (live|be alive|exist|wake up)"
    r"|want(ed)? to die|wish i (was|were) dead|better off dead|no reason to live"
    r"|can'?t go on|overdos\w*"
    r")\b",
    re.IGNORECASE,
)
_UNSAFE = re.compile(
    r"\b("
    r"(i'?m|i am|i feel|feel) (not safe|unsafe|in danger)"
    r"|(threaten\w*|going to hurt|gonna hurt|will hurt) (me|my kids?|my children)"
    r"|(he|she|they) (hit|hits|beat|beats|choked|chokes) me"
    r"|afraid (for my life|(he|she|they)('ll| will) hurt me)"
    r")\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CrisisSignal:
    """A detected crisis signal; the text itself is never stored with it."""

    kind: CrisisKind


def detect_crisis(text: str) -> CrisisSignal | None:
    """Return a signal when the text speaks of self-harm, suicide or feeling unsafe."""
    normalized = text.replace("’", "'")
    if _SELF_HARM.search(normalized):
        return CrisisSignal(CrisisKind.SELF_HARM)
    if _UNSAFE.search(normalized):
        return CrisisSignal(CrisisKind.UNSAFE)
    return None
