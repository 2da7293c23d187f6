import functools

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_noop

from onward.accounts.policy import can
from onward.accounts.twofactor import second_factor_pending

# The menu: (URL name, label, permission or None). Entries whose app is not installed
# (their URL does not resolve) are left out. The labels are marked here and translated
# where they are shown ({% translate %}).
MENU = [
    ("home", gettext_noop("Overview"), None),
    ("my_tasks", gettext_noop("My tasks"), "tasks.view"),
    ("case_list", gettext_noop("Cases"), "registry.view"),
    ("person_list", gettext_noop("Persons"), "registry.view"),
    ("import_list", gettext_noop("Import"), "registry.import"),
    ("dedup_queue", gettext_noop("Duplicates"), "dedup.review"),
    ("pledge_list", gettext_noop("Pledges"), "relocation.view"),
    ("review_list", gettext_noop("Reviews"), "relocation.review"),
    ("readiness_matrix", gettext_noop("Readiness"), "relocation.view"),
    ("match_list", gettext_noop("Matching"), "matching.run"),
    ("transfer_list", gettext_noop("Transfers"), "movements.view"),
    ("ledger", gettext_noop("Population"), "movements.view"),
    ("incident_list", gettext_noop("Incidents"), "incidents.view"),
    ("interview_day", gettext_noop("Interviews"), "interviews.view"),
    ("mission_list", gettext_noop("Missions"), "interviews.missions"),
    ("camp_occupancy", gettext_noop("Housing"), "camp.view"),
    ("presence_scan", gettext_noop("Presence"), "presence.record"),
    ("consents_expiring", gettext_noop("Consents"), "consent.view"),
    ("dashboard", gettext_noop("Reports"), "reports.view"),
    ("retention_policy", gettext_noop("Retention"), "retention.view"),
    ("audit_list", gettext_noop("Audit log"), "audit.view"),
    ("api_docs", gettext_noop("API"), None),
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
