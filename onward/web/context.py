import functools

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_noop

from onward.accounts.policy import can
from onward.accounts.twofactor import second_factor_pending

# The menu: (URL name, label, permission or None). Entries whose app is not installed
# (their URL does not resolve) are left out.
MENU = [
    ("home", "Overview", None),
    ("my_tasks", "My tasks", "tasks.view"),
    ("case_list", "Cases", "registry.view"),
    ("person_list", "Persons", "registry.view"),
    ("import_list", "Import", "registry.import"),
    ("dedup_queue", "Duplicates", "dedup.review"),
    ("pledge_list", "Pledges", "relocation.view"),
    # Marked here: the menu's labels are translated where they are shown ({% translate %}).
    ("review_list", gettext_noop("Reviews"), "relocation.review"),
    ("readiness_matrix", "Readiness", "relocation.view"),
    ("match_list", "Matching", "matching.run"),
    ("transfer_list", "Transfers", "movements.view"),
    ("ledger", "Population", "movements.view"),
    ("incident_list", "Incidents", "incidents.view"),
    ("interview_day", "Interviews", "interviews.view"),
    ("mission_list", "Missions", "interviews.missions"),
    ("camp_occupancy", "Housing", "camp.view"),
    ("presence_scan", "Presence", "presence.record"),
    ("consents_expiring", "Consents", "consent.view"),
    ("dashboard", "Reports", "reports.view"),
    ("retention_policy", "Retention", "retention.view"),
    ("audit_list", "Audit log", "audit.view"),
    ("api_docs", "API", None),
]


@functools.lru_cache(maxsize=8)
def _menu(urlconf, prefix: str) -> tuple[tuple[str, str, str | None, str], ...]:
    """Every menu entry whose page exists, with its address, reversed once per URLconf
    (the request's, else ROOT_URLCONF: a test that overrides it gets its own menu)
    and script prefix: reversing the eighteen entries twice on every page (to see which
    exist, then for each link) was a twentieth of a page's cost."""
    entries = []
    for name, label, permission in MENU:
        try:
            url = reverse(name, urlconf=urlconf)
        except NoReverseMatch:
            continue
        entries.append((name, label, permission, url))
    return tuple(entries)


def navigation(request):
    """The menu a user sees: only what their role may open, as (URL name, label, address)."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated or second_factor_pending(user):
        return {"nav": []}  # a password-only session can open nothing in the menu yet
    return {
        "nav": [
            (name, label, url)
            for name, label, permission, url in _menu(
                get_urlconf(settings.ROOT_URLCONF), get_script_prefix()
            )
            if permission is None or can(user, permission)
        ]
    }
