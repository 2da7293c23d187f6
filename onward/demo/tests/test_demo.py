"""`onward demo` plays the reference operation: every figure of
`../shared/scenario/reference-operation.md` is a record, and a report a user opens shows
it at its date; and the present day is set so that every job of the README's tour can be
done today, without changing any of those figures."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from onward.web.tests.test_one_population import check_every_channel_agrees_on_the_demo

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

D = dt.date.fromisoformat
UNHCR = D("2014-02-28")  # the demo's date of UNHCR's statement (movements.demo)
ALBANIA = "ALB · Albania: 210 residents of Camp Liberty · Persons (places)"
ORIGIN = "Origin camp: Camp Ashraf (“Camp New Iraq”), Diyala province"
AWAY = 'Origin camp: Camp Ashraf ("Camp New Iraq"), Diyala province — not at the TTL'
TTL = "Camp Liberty (TTL)"
FIRE = "Indirect fire (rockets, mortars)"

# The reference's words, and the report cell that shows the figure:
# (words, table key, row, column, date, value). Values are the cells' text on the page.
SEED_FIGURES = [
    (
        "about 3,200 residents at the TTL (the last group arrived 11 September 2013)",
        "population_total",
        "Total",
        "Persons",
        D("2013-09-11"),
        "about 3200",
    ),
    (
        "UNHCR: 1,400 cases from the TTL submitted to countries for relocation",
        "funnel_cases",
        "All countries",
        "Submitted",
        UNHCR,
        "1400",
    ),
    (
        "UNHCR: 311 residents relocated to third countries at that date",
        "funnel_persons",
        "All countries",
        "Departed",
        UNHCR,
        "311",
    ),
    ("Albania offered to take 210 residents", "pledge_use", ALBANIA, "Capacity", UNHCR, "210"),
    ("Albania: a first group flies", "pledge_use", ALBANIA, "Departed", D("2013-09-29"), "0"),
    ("Albania: the first group", "pledge_use", ALBANIA, "Departed", D("2013-09-30"), "14"),
    ("Albania: the second group", "pledge_use", ALBANIA, "Departed", D("2013-11-18"), "44"),
    ("Albania: before the latest group", "pledge_use", ALBANIA, "Departed", D("2014-01-26"), "44"),
    (
        "the latest group of 27 brought the total to 71 of the 210",
        "pledge_use",
        ALBANIA,
        "Departed",
        D("2014-01-27"),
        "71",
    ),
    (
        "17 residents left the TTL since the beginning of the current year",
        "departures_year_to_date",
        "Left on own accord",
        "Persons",
        D("2013-12-31"),
        "17",
    ),
    (
        "18 residents left in one organised escape",
        "departures_by_month",
        "2014-02",
        "Left on own accord",
        UNHCR,
        "18",
    ),
    (
        "origin camp: 4 residents left and went to the Iraqi forces (reported 1 July)",
        "departures_reported",
        f"{ORIGIN} · News reports, stated 2013-07-01 · left 2013-07-01",
        "Persons",
        D("2013-07-01"),
        "4",
    ),
    (
        "origin camp: 4 more three months earlier",
        "departures_reported",
        f"{ORIGIN} · News reports, stated 2013-07-01 · left 2013-04",
        "Persons",
        D("2013-07-01"),
        "4",
    ),
    (
        "the Defence Ministry put the total at 58",
        "departures_reported",
        f"{ORIGIN} · Iraqi Ministry of Defence, stated 2013-07-01 · total to 2013-07-01",
        "Persons",
        D("2013-07-01"),
        "58",
    ),
    (
        "58 in all left the origin camp",
        "departures_reported",
        "In all, by the sources",
        "Persons",
        D("2013-07-01"),
        "58",
    ),
    (
        "9 February 2013: attack on the TTL, figures not given",
        "incidents",
        f"2013-02-09 · {FIRE} · {TTL}",
        "Killed (range across claims)",
        D("2013-12-31"),
        "not given",
    ),
    (
        "15 June 2013: second deadly attack, figures not given",
        "incidents",
        f"2013-06-15 · {FIRE} · {TTL}",
        "Killed (range across claims)",
        D("2013-12-31"),
        "not given",
    ),
    (
        "a mortar attack: media reports, 2 killed",
        "incidents",
        f"2013-08-20 · {FIRE} · {TTL}",
        "Killed (range across claims)",
        D("2013-12-31"),
        "2",
    ),
    (
        "26 December 2013: rockets, 3 dead (Reuters), counted under the default rule",
        "incidents",
        f"2013-12-26 · {FIRE} · {TTL}",
        "Killed",
        D("2013-12-31"),
        "3",
    ),
    (
        "1 September 2013, origin camp: 52 killed by the residents, 53 by the government",
        "incidents",
        f"2013-09-01 · Armed attack · {AWAY}",
        "Killed (range across claims)",
        D("2013-12-31"),
        "52–53",
    ),
    (
        "1 September 2013: the government's 53 under the default rule",
        "incidents",
        f"2013-09-01 · Armed attack · {AWAY}",
        "Killed",
        D("2013-12-31"),
        "53",
    ),
    (
        "April 2011, origin camp: 34 killed claimed by the residents",
        "incidents",
        f"2011-04-08 · Clash · {AWAY}",
        "Killed (range across claims)",
        D("2013-12-31"),
        "34",
    ),
    (
        "April 2011: the forces rejected the claim (no official figure)",
        "incidents",
        f"2011-04-08 · Clash · {AWAY}",
        "Killed",
        D("2013-12-31"),
        "—",
    ),
]


def test_the_demo_plays_the_reference_operation_and_the_present_day(client):
    """One run of the whole demo (a transactional test flushes after itself, so every
    check is made on the same run)."""
    call_command("demo", no_serve=True, verbosity=0)
    from onward.accounts.models import User

    users = {u.username: u for u in User.objects.all()}
    check_seed_figures(client, users["admin"])
    check_every_channel_agrees_on_the_demo(client)  # web/tests/test_one_population.py
    check_the_ttl_population_and_its_departures()
    check_review_queue()
    check_the_camp(client, users["admin"])
    check_the_dashboard_opens_on_the_operation(client, users["admin"])
    check_documents_and_consents(client, users)
    check_interviews_reviews_mission_and_decisions(client, users)
    check_readiness_flights_hold_and_expiry(client, users)
    check_the_tour_can_be_done_today(client, users)
    check_seed_figures(client, users["admin"])  # the tour changed none of them


def _cells(client, user, day: dt.date) -> dict:
    """Every cell of the Reports page as of `day`, as the page shows it:
    {(table key, row label, column): text}. The view reads `reports.figures.dashboard`."""
    client.force_login(user)
    response = client.get(reverse("dashboard"), {"as_of": str(day)})
    assert response.status_code == 200
    cells = {}
    for section in response.context["sections"]:
        for item in section["tables"]:
            t = item["t"]
            for row in item["rows"]:
                for j, text in enumerate(row["texts"]):
                    cells[(t.key, row["label"], t.columns[j + 1])] = text
    return cells


def check_seed_figures(client, admin):
    from onward.reports import figures

    pages = {}
    for words, key, row, column, day, expected in SEED_FIGURES:
        cells = pages.setdefault(day, _cells(client, admin, day))
        shown = cells.get((key, row, column))
        assert shown is not None, f"{words}: no cell {key} / {row} / {column} on {day}"
        if expected.startswith("about "):
            assert abs(int(shown) - int(expected.split()[1])) <= 50, (words, shown)
        else:
            assert shown == expected, (words, key, row, column, day, shown)
    incidents = next(t for t in figures.dashboard(admin, D("2013-12-31"), only="incidents"))
    assert "Killed under this rule, all incidents: 56" in incidents.note
    assert (
        "not counted, no figure under this rule: April 2011 (34 claimed), August 2013 (2 claimed)"
    ) in incidents.note


def check_the_ttl_population_and_its_departures():
    """The ledger and the registry agree; relocations are the transfers' travellers; the
    origin camp's departures are in no TTL figure."""
    from onward.movements.ledger import population_on, registry_present_on
    from onward.movements.models import LedgerEntry, ReportedDeparture, Transfer
    from onward.movements.reconcile import reconcile

    assert reconcile(check_rollup_rows=False).ok
    for day in (D("2012-06-30"), D("2013-07-01"), D("2013-09-11"), UNHCR):
        assert population_on(day) == registry_present_on(day)
    relocated = LedgerEntry.objects.filter(
        kind="relocated", reversed_by__isnull=True, date__lte=UNHCR
    )
    assert relocated.count() == 311
    assert relocated.filter(person__manifest_lines__transfer__country="ALB").count() == 71
    albania = Transfer.objects.filter(country="ALB", status="confirmed", date__lte=UNHCR)
    assert [
        sum(line.persons.count() for line in t.lines.all()) for t in albania.order_by("date")
    ] == [14, 30, 27]
    assert ReportedDeparture.objects.count() == 3
    assert not LedgerEntry.objects.filter(
        date__year=2013, date__month__in=(4, 7), kind="left_own_accord", note__icontains="origin"
    ).exists()


def check_the_camp(client, admin):
    """Camp Liberty's blocks hold the ledger's population on any date; the 26 December
    roll call gives 3 killed, beside Reuters' claim on the incident's page; the morning
    after the escape, its 18 are found absent (docs/presence.md, "Demo")."""
    from onward.camp.selectors import allocated_on
    from onward.incidents.models import Incident
    from onward.movements.demo import ESCAPE_DAY
    from onward.movements.ledger import population_on
    from onward.presence.models import PresenceEvent, RollCall
    from onward.presence.selectors import incident_registry_figure

    for day in (D("2013-07-01"), D("2013-09-11"), D("2013-12-27"), UNHCR):
        assert allocated_on(day).count() == population_on(day), day
    assert PresenceEvent.objects.filter(at__date__gte=D("2013-11-01")).count() > 50_000
    attack = Incident.objects.get(occurred_at__date=D("2013-12-26"))
    figure = incident_registry_figure(attack)
    assert figure["counts"]["killed"] == 3 and figure["counts"]["injured"] >= 1
    assert attack.blocks_hit.count() >= 1
    client.force_login(admin)
    page = client.get(reverse("incident_detail", args=[attack.pk])).content.decode()
    assert "confirmed by the registry" in page and "Reuters" in page
    escape = RollCall.objects.get(on=ESCAPE_DAY, reason="verification")
    assert escape.lines.filter(status="absent").count() == 18
    assert not escape.lines.filter(status="").exists()


def check_review_queue():
    from onward.dedup.models import DuplicatePair

    assert DuplicatePair.objects.filter(status="open").count() >= 20


def check_the_dashboard_opens_on_the_operation(client, admin):
    client.force_login(admin)
    with override_settings(ONWARD_REPORTS_AS_OF=UNHCR):
        html = client.get(reverse("dashboard")).content.decode()
    assert 'value="2014-02-28"' in html and 'id="opened-on"' in html
    assert f'href="?as_of={timezone.localdate()}' in html  # today, one click away
    from onward.reports import figures

    series = next(
        t
        for t in figures.dashboard(admin, UNHCR, only="population")
        if t.key == "population_series"
    )
    values = [r.values[0] for r in series.rows]
    assert max(values) - min(values) > 1000  # the arrivals of 2012 show, not a flat line


def check_documents_and_consents(client, users):
    """Issue 20's demo: an RRF (encrypted) for the submitted cases, one withdrawal of
    consent that closed a dossier, one expired agreement, consents expiring soon, and the
    dashboard's figures for them."""
    from onward.consent.models import Consent, SharingAgreement, SubmissionFlag
    from onward.documents.models import Document, DocumentVersion
    from onward.documents.services import read_version

    assert Document.objects.filter(type__code="rrf").count() > 1000
    version = DocumentVersion.objects.order_by("pk").first()
    assert b"Resettlement Registration Form" in read_version(version)
    withdrawn = Consent.objects.get(withdrawn_on__isnull=False)
    flag = SubmissionFlag.objects.get(consent=withdrawn)
    client.force_login(users["delegation"])
    assert client.get(reverse("dossier", args=[flag.submission_id])).status_code == 404
    client.force_login(users["admin"])
    page = client.get(reverse("dossier", args=[flag.submission_id])).content.decode()
    assert f"consent for ALB was withdrawn for {withdrawn.person.person_id}" in page
    expired = SharingAgreement.objects.get(valid_to__lt=timezone.localdate())
    assert expired.country == "ROU"
    assert "ROU" in client.get(reverse("agreement_list")).content.decode()
    expiring = client.get(reverse("consents_expiring")).content.decode()
    assert expiring.count("IOM") >= 12
    cells = _cells(client, users["admin"], timezone.localdate())
    assert int(cells[("documents_consents_expiring", "IOM", "Consents")]) == 12
    assert int(cells[("documents_by_country", "ALB", "Missing a required one")]) >= 1


def check_the_tour_can_be_done_today(client, users):
    """Each job of the README's tour, done today as its role does it, through the pages."""
    from onward.matching import services as matching
    from onward.movements.models import Transfer
    from onward.relocation import selectors
    from onward.relocation.models import Pledge, RelocationCase, Submission

    today = timezone.localdate()
    pledges = list(selectors.open_pledges())
    assert {p.country for p in pledges} >= {"ALB", "DEU"}
    assert all(selectors.pledge_figures(p)["persons"]["remaining"] > 0 for p in pledges)
    # The history's pledges read closed today, from their dates alone.
    assert (
        Pledge.objects.get(name="Albania: 210 residents of Camp Liberty").standing.code == "ended"
    )

    # A resettlement officer submits an assessed case to a pledge open today.
    client.force_login(users["resettlement"])
    assessed = RelocationCase.objects.filter(state="assessed").values_list(
        "case__case_id", flat=True
    )
    germany = next(p for p in pledges if p.country == "DEU")
    submitted = None
    for case_id in assessed[:30]:
        response = client.post(
            reverse("relocation_bulk_submit"), {"pledge": germany.pk, "cases": [case_id]}
        )
        if response.status_code == 302:
            submitted = case_id
            break
    assert submitted, "no assessed case could be submitted today"

    # The delegation decides on a submission to Albania's pledge open today.
    client.force_login(users["delegation"])
    pending = Submission.objects.filter(
        decision="", pledge__country="ALB", pledge__in=pledges
    ).first()
    assert pending is not None
    client.post(reverse("submission_decide", args=[pending.pk]), {"decision": "accepted"})
    pending.refresh_from_db()
    assert pending.decision == "accepted"

    # The transfer planned for next week moves to today and is confirmed.
    client.force_login(users["resettlement"])
    planned = Transfer.objects.get(status="planned")
    assert planned.date == today + dt.timedelta(days=7)
    client.post(
        reverse("transfer_reschedule", args=[planned.pk]),
        {"date": str(today), "reason": "flight brought forward", "version": planned.version},
    )
    client.post(reverse("transfer_confirm", args=[planned.pk]))
    planned.refresh_from_db()
    assert (planned.date, planned.status) == (today, "confirmed")

    # A new transfer is planned for today with a ready case, and confirmed.
    ready = selectors.cases_ready_for_departure(pledge=germany).first()
    assert ready is not None
    response = client.post(
        reverse("transfer_create"),
        {"pledge": germany.pk, "date": str(today), "seats": 12, "note": "tour"},
    )
    transfer = Transfer.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    client.post(reverse("transfer_case_add", args=[transfer.pk]), {"case": ready.case_id})
    client.post(reverse("transfer_confirm", args=[transfer.pk]))
    transfer.refresh_from_db()
    assert transfer.status == "confirmed"

    # A match over the cases waiting places some of them.
    run = matching.run_start(actor=users["resettlement"], time_limit=30)
    matching.run_execute(run=run)
    run.refresh_from_db()
    assert run.n_assigned > 0, run.n_cases


def check_interviews_reviews_mission_and_decisions(client, users):
    """Issue 18's demo (docs/interviews.md, "Demo"): every submitted case was interviewed
    with every member present and recommended with a second user's approval; Albania's
    selection mission has its schedule booked; deferrals, requests for information (one
    answered, one open) and a split decision whose member not accepted was split off."""
    from onward.composition.models import CaseChange
    from onward.interviews.models import Appointment, Mission
    from onward.relocation import guards, review
    from onward.relocation.models import InformationRequest, RelocationCase, Submission

    submitted = list(Submission.objects.values_list("case_id", flat=True).distinct())
    assert len(submitted) > 1400
    assert not set(submitted) - guards.cases_with_complete_interview(submitted)
    latest = review.latest_reviews(submitted)
    assert all(
        latest[pk].recommendation == "recommend" and latest[pk].is_approved for pk in submitted
    )
    assert all(latest[pk].approved_by_id != latest[pk].recommended_by_id for pk in submitted)

    mission = Mission.objects.get()
    assert mission.status == Mission.Status.CONFIRMED and mission.pledge.country == "ALB"
    slots = list(mission.slots.select_related("appointment", "case"))
    assert len(slots) >= 5 and all(
        s.appointment.status == Appointment.Status.PLANNED for s in slots
    )
    assert len({s.room_id for s in slots}) == 2 and any(s.interpreter_id for s in slots)
    waiting = set(
        Submission.objects.filter(pledge=mission.pledge, decision="").values_list(
            "case_id", flat=True
        )
    )
    assert {s.case_id for s in slots} <= waiting
    client.force_login(users["resettlement"])
    page = client.get(reverse("mission_detail", args=[mission.pk])).content.decode()
    assert all(s.case.case_id in page for s in slots)
    client.force_login(users["delegation"])
    page = client.get(reverse("mission_detail", args=[mission.pk])).content.decode()
    assert slots[0].case.case_id in page  # the delegation reads its confirmed schedule

    assert RelocationCase.objects.filter(state="deferred").count() >= 2
    assert RelocationCase.objects.filter(state="info_requested").count() >= 1
    requests = InformationRequest.objects.all()
    assert requests.filter(answered_at__isnull=False).count() >= 1
    assert requests.filter(answered_at__isnull=True).count() >= 1
    assert all(r.submission.decision == "" for r in requests)  # not a refusal: still open

    split = Submission.objects.get(accepted_members__isnull=False)
    change = CaseChange.objects.get(kind="split", source=split.case)
    left = change.target.members.get()
    assert left.person_id not in split.accepted_members
    assert sorted(split.case.members.values_list("person_id", flat=True)) == sorted(
        split.accepted_members
    )
    assert split.usage["persons"] == len(split.accepted_members)
    client.force_login(users["admin"])
    page = client.get(reverse("relocation_case", args=[split.case.case_id])).content.decode()
    assert all(p in page for p in split.accepted_members)


def check_readiness_flights_hold_and_expiry(client, users):
    """Issue 19's demo (docs/readiness.md, "Demo"): Albania's three flights took only
    travellers whose fitness-to-travel check was valid on the day; one traveller's first
    check had expired before the latest flight (the readiness page shows it); and a family
    flew split, one member held back on a medical hold, the ledger counting each person
    once."""
    from onward.movements.models import HeldBack, LedgerEntry, Transfer
    from onward.readiness import selectors
    from onward.relocation.models import Pledge, RelocationCase

    pledge = Pledge.objects.get(name="Albania: 210 residents of Camp Liberty")
    kinds = [r.kind for r in selectors.requirements_for("ALB", pledge.pk)]
    assert "fit_to_travel" in kinds and "health_assessment" in kinds
    flights = Transfer.objects.filter(pledge=pledge, status="confirmed").order_by("date")
    assert flights.count() == 3
    for flight in flights:
        travellers = [p.pk for line in flight.lines.all() for p in line.persons.all()]
        on_day = selectors.persons_readiness(travellers, "ALB", flight.date, pledge.pk)
        assert all(r.ready for r in on_day.values()), flight.date
    # What the manifests carry (an airline's list): every traveller's travel document
    # number and expiry, the eldest a wheelchair, the latest flight oxygen and an escort.
    from onward.movements.selectors import manifest_rows

    for n, flight in enumerate(flights):
        rows = manifest_rows(flight)
        assert rows and all(r["travel_document"].startswith("ICRC-") for r in rows)
        assert all(r["travel_document_expiry"] > str(flight.date) for r in rows)
        codes = sorted(r["assistance"] for r in rows if r["assistance"])
        assert codes == (["MEDA OXYG", "WCHR"] if n == 2 else ["WCHR"]), flight.date
    latest = flights.last()
    travellers = [p.pk for line in latest.lines.all() for p in line.persons.all()]
    before = selectors.persons_readiness(
        travellers, "ALB", latest.date - dt.timedelta(days=2), pledge.pk
    )
    expired = [pk for pk, r in before.items() if not r.ready]
    assert len(expired) == 1
    assert [(b.kind, b.reason) for b in before[expired[0]].blockers] == [
        ("fit_to_travel", "expired")
    ]
    client.force_login(users["resettlement"])
    csv = client.get(reverse("manifest_csv", args=[latest.pk]))
    assert csv.status_code == 200
    text = b"".join(csv.streaming_content) if csv.streaming else csv.content
    text = text.decode("utf-8-sig")
    assert "OXYG" in text and "WCHR" in text and text.count("ICRC-") == len(manifest_rows(latest))
    page = client.get(
        reverse("pledge_readiness", args=[pledge.pk]),
        {"on": str(latest.date - dt.timedelta(days=2)), "blocked": "fit_to_travel"},
    ).content.decode()
    from onward.registry.models import Person

    assert Person.objects.get(pk=expired[0]).person_id in page

    held = HeldBack.objects.select_related("line__case", "person", "line__transfer").get()
    assert held.reason.startswith("Medical hold")
    case, person = held.line.case, held.person
    assert held.line.transfer.status == "confirmed" and person.departure_date is None
    flown = [p for p in case.members.all() if p.pk != person.pk]
    assert flown and all(p.departure_date == held.line.transfer.date for p in flown)
    relocated = LedgerEntry.objects.filter(kind="relocated", person__case=case)
    assert relocated.count() == len(flown)  # each traveller once, the one held back not
    assert RelocationCase.objects.get(case=case).state == "accepted"  # open for the member
    page = client.get(
        reverse("pledge_readiness", args=[held.line.transfer.pledge_id]),
        {"blocked": "health_assessment"},
    ).content.decode()
    assert person.person_id in page
