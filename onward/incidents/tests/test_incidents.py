import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from onward.accounts import roles
from onward.incidents import selectors, services
from onward.incidents.models import ProtectionRequest
from onward.movements.ledger import population_on, registry_present_on
from onward.movements.models import LedgerEntry
from onward.movements.tests.factories import family

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(users):
    return users[roles.PROTECTION]


@pytest.fixture
def origin_clash(officer):
    incident = services.incident_create(
        actor=officer,
        data={
            "occurred_at": "2013-09-01",
            "type": "armed_attack",
            "within_site": False,
            "place": "Origin camp (Camp Ashraf), Diyala",
            "time_known": False,
        },
    )
    services.claim_add(
        actor=officer,
        incident=incident,
        data={"source": "Residents' organisation", "stated_on": "2013-09-01", "killed": 52},
    )
    services.claim_add(
        actor=officer,
        incident=incident,
        data={
            "source": "Government of Iraq",
            "stated_on": "2013-09-10",
            "killed": 53,
            "official": True,
            "summary": "the 53rd victim identified late",
        },
    )
    services.claim_add(
        actor=officer,
        incident=incident,
        data={"source": "A news agency", "stated_on": "2013-09-02", "injured": 10},
    )
    return incident


def test_figures_per_rule_with_the_range_and_the_claim_they_come_from(origin_clash):
    latest = selectors.incident_figures(origin_clash, "latest_official")
    assert latest["killed"].value == 53 and latest["killed"].claim.source == "Government of Iraq"
    assert (latest["killed"].low, latest["killed"].high) == (52, 53)
    assert latest["killed"].range_text == "52–53" and latest["killed"].disputed
    assert latest["injured"].value is None and latest["injured"].range_text == "10"
    assert selectors.incident_figures(origin_clash, "highest")["killed"].value == 53
    lowest = selectors.incident_figures(origin_clash, "lowest")["killed"]
    assert lowest.value == 52 and lowest.claim.source == "Residents' organisation"
    assert lowest.n == 2


def test_a_figure_not_given_is_not_zero(officer):
    incident = services.incident_create(
        actor=officer, data={"occurred_at": "2013-02-09 05:30", "type": "indirect_fire"}
    )
    services.claim_add(
        actor=officer,
        incident=incident,
        data={
            "source": "UNAMI",
            "stated_on": "2013-02-09",
            "official": True,
            "figures_text": "deaths and injuries, figures not given",
        },
    )
    fig = selectors.incident_figures(incident, "lowest")
    assert fig["killed"].value is None and fig["killed"].range_text == "not given"


def test_it_refuses_a_claim_without_source_or_with_bad_figures(officer, origin_clash):
    with pytest.raises(ValidationError) as err:
        services.claim_add(
            actor=officer,
            incident=origin_clash,
            data={"source": "", "stated_on": "", "killed": "-3", "injured": "dozens"},
        )
    assert {"source", "stated_on", "killed", "injured"} <= set(err.value.message_dict)
    assert origin_clash.claims.count() == 3


def test_it_refuses_an_incident_away_from_the_site_without_a_place(officer):
    with pytest.raises(ValidationError) as err:
        services.incident_create(
            actor=officer, data={"occurred_at": "2011-04-08", "type": "clash", "within_site": False}
        )
    assert "place" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.incident_create(actor=officer, data={"occurred_at": "soon", "type": "x"})
    assert {"occurred_at", "type"} <= set(err.value.message_dict)


def test_a_clerk_may_not_record_an_incident(clerk):
    with pytest.raises(PermissionDenied):
        services.incident_create(actor=clerk, data={"occurred_at": "2013-02-09", "type": "other"})


def test_a_victim_killed_departs_once_however_many_claims_and_links(clerk, officer):
    _, man, _ = family(clerk)
    first = services.incident_create(
        actor=officer,
        data={"occurred_at": "2013-12-26 08:00", "type": "indirect_fire", "place": "Block B"},
    )
    for source in ("Reuters", "Camp spokesperson", "UNAMI"):
        services.claim_add(
            actor=officer,
            incident=first,
            data={"source": source, "stated_on": "2013-12-26", "killed": 3},
        )
    services.victim_link(actor=officer, incident=first, person=man, outcome="killed")
    services.victim_link(actor=officer, incident=first, person=man, outcome="killed")
    # The same death reported under a second incident record: still one death.
    second = services.incident_create(
        actor=officer, data={"occurred_at": "2013-12-26 08:05", "type": "indirect_fire"}
    )
    services.victim_link(actor=officer, incident=second, person=man, outcome="killed")
    assert LedgerEntry.objects.filter(person=man, delta=-1).count() == 1
    man.refresh_from_db()
    assert man.departure_type == "deceased" and man.departure_date == dt.date(2013, 12, 26)
    day = dt.date(2013, 12, 26)
    assert population_on(day) == registry_present_on(day) == 1


def test_victims_recorded_count_where_no_source_under_the_rule_gives_a_figure(clerk, officer):
    """26 December 2013: only Reuters (not an official source) gave 3 dead; the 3 victims
    linked to persons stand for the figure under the default rule, and a source's figure
    wins wherever the rule finds one."""
    incident = services.incident_create(
        actor=officer,
        data={"occurred_at": "2013-12-26", "type": "indirect_fire", "time_known": False},
    )
    services.claim_add(
        actor=officer,
        incident=incident,
        data={"source": "Reuters", "stated_on": "2013-12-26", "killed": 3},
    )
    assert selectors.incident_figures(incident, "latest_official")["killed"].value is None
    for n in range(3):
        _, man, _ = family(clerk, given_name=f"Victim{n}")
        services.victim_link(actor=officer, incident=incident, person=man, outcome="killed")
    incident.refresh_from_db()
    killed = selectors.incident_figures(incident, "latest_official")["killed"]
    assert (killed.value, killed.basis, killed.claim, killed.recorded) == (3, "recorded", None, 3)
    assert killed.range_text == "3"  # the range stays the sources'
    highest = selectors.incident_figures(incident, "highest")["killed"]
    assert (highest.value, highest.basis) == (3, "claim")
    assert selectors.incident_figures(incident, "latest_official")["injured"].value is None
    report = selectors.incidents_report(user=officer)
    assert report["totals"]["killed"] == 3


def test_an_injured_victim_stays_in_the_population(clerk, officer):
    _, man, _ = family(clerk)
    incident = services.incident_create(
        actor=officer, data={"occurred_at": "2013-06-15", "type": "indirect_fire"}
    )
    services.victim_link(actor=officer, incident=incident, person=man, outcome="injured")
    man.refresh_from_db()
    assert man.departure_date is None


def test_a_protection_request_keeps_the_history_of_its_status(officer, origin_clash):
    pr = services.protection_request_create(
        actor=officer,
        incidents=[origin_clash],
        data={
            "authority": "Government of Iraq",
            "requested_on": "2013-06-16",
            "request": "Strengthen the physical protection of the site (T-walls).",
            "follow_up_on": "2013-07-01",
        },
    )
    pr = services.protection_request_update(
        actor=officer,
        protection_request=pr,
        expected_version=pr.version,
        status="acknowledged",
        on="2013-06-20",
        note="acknowledged by letter",
        follow_up_on="2013-07-15",
    )
    assert pr.status == ProtectionRequest.Status.ACKNOWLEDGED
    assert [e.status_to for e in pr.events.all()] == ["open", "acknowledged"]
    from onward.registry.services import StaleEdit

    with pytest.raises(StaleEdit):
        services.protection_request_update(
            actor=officer, protection_request=pr, expected_version=1, status="done", on="2013-08-01"
        )
