"""After a configured number of missed resettlement interviews with no contact, the case
is proposed "not recommended: no show / cannot be contacted" for an officer to confirm."""

import datetime as dt

import pytest
from django.urls import reverse

from onward.accounts import roles
from onward.interviews import services as interviews
from onward.interviews.models import AppointmentType
from onward.relocation import review
from onward.relocation.tests.factories import T0, make_case

pytestmark = pytest.mark.django_db


def _missed(case, day, reason=""):
    start = T0 + dt.timedelta(days=day)
    appointment = interviews.book(
        type=AppointmentType.objects.get(pk=AppointmentType.RESETTLEMENT_INTERVIEW),
        start=start,
        end=start + dt.timedelta(hours=1),
        case=case,
    )
    if reason:
        first = appointment.attendance.first()
        interviews.check_in(appointment, set(), {first.person_id: reason})
    interviews.set_status(appointment, "missed")


def test_two_misses_with_no_contact_propose_not_recommended_and_an_officer_confirms(
    users, client, settings
):
    settings.ONWARD_NO_SHOW_LIMIT = 2
    gone, once, excused = (make_case(users) for _ in range(3))
    _missed(gone, 1)
    _missed(gone, 2)
    _missed(once, 1)
    _missed(excused, 1)
    _missed(excused, 2, reason="in hospital, the family called")
    assert [(c.case_id, n) for c, n in review.no_show_proposals()] == [(gone.case_id, 2)]
    client.force_login(users[roles.RESETTLEMENT])
    page = client.get(reverse("review_list")).content.decode()
    assert f'id="no-show-{gone.case_id}"' in page
    client.post(
        reverse("recommendation_record", args=[gone.case_id]),
        {"recommendation": "not_recommend", "comments": review.NO_SHOW, "next": "review_list"},
    )
    latest = review.latest_review(gone)
    assert (latest.recommendation, latest.comments) == ("not_recommend", review.NO_SHOW)
    assert review.no_show_proposals() == []
    # At one miss: the case that missed once, and the one whose first miss had no contact.
    settings.ONWARD_NO_SHOW_LIMIT = 1
    assert [(c.case_id, n) for c, n in review.no_show_proposals()] == [
        (once.case_id, 1),
        (excused.case_id, 1),
    ]


def test_an_officer_dismisses_a_proposal_with_a_reason_until_a_further_miss(
    users, client, settings
):
    from onward.audit.models import AuditEntry
    from onward.relocation.models import NoShowDismissal, SubmissionReview

    settings.ONWARD_NO_SHOW_LIMIT = 2
    gone = make_case(users)
    _missed(gone, 1)
    _missed(gone, 2)
    client.force_login(users[roles.RESETTLEMENT])
    url = reverse("no_show_dismiss", args=[gone.case_id])
    # Without a reason: refused, the field named, nothing recorded.
    page = client.post(url, {"reason": "  "}, follow=True).content.decode()
    assert "Proposal not dismissed" in page and "reason" in page
    assert not NoShowDismissal.objects.exists()
    page = client.post(url, {"reason": "Reached by phone, moved to zone 4"}, follow=True)
    assert "no-show proposal dismissed" in page.content.decode()
    assert review.no_show_proposals() == []
    assert not SubmissionReview.objects.filter(case=gone).exists()  # nothing recommended
    entry = AuditEntry.objects.get(detail="no-show proposal dismissed")
    assert entry.object_id == gone.case_id and entry.changes["misses"] == 2
    # The no-show list of the interviews pages no longer marks it proposed...
    listing = client.get(reverse("interview_no_shows"), {"on": "2013-03-10"}).content.decode()
    assert "Proposed: not recommended" not in listing
    # ...and dismissing again is refused: it is not proposed.
    page = client.post(url, {"reason": "again"}, follow=True).content.decode()
    assert "is not proposed as a no show" in page
    # A further miss with no contact proposes it again.
    _missed(gone, 3)
    assert [(c.case_id, n) for c, n in review.no_show_proposals()] == [(gone.case_id, 3)]
    listing = client.get(reverse("interview_no_shows"), {"on": "2013-03-10"}).content.decode()
    assert "Proposed: not recommended" in listing and "Confirm or dismiss" in listing
    # A clerk may not dismiss.
    client.force_login(users[roles.CLERK])
    assert client.post(url, {"reason": "x"}).status_code == 403
