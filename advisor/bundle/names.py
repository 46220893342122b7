"""The team and application names a bundle is made for, as people give them: the web form, the API's ``team`` and
``app`` parameters and ``advisor bundle --team/--app`` all check them here, with the same words."""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_NAMES = 20  # per kind: a starter bundle, not a whole platform's tenancy
# the bundle makes namespace, Role and group names from them (``payments-prod``, ``payments-developer``): a name
# this long leaves room for those suffixes within the 63 characters of a DNS-1123 label
NAME_LENGTH = 40
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
FIELD_WORDS = {"team": "team", "app": "application"}
# an application may name the team that owns it, as "payments/checkout": with one namespace per application and
# several teams, that team's group gets its Roles
OWNER_SEPARATOR = "/"


class NamesError(ValueError):
    """Names that cannot be used; ``field`` is ``team`` or ``app``, the message says what is wrong in which."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def split_names(text: str) -> list[str]:
    """What a text box holds: names one a line or separated by commas, blanks left out."""
    return [part.strip() for part in re.split(r"[\n,]", text) if part.strip()]


def check_names(field: str, names: Iterable[str]) -> tuple[str, ...]:
    """``names`` in lower case, each once, in the order given; NamesError naming every one that cannot be a
    Kubernetes name, or when there are more than ``MAX_NAMES``. An application name may lead with its owning team
    and ``/`` (``payments/checkout``), both parts checked alike."""
    kept: list[str] = []
    bad: list[str] = []
    for raw in names:
        name = raw.strip().lower()  # Kubernetes names are lower case; "Payments" is meant as "payments"
        if not name:
            continue
        parts = name.split(OWNER_SEPARATOR) if field == "app" else [name]
        if len(parts) > 2 or not all(len(part) <= NAME_LENGTH and DNS_LABEL.match(part) for part in parts):
            bad.append(raw.strip())
        elif name not in kept:
            kept.append(name)
    word = FIELD_WORDS.get(field, field)
    if bad:
        listed = ", ".join(f"“{b[: NAME_LENGTH + 10]}”" for b in bad[:5]) + (" …" if len(bad) > 5 else "")
        owner = ", optionally after its team and “/” (payments/checkout)" if field == "app" else ""
        raise NamesError(
            field,
            f"{word} names are letters, digits and “-”, starting and ending with a letter or digit, at most "
            f"{NAME_LENGTH} characters{owner}: not {listed}",
        )
    if len(kept) > MAX_NAMES:
        raise NamesError(field, f"at most {MAX_NAMES} {word} names (got {len(kept)})")
    return tuple(kept)


def owned(app: str) -> tuple[str | None, str]:
    """An application name as checked: its owning team (None when it names none) and the application."""
    owner, _, name = app.rpartition(OWNER_SEPARATOR)
    return owner or None, name
