"""The reference operation's security incidents, each with its sources' own figures
(/work/shared/scenario/reference-operation.md), recorded through the incidents services.
The three dead of 26 December 2013 are linked to persons of the demo population, so
their deaths enter the population ledger (once). Running it again adds nothing."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from onward.accounts import roles
from onward.incidents import services
from onward.incidents.models import Incident
from onward.registry.models import Person

ORIGIN = 'Origin camp: Camp Ashraf ("Camp New Iraq"), Diyala province — not at the TTL'

INCIDENTS = [
    {
        "key": "2011-04-08",
        "occurred_at": "2011-04-08",
        "date_precision": "M",
        "time_known": False,
        "type": "clash",
        "within_site": False,
        "place": ORIGIN,
        "description": "Clash between residents of the origin camp and Iraqi security forces.",
        "claims": [
            {
                "source": "Residents' organisation",
                "stated_on": "2011-04-08",
                "killed": 34,
                "summary": "34 residents killed by the forces.",
            },
            {
                "source": "Iraqi security forces",
                "stated_on": "2011-04-09",
                "official": True,
                "summary": "Rejected the residents' organisation's claim; gave no figure.",
            },
        ],
    },
    {
        "key": "2013-02-09",
        "occurred_at": "2013-02-09",
        "time_known": False,
        "type": "indirect_fire",
        "within_site": True,
        "place": "Camp Liberty (TTL)",
        "description": "Attack on the TTL; deaths and injuries.",
        "claims": [
            {
                "source": "News reports",
                "stated_on": "2013-02-09",
                "figures_text": "deaths and injuries; figures not given",
            },
        ],
    },
    {
        "key": "2013-06-15",
        "occurred_at": "2013-06-15",
        "time_known": False,
        "type": "indirect_fire",
        "within_site": True,
        "place": "Camp Liberty (TTL)",
        "description": "Second deadly attack on the TTL.",
        "claims": [
            {
                "source": "UNHCR",
                "stated_on": "2013-06-16",
                "official": True,
                "figures_text": "deadly attack; figures not given",
                "summary": "Asked the government to strengthen the physical protection of the TTL.",
            },
        ],
        "request": {
            "authority": "Government of Iraq",
            "requested_on": "2013-06-16",
            "request": "Strengthen the physical protection of the TTL: T-walls "
            "(concrete blast walls) around the living areas.",
            "follow_up_on": "2013-07-01",
        },
    },
    {
        "key": "mortar",
        "occurred_at": "2013-08-20",
        "date_precision": "M",
        "time_known": False,
        "type": "indirect_fire",
        "within_site": True,
        "place": "Camp Liberty (TTL)",
        "description": "Mortar attack on the TTL; an armed group claimed responsibility. "
        "(Exact date not in the reports used: recorded by month.)",
        "claims": [
            {
                "source": "Media reports",
                "stated_on": "2013-08-31",
                "killed": 2,
                "figures_text": "dozens injured",
                "summary": "An armed group claimed responsibility.",
            },
        ],
    },
    {
        "key": "2013-09-01",
        "occurred_at": "2013-09-01",
        "time_known": False,
        "type": "armed_attack",
        "within_site": False,
        "place": ORIGIN,
        "description": "Attack on the origin camp.",
        "claims": [
            {"source": "Residents' organisation", "stated_on": "2013-09-01", "killed": 52},
            {
                "source": "Government of Iraq",
                "stated_on": "2013-09-10",
                "killed": 53,
                "official": True,
                "summary": "The 53rd victim was identified late.",
            },
        ],
    },
    {
        "key": "2013-12-26",
        "occurred_at": "2013-12-26",
        "time_known": False,
        "type": "indirect_fire",
        "within_site": True,
        "place": "Camp Liberty (TTL)",
        "description": "Rockets hit the TTL.",
        "claims": [
            {
                "source": "Reuters",
                "cites": "the camp's spokesperson",
                "stated_on": "2013-12-26",
                "killed": 3,
                "figures_text": "several seriously injured",
            },
        ],
        "victims": 3,
    },
]


def _actor(users, role: str):
    values = users.values() if isinstance(users, dict) else users
    for user in values:
        if getattr(user, "role", None) == role:
            return user
    raise LookupError(f"the demo needs a user with the role {role}")


def demo_incidents(*, users, log=print) -> dict:
    officer = _actor(users, roles.PROTECTION)
    made = {}
    with transaction.atomic():
        for spec in INCIDENTS:
            day = dt.date.fromisoformat(spec["occurred_at"])
            existing = Incident.objects.filter(
                occurred_at__date=day, type=spec["type"], place=spec["place"]
            ).first()
            if existing:
                made[spec["key"]] = existing
                continue
            incident = services.incident_create(
                actor=officer,
                data={
                    k: spec[k]
                    for k in (
                        "occurred_at",
                        "type",
                        "within_site",
                        "place",
                        "description",
                        "time_known",
                    )
                }
                | {"date_precision": spec.get("date_precision", "D")},
            )
            for claim in spec["claims"]:
                services.claim_add(actor=officer, incident=incident, data=claim)
            if "request" in spec:
                services.protection_request_create(
                    actor=officer, data=spec["request"], incidents=[incident]
                )
            made[spec["key"]] = incident
        victims = _link_victims(officer, made["2013-12-26"], 3)
    log(
        f"Incidents: {len(made)} with {sum(i.claims.count() for i in made.values())} claims; "
        f"{victims} victims of 26 December 2013 linked (deaths in the ledger)."
    )
    return {"incidents": {k: i.pk for k, i in made.items()}, "victims_linked": victims}


def _link_victims(officer, incident, wanted: int) -> int:
    linked = incident.victims.filter(outcome="killed").count()
    day = timezone.localtime(incident.occurred_at).date()
    candidates = (
        Person.objects.filter(
            merged_into__isnull=True,
            departure_date__isnull=True,
            arrival_date__lt=day,
            sex="M",
            birth_date__lte=dt.date(1985, 1, 1),
        ).exclude(case__relocation__isnull=False)
        if _has_relocation()
        else Person.objects.filter(
            merged_into__isnull=True,
            departure_date__isnull=True,
            arrival_date__lt=day,
            sex="M",
            birth_date__lte=dt.date(1985, 1, 1),
        )
    )
    for person in candidates.order_by("person_id")[: max(0, wanted - linked)]:
        services.victim_link(actor=officer, incident=incident, person=person, outcome="killed")
        linked += 1
    return linked


def _has_relocation() -> bool:
    from django.apps import apps

    return apps.is_installed("onward.relocation")
