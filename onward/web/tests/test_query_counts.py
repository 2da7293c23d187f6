"""Every list page and list endpoint runs as many queries for 50 rows as for 1: no query
per row (an N+1 makes a page of a big registry slow over a slow link).

Each list has a builder that adds rows through the real services (or, for rows only a
long job makes, the model). The test builds 1 row, loads the list once to warm the
caches, counts the queries of a second load, builds 49 more, and counts again.
"""

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onward.accounts import roles
from onward.conftest import principal_data

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)
FAMILY_NAMES = ["Rezaei", "Ahmadi", "Hosseini", "Karimi", "Moradi", "Jafari", "Rahimi"]


def _person(**extra) -> dict:
    # Distinct names and documents: no registration looks like a duplicate of another.
    n = next(_serial)
    return principal_data(
        given_name=f"Given{n:03d}",
        family_name=f"{FAMILY_NAMES[n % 7]}{n:03d}",
        document_number=f"D{n:07d}",
        **extra,
    )


# --- Builders: each adds `n` rows to one list -------------------------------------------------


def cases(users, n, ctx):
    from onward.registry import services

    made = []
    for _ in range(n):
        case = services.case_create(
            actor=users[roles.CLERK], principal=_person(specific_needs=["SM"])
        )
        services.person_add(
            actor=users[roles.CLERK],
            case=case,
            person=_person(relationship="spouse", sex="F", specific_needs=[]),
        )
        made.append(case)
    return made


def members(users, n, ctx):
    from onward.registry import services

    if "case" not in ctx:
        ctx["case"] = services.case_create(actor=users[roles.CLERK], principal=_person())
        n -= 1
    for _ in range(n):
        services.person_add(
            actor=users[roles.CLERK],
            case=ctx["case"],
            person=_person(relationship="child", birth_date="2010", specific_needs=["SM"]),
        )


def _pledge(users, ctx):
    if "pledge" not in ctx:
        from onward.matching.tests.access_matrix import open_pledge

        ctx["pledge"] = open_pledge(users, country="ALB", persons=500)
    return ctx["pledge"]


def identified(users, n, ctx):
    from onward.relocation import services

    for case in cases(users, n, ctx):
        services.case_identify(actor=users[roles.RESETTLEMENT], case=case)


def submitted(users, n, ctx):
    from onward.relocation import services
    from onward.relocation.tests.factories import ready_to_submit

    pledge = _pledge(users, ctx)
    rs = users[roles.RESETTLEMENT]
    for case in cases(users, n, ctx):
        services.case_identify(actor=rs, case=case)
        ready_to_submit(users, case)
        services.case_assess(actor=rs, case=case, category="LPN", priority="normal")
        services.case_submit(actor=rs, case=case, pledge=pledge)


def pledges(users, n, ctx):
    from onward.matching.tests.access_matrix import open_pledge

    for _ in range(n):
        open_pledge(users, country="ALB", name=f"Pledge {next(_serial)}")


def transfers(users, n, ctx):
    from onward.movements import services

    pledge = _pledge(users, ctx)
    for i in range(n):
        services.transfer_plan(
            actor=users[roles.ADMIN],
            pledge=pledge,
            date=timezone.localdate() + dt.timedelta(days=10 + i),
            seats=5,
        )


def departures(users, n, ctx):
    from onward.movements import services
    from onward.movements.models import LedgerEntry

    for case in cases(users, n, ctx):
        services.departure_record(
            actor=users[roles.PROTECTION],
            person=case.members.get(relationship="principal"),
            kind=LedgerEntry.Kind.LEFT,
            on=timezone.localdate(),
        )


def incidents(users, n, ctx):
    from onward.incidents import services

    officer = users[roles.PROTECTION]
    for i in range(n):
        incident = services.incident_create(
            actor=officer,
            data={
                "occurred_at": f"2013-02-{1 + i % 28:02d} 06:00",
                "type": "indirect_fire",
                "place": f"Block {i}",
            },
        )
        services.claim_add(
            actor=officer,
            incident=incident,
            data={
                "source": "Ministry",
                "stated_on": "2013-03-01",
                "killed": 1,
                "injured": 2,
                "official": True,
            },
        )


def protection_requests(users, n, ctx):
    from onward.incidents import services

    for i in range(n):
        services.protection_request_create(
            actor=users[roles.PROTECTION],
            data={
                "authority": f"Police {i}",
                "request": "Patrols at night",
                "requested_on": "2013-03-01",
            },
        )


def duplicate_pairs(users, n, ctx):
    from onward.dedup.models import DuplicatePair

    for case in cases(users, n, ctx):
        a, b = case.members.order_by("pk")
        DuplicatePair.objects.create(
            person_a=a, person_b=b, probability=0.9, weight=9.0, levels={"given_name": "exact"}
        )


def match_runs(users, n, ctx):
    from onward.matching import services
    from onward.matching.models import MatchRun

    policy = services.policy_default()
    for _ in range(n):
        MatchRun.objects.create(
            policy=policy,
            policy_snapshot=policy.snapshot(),
            created_by=users[roles.RESETTLEMENT],
            created_at=timezone.now(),
        )


def policies(users, n, ctx):
    from onward.matching import services

    for _ in range(n):
        services.policy_create(
            actor=users[roles.RESETTLEMENT], name=f"Policy {next(_serial)}", weights={}
        )


def country_links(users, n, ctx):
    from onward.matching import services

    for case in cases(users, n, ctx):
        services.case_link_add(
            actor=users[roles.RESETTLEMENT], case=case, country="DEU", kind="family"
        )


def import_jobs(users, n, ctx):
    from onward.jobs.models import Job

    for i in range(n):
        Job.objects.create(
            kind="import",
            status=Job.Status.DONE,
            created_by=users[roles.CLERK],
            params={"name": f"people-{i}.csv", "stored": "x", "dry_run": False},
            result={"created": 1},
        )


def audit_entries(users, n, ctx):
    from onward.audit.services import audit_record

    for i in range(n):
        audit_record(
            actor=users[roles.CLERK] if i % 2 else users[roles.PROTECTION],
            action="view",
            object_type="case",
            object_id="C77777",
            detail=f"read {i}",
        )


def claims(users, n, ctx):
    from onward.incidents import services

    if "incident" not in ctx:
        ctx["incident"] = services.incident_create(
            actor=users[roles.PROTECTION],
            data={"occurred_at": "2013-02-09 06:00", "type": "indirect_fire", "place": "Block D"},
        )
    for i in range(n):
        services.claim_add(
            actor=users[roles.PROTECTION],
            incident=ctx["incident"],
            data={
                "source": f"Source {next(_serial)}",
                "stated_on": "2013-03-01",
                "killed": i,
                "injured": 2,
                "official": False,
            },
        )


# --- The lists --------------------------------------------------------------------------------


@dataclass
class Listing:
    name: str
    url: str | Callable
    build: Callable
    role: str = roles.ADMIN

    def __str__(self):
        return self.name


LISTS = [
    # Pages
    Listing("person_list", "/persons/", cases),
    Listing("case_list", "/cases/", cases),
    Listing("import_list", "/imports/", import_jobs),
    Listing("dedup_queue", "/duplicates/", duplicate_pairs),
    Listing("pledge_list", "/relocation/pledges/", pledges),
    Listing("relocation_case_list", "/relocation/cases/", identified),
    Listing("submission_list", "/relocation/submissions/", submitted),
    Listing(
        "submission_list (delegation)", "/relocation/submissions/", submitted, roles.DELEGATION
    ),
    Listing("match_list", "/matching/", match_runs),
    Listing("policy_list", "/matching/policies/", policies),
    Listing("country_link_list", "/matching/links/", country_links),
    Listing("ledger", "/population/", departures),
    Listing("transfer_list", "/transfers/", transfers),
    Listing("incident_list", "/incidents/", incidents),
    Listing("protection_request_list", "/protection-requests/", protection_requests),
    Listing("audit_list", "/audit/?object_id=C77777", audit_entries),
    Listing("home", "/", cases),
    Listing("dashboard", "/reports/", submitted),
    Listing("report_records population", "/reports/records/?figure=population", cases),
    Listing("report_records departures", "/reports/records/?figure=departures", departures),
    Listing("report_records incidents", "/reports/records/?figure=incidents", incidents),
    # Records with rows of their own
    Listing("case_detail members", lambda ctx: f"/cases/{ctx['case'].case_id}/", members),
    Listing(
        "pledge_detail submissions",
        lambda ctx: f"/relocation/pledges/{ctx['pledge'].pk}/",
        submitted,
    ),
    Listing("incident_detail claims", lambda ctx: f"/incidents/{ctx['incident'].pk}/", claims),
    # API
    Listing("api_person_list", "/api/persons/", cases),
    Listing("api_case_list", "/api/cases/", cases),
    Listing("api_departures", "/api/departures/", departures),
    Listing("api_transfers", "/api/transfers/", transfers),
    Listing("api_incidents", "/api/incidents/", incidents),
    Listing("api_case_detail members", lambda ctx: f"/api/cases/{ctx['case'].case_id}/", members),
    Listing(
        "api_incident_claims", lambda ctx: f"/api/incidents/{ctx['incident'].pk}/claims/", claims
    ),
    Listing("api_match_runs", "/api/matching/runs/", match_runs),
    Listing("api_pledge_list", "/api/relocation/pledges/", pledges),
    Listing("api_submission_list", "/api/relocation/submissions/", submitted),
    Listing(
        "api_submission_list (delegation)",
        "/api/relocation/submissions/",
        submitted,
        roles.DELEGATION,
    ),
]


def _queries(client, url) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured), [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("listing", LISTS, ids=str)
def test_a_list_runs_the_same_queries_for_1_and_50_rows(listing, users, client_for):
    ctx = {}
    client = client_for(listing.role)
    listing.build(users, 1, ctx)
    url = listing.url(ctx) if callable(listing.url) else listing.url
    client.get(url)  # warm: sessions, content types, reference lists
    one, _ = _queries(client, url)
    listing.build(users, 49, ctx)
    fifty, sql = _queries(client, url)
    assert fifty == one, f"{listing.name}: {one} queries for 1 row, {fifty} for 50\n" + "\n".join(
        sql
    )
