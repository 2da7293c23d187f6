"""Reads of incidents, claims and protection requests, and the figure rules.

Who may see them: roles holding `incidents.view` (staff and auditors). Opening one
record is audited; so are lists (they show victims' ids).
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from onward.accounts.policy import can, get_for_user
from onward.audit.services import audit_read, audit_record
from onward.incidents.models import Claim, Incident, ProtectionRequest

RULES = {
    "latest_official": _("Latest official figure"),
    "highest": _("Highest figure claimed"),
    "lowest": _("Lowest figure claimed"),
}


def visible_incidents(user) -> QuerySet:
    return Incident.objects.all() if can(user, "incidents.view") else Incident.objects.none()


def visible_protection_requests(user) -> QuerySet:
    if can(user, "incidents.view"):
        return ProtectionRequest.objects.all()
    return ProtectionRequest.objects.none()


def get_incident_for_user(user, incident_id) -> Incident:
    return get_for_user(user, visible_incidents(user), "incident", incident_id)


def get_protection_request_for_user(user, request_id) -> ProtectionRequest:
    return get_for_user(user, visible_protection_requests(user), "protection_request", request_id)


def incident_list(*, user, type: str = "", place: str = "", year: str = "") -> QuerySet:
    incidents = (
        visible_incidents(user)
        .annotate(n_claims=Count("claims", distinct=True))
        .order_by("-occurred_at", "-id")
    )
    if type:
        incidents = incidents.filter(type=type)
    if place == "site":
        incidents = incidents.filter(within_site=True)
    elif place == "away":
        incidents = incidents.filter(within_site=False)
    if year:
        # A year no date can hold (99999, "²") has no incident: never a date overflow.
        known = year.isascii() and year.isdigit() and 1 <= int(year[:5]) <= 9998
        incidents = incidents.filter(occurred_at__year=int(year)) if known else incidents.none()
    return incidents


# What stands in for a figure no source gives under the rule (said wherever the rule is).
RECORDED_NOTE = _(
    "Where no source gives the figure under the rule, the victims recorded in "
    "Onward (linked to persons of the registry) count for it."
)


@dataclass
class Figure:
    name: str
    value: int | None  # the figure the rule gives (None: neither a claim nor a record)
    claim: Claim | None  # the claim it comes from (None when from the records)
    low: int | None  # the range across all claims that give this figure
    high: int | None
    n: int  # how many claims give a number
    recorded: int = 0  # victims linked to persons with this outcome
    basis: str = ""  # "claim", "recorded" (no claim under the rule), or ""

    @property
    def range_text(self) -> str:
        if self.low is None:
            return "not given"
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"

    @property
    def disputed(self) -> bool:
        return self.low is not None and self.low != self.high


def incident_figures(
    incident: Incident, rule: str = "latest_official", claims: list[Claim] | None = None
) -> dict[str, Figure]:
    """Per figure (killed, injured, missing): the value under `rule`, the claim it came
    from, and the range across every claim that gives a number. A claim that gives no
    number for a figure ("not given") takes no part in it; it is never read as 0.

    - latest_official: the figure of the official claim stated last (ties: the one
      recorded last).
    - highest / lowest: the largest / smallest figure claimed (ties: the earliest claim).

    Where the rule finds no claim giving the figure, the victims recorded with that
    outcome (persons linked to the incident; a death is in the ledger) count for it, so
    that a death Onward holds is never a "—" in a total. None when neither exists.
    """
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}: one of {', '.join(RULES)}")
    claims = list(incident.claims.all()) if claims is None else claims
    outcomes = [v.outcome for v in incident.victims.all()]
    out = {}
    for name in Claim.FIGURES:
        given = [c for c in claims if getattr(c, name) is not None]
        values = [getattr(c, name) for c in given]
        chosen = None
        if rule == "latest_official":
            official = [c for c in given if c.official]
            chosen = max(official, key=lambda c: (c.stated_on, c.pk), default=None)
        elif given:
            pick = max if rule == "highest" else min
            best = pick(values)
            chosen = min(
                (c for c in given if getattr(c, name) == best), key=lambda c: (c.stated_on, c.pk)
            )
        recorded = outcomes.count(name)
        value, basis = (getattr(chosen, name), "claim") if chosen else (None, "")
        if value is None and recorded:
            value, basis = recorded, "recorded"
        out[name] = Figure(
            name=name,
            value=value,
            claim=chosen,
            low=min(values, default=None),
            high=max(values, default=None),
            n=len(given),
            recorded=recorded,
            basis=basis,
        )
    return out


def incident_detail(*, user, incident: Incident, rule: str = "latest_official") -> dict:
    audit_read(actor=user, obj=incident)
    claims = list(incident.claims.select_related("recorded_by"))
    return {
        "incident": incident,
        "claims": claims,
        "figures": incident_figures(incident, rule, claims),
        "rule": rule,
        "rule_label": RULES[rule],
        "victims": list(incident.victims.select_related("person", "person__case")),
        "protection_requests": list(incident.protection_requests.all()),
    }


def incidents_report(*, user, rule: str = "latest_official", year: int | None = None) -> dict:
    """Every incident with its figures under one rule, and the totals, saying the rule."""
    incidents = list(
        visible_incidents(user)
        .prefetch_related("claims", "victims")
        .filter(Q(occurred_at__year=year) if year else Q())
    )
    rows = [(i, incident_figures(i, rule)) for i in incidents]
    totals = {name: sum(f[name].value or 0 for _, f in rows) for name in Claim.FIGURES}
    audit_record(
        actor=user,
        action="view",
        object_type="incident_list",
        detail=f"report rule={rule} year={year or 'all'}",
    )
    return {"rule": rule, "rule_label": RULES[rule], "rows": rows, "totals": totals}


def protection_request_list(*, user, status: str = "") -> QuerySet:
    requests = visible_protection_requests(user).prefetch_related("incidents")
    if status:
        requests = requests.filter(status=status)
    return requests


def protection_request_detail(*, user, protection_request: ProtectionRequest) -> dict:
    audit_read(actor=user, obj=protection_request)
    return {
        "pr": protection_request,
        "events": list(protection_request.events.select_related("by")),
        "incidents": list(protection_request.incidents.all()),
    }
