"""Resident cards and scans: an opaque token, revoke and reissue, and refused scans that
write nothing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.movements.services import departure_record
from onward.presence import selectors, services
from onward.presence.models import Card, LastSeen, PresenceEvent
from onward.presence.tests.factories import camp_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(users):
    _, housed = camp_with(users, blocks=("A",), per_block=2)
    return housed["A"][0]


def test_a_card_token_is_random_and_carries_nothing_of_the_person(users, resident):
    card = services.card_issue(actor=users[roles.CLERK], person=resident)
    other = services.card_issue(actor=users[roles.CLERK], person=resident)
    assert card.token != other.token and len(other.token) >= 22
    # (names and the person id: long enough that chance cannot put them in 22 random
    # characters; the row's pk, one digit, could be there by chance and is not checked)
    for value in (resident.person_id, resident.given_name, resident.family_name):
        assert value.lower() not in other.token.lower()
    # reissue revoked the first card: one live card per person
    card.refresh_from_db()
    assert card.revoked_at and card.revoke_reason == "reissued"
    assert list(Card.objects.filter(person=resident, revoked_at=None)) == [other]


def test_a_scan_records_the_event_and_last_seen(users, resident):
    card = services.card_issue(actor=users[roles.CLERK], person=resident)
    event = services.presence_record(
        actor=users[roles.CLERK], checkpoint="Gate 1", token=card.token
    )
    assert event.person == resident and event.method == "card" and event.card == card
    assert selectors.last_seen(resident).checkpoint == "Gate 1"
    earlier = timezone.now() - dt.timedelta(days=2)
    services.presence_record(
        actor=users[roles.CLERK], checkpoint="Clinic", person=resident, method="manual", at=earlier
    )
    # an event recorded late, for an earlier time, does not move last seen back
    assert selectors.last_seen(resident).checkpoint == "Gate 1"


@pytest.mark.parametrize("case", ["unknown", "revoked", "departed", "empty"])
def test_a_refused_scan_says_why_and_writes_nothing(users, resident, case):
    clerk = users[roles.CLERK]
    card = services.card_issue(actor=clerk, person=resident)
    token, expected = card.token, ""
    if case == "unknown":
        token, expected = "x" * 22, "No card has this code"
    elif case == "empty":
        token, expected = "", "No card has this code"
    elif case == "revoked":
        services.card_revoke(actor=clerk, card=card, reason="lost")
        expected = "This card was revoked"
    else:
        departure_record(
            actor=users[roles.DATA_MANAGER],
            person=resident,
            kind="left_own_accord",
            on=timezone.localdate(),
        )
        expected = "departed on"
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationError, match=expected):
        services.presence_record(actor=clerk, checkpoint="Gate 1", token=token)
    assert not PresenceEvent.objects.exists() and not LastSeen.objects.exists()
    assert AuditEntry.objects.count() == audit_before


def test_the_scan_page_takes_a_wedge_scanners_code_and_enter(client, users, resident):
    card = services.card_issue(actor=users[roles.CLERK], person=resident)
    client.force_login(users[roles.CLERK])
    url = reverse("presence_scan")
    done = client.post(url, {"form": "card", "checkpoint": "Gate 1", "token": card.token + "\n"})
    assert done.status_code == 302
    page = client.get(done["Location"]).content.decode()
    assert f"<bdi>{resident.person_id}</bdi>" in page and 'value="Gate 1"' in page
    # the event named in the address is shown to who recorded it only
    client.force_login(users[roles.DATA_MANAGER])
    assert f"<bdi>{resident.person_id}</bdi>" not in client.get(done["Location"]).content.decode()
    client.force_login(users[roles.CLERK])
    refused = client.post(url, {"form": "card", "checkpoint": "Gate 1", "token": "nope"})
    assert "No card has this code: nothing recorded." in refused.content.decode()
    assert PresenceEvent.objects.count() == 1


def test_the_card_page_shows_the_qr_code_and_the_card_shows_no_name(client, users, resident):
    services.card_issue(actor=users[roles.CLERK], person=resident)
    client.force_login(users[roles.CLERK])
    html = client.get(reverse("presence_card", args=[resident.person_id])).content.decode()
    card_html = html.split('id="resident-card"')[1].split("</div>\n</div>")[0]
    assert 'src="data:image/svg+xml' in card_html and resident.person_id in card_html
    assert resident.given_name not in card_html


def test_not_seen_for_n_days_by_block_as_of_a_date(users):
    blocks, housed = camp_with(users, blocks=("A", "B"), per_block=2)
    clerk = users[roles.CLERK]
    now = timezone.now()
    seen_recently, seen_long_ago = housed["A"][0], housed["A"][1]
    services.presence_record(
        actor=clerk, checkpoint="Gate", person=seen_recently, method="manual", at=now
    )
    services.presence_record(
        actor=clerk,
        checkpoint="Gate",
        person=seen_long_ago,
        method="manual",
        at=now - dt.timedelta(days=10),
    )
    today = timezone.localdate()
    rows = {r["block"].code: r for r in selectors.not_seen_by_block(day=today, days=7)}
    assert (rows["A"]["count"], rows["A"]["never"]) == (1, 0)
    assert (rows["B"]["count"], rows["B"]["never"]) == (2, 2)
    listed = selectors.not_seen(day=today, days=7, block=blocks["A"])
    assert [a.person for a in listed] == [seen_long_ago] and listed[0].last is not None
    # as of 9 days ago the long-ago sighting was recent, and the recent one not yet made
    past = today - dt.timedelta(days=9)
    assert [a.person for a in selectors.not_seen(day=past, days=7, block=blocks["A"])] == [
        seen_recently
    ]


def test_the_not_seen_page_lists_a_blocks_residents_and_audits_them(client, users):
    blocks, housed = camp_with(users, blocks=("A", "B"), per_block=2)
    client.force_login(users[roles.AUDITOR])
    url = reverse("presence_not_seen")
    counts = client.get(url + "?days=7").content.decode()
    assert housed["A"][0].person_id not in counts
    assert not AuditEntry.objects.filter(action="view", object_type="person").exists()
    page = client.get(url + f"?days=7&block={blocks['A'].pk}").content.decode()
    assert all(p.person_id in page for p in housed["A"])
    assert housed["B"][0].person_id not in page
    read = AuditEntry.objects.filter(action="view", object_type="person")
    assert set(read.values_list("object_id", flat=True)) == {p.person_id for p in housed["A"]}


def test_last_seen_is_the_latest_event_whatever_order_the_scans_come_in(users):
    """The upsert keeps the latest: a first sighting inserts, a later one moves it, an
    earlier one recorded late does not move it back (same answer on both databases)."""
    import datetime as dt

    from django.utils import timezone

    from onward.presence import services
    from onward.presence.models import LastSeen
    from onward.presence.tests.factories import camp_with

    _, housed = camp_with(users, blocks=("A",), per_block=1)
    person = housed["A"][0]
    card = services.card_issue(actor=users[roles.CLERK], person=person)
    base = timezone.now() - dt.timedelta(days=3)
    for hours, expected in ((0, 0), (5, 5), (2, 5), (30, 30)):
        services.presence_record(
            actor=users[roles.CLERK],
            checkpoint=f"gate {hours}",
            token=card.token,
            at=base + dt.timedelta(hours=hours),
        )
        seen = LastSeen.objects.get(person=person)
        assert seen.at == base + dt.timedelta(hours=expected)
        assert seen.checkpoint == f"gate {expected}"
