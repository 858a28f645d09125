"""The choice questions of intake and settings: buttons, and what each answer sets."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.models import User


@dataclass(frozen=True)
class Choice:
    """One button: its label (section, key) and the value it stands for."""

    section: str
    key: str
    value: str


CHOICES: dict[str, tuple[Choice, ...]] = {
    "ended_by": (
        Choice("intake", "ended_me", "me"),
        Choice("intake", "ended_them", "them"),
        Choice("intake", "ended_mutual", "mutual"),
    ),
    "together": (
        Choice("intake", "together_under_year", "under_year"),
        Choice("intake", "together_one_to_three", "one_to_three"),
        Choice("intake", "together_three_to_five", "three_to_five"),
        Choice("intake", "together_over_five", "over_five"),
    ),
    "intense": (Choice("common", "yes", "yes"), Choice("common", "no", "no")),
    "coparenting": (Choice("intake", "coparent_yes", "yes"), Choice("intake", "coparent_no", "no")),
    "committed": (
        Choice("intake", "committed_yes", "yes"),
        Choice("intake", "committed_no", "no"),
        Choice("intake", "committed_unsure", "unsure"),
    ),
    "safety": (
        Choice("intake", "safety_no_contact", "no_contact"),
        Choice("intake", "safety_abuse", "abuse"),
        Choice("intake", "safety_none", "none"),
    ),
    "hope": (
        Choice("intake", "hope_friendship", "friendship"),
        Choice("intake", "hope_partners", "partners"),
        Choice("intake", "hope_unsure", "unsure"),
    ),
}


def is_valid(field: str, value: str) -> bool:
    """Whether a (client-supplied) value is one of the field's choices."""
    return any(c.value == value for c in CHOICES.get(field, ()))


def apply_choice(user: User, field: str, value: str) -> None:
    """Set the user's answer for a choice field (value already validated)."""
    if field == "ended_by":
        user.ended_by = value
    elif field == "together":
        user.together = value
    elif field == "intense":
        user.intense = value == "yes"
    elif field == "coparenting":
        user.coparenting = value == "yes"
    elif field == "committed":
        user.ex_committed = value == "yes"
    elif field == "safety":
        user.no_contact_requested = value == "no_contact"
        user.abuse_or_protective_order = value == "abuse"
    elif field == "hope":
        user.hope = value


def current_label(user: User, field: str) -> tuple[str, str]:
    """The (section, key) label of the user's current answer to a choice field."""
    value = {
        "ended_by": user.ended_by,
        "together": user.together,
        "intense": "yes" if user.intense else "no",
        "coparenting": "yes" if user.coparenting else "no",
        "committed": "yes" if user.ex_committed else "no",
        "safety": "abuse"
        if user.abuse_or_protective_order
        else "no_contact"
        if user.no_contact_requested
        else "none",
        "hope": user.hope,
    }[field]
    for choice in CHOICES[field]:
        if choice.value == value:
            return choice.section, choice.key
    return CHOICES[field][0].section, CHOICES[field][0].key
