"""A user's display preferences: language, digits and calendar (issue 22). They change
how pages read, never what they say: figures, records and exports are the same whichever
is chosen (onward/numerals.py)."""

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as default_of

from django.conf import settings
from django.db import transaction

from onward.accounts.models import Calendar, Digits, User
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record

FIELDS = ("language", "digits", "calendar")


@dataclass(frozen=True)
class Section:
    """A part of the preferences page that another app adds (in its AppConfig.ready):
    this app cannot import the apps above it. `form(user, data)` makes the section's form
    (data None for the page's first showing), `save(user, cleaned_data)` stores it, and
    `template` is included inside the page's form with `form` and `extra(user)`."""

    name: str
    form: Callable
    save: Callable
    template: str
    extra: Callable = default_of(default=lambda user: {})
    applies: Callable = default_of(default=lambda user: True)  # shown to this user?


SECTIONS: list[Section] = []


def section_add(section: Section) -> None:
    if all(s.name != section.name for s in SECTIONS):
        SECTIONS.append(section)


def language_offered(code: str) -> bool:
    return code in dict(settings.LANGUAGES)


def preferences_set(*, user: User, **values: str) -> dict[str, list[str]]:
    """Stores the choices given (`language` a code of settings.LANGUAGES or "" for the
    browser's, `digits` and `calendar` of their choices) on `user`'s account, with one
    audit entry naming what changed; a value outside the choices is a ValueError and
    nothing is written. Returns the changes."""
    allowed = {
        "language": set(dict(settings.LANGUAGES)) | {""},
        "digits": set(Digits.values),
        "calendar": set(Calendar.values),
    }
    for field, value in values.items():
        if field not in FIELDS:
            raise ValueError(f"Not a display preference: {field}.")
        if value not in allowed[field]:
            raise ValueError(f"“{str(value)[:20]}” is not a choice for {field}.")
    changes = {f: [getattr(user, f), v] for f, v in values.items() if getattr(user, f) != v}
    if not changes:
        return {}
    with transaction.atomic():
        for field, (_before, after) in changes.items():
            setattr(user, field, after)
        user.save(update_fields=list(changes))
        audit_record(
            actor=user,
            action=AuditEntry.Action.UPDATE,
            object_type="user",
            object_id=user.username,
            changes=changes,
            detail="display preferences changed by the user",
        )
    return changes
