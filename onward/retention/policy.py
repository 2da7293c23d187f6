"""The retention policy: which records lose their identity, and when.

The policy is settings (environment variables read strictly by onward/env.py), not a
model: it is auditable in the deployment's configuration, the same on every worker, and
shown read-only on the Retention page. `rules()` checks the values again at the start of
every run, so that a value set some other way (a test's override, a shell) that makes no
sense stops the run before it touches anything, naming the setting.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Rule:
    name: str  # stored on the person (`Person.anonymised_rule`), at most 16 characters
    setting: str
    years: int
    what: str  # which records, in words

    def cutoff(self, today: dt.date) -> dt.date:
        """The last day that is still within retention: a record dated before it is due."""
        return years_before(today, self.years)


# Order matters: a person due under several rules is anonymised under the first.
RULES = (
    ("deceased", "ONWARD_RETENTION_DECEASED_YEARS", _("persons who died, years after the death")),
    (
        "departed",
        "ONWARD_RETENTION_DEPARTED_YEARS",
        _(
            "persons who departed (relocated, left on their own, repatriated, whereabouts "
            "unknown), years after the departure"
        ),
    ),
    (
        "merged",
        "ONWARD_RETENTION_MERGED_YEARS",
        _("duplicate records merged into another record, years after the merge"),
    ),
    (
        "removed",
        "ONWARD_RETENTION_REMOVED_YEARS",
        _("records removed as registered in error, years after the removal"),
    ),
)


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def rules() -> list[Rule]:
    """The rules in force, or ImproperlyConfigured naming the setting that is wrong."""
    out = []
    for name, setting, what in RULES:
        years = getattr(settings, setting)
        if isinstance(years, bool) or not isinstance(years, int) or years < 0:
            raise ImproperlyConfigured(
                f"{setting} must be a whole number of years, 0 or more (not {years!r})."
            )
        out.append(Rule(name=name, setting=setting, years=years, what=str(what)))
    return out
