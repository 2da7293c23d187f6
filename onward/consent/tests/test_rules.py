"""The consent rules: submitting needs every adult's consent for the country (or an
override with a reason); a withdrawal hides the person from the delegation at once and
flags the open submission."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from onward.accounts import roles
from onward.consent import rules, services
from onward.consent.models import SubmissionFlag
from onward.consent.tests.helpers import GIVEN, consent, submitted
from onward.relocation import selectors
from onward.relocation import services as relocation
from onward.relocation.models import State, Submission
from onward.relocation.tests.factories import at, bring_to, make_case, pledge

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rule_on(settings):
    settings.ONWARD_CONSENT_REQUIRED = True


def _assessed(users, **kw):
    case = make_case(users, **kw)
    bring_to(users, case, State.ASSESSED)
    return case


def test_it_refuses_a_submission_without_consent_naming_the_rule_and_members(users):
    alb = pledge(users)
    case = _assessed(users, size=1)
    with pytest.raises(ValidationError) as err:
        relocation.case_submit(actor=users[roles.RESETTLEMENT], case=case, pledge=alb, at=at(5))
    text = str(err.value)
    assert "Consent rule" in text and "ALB" in text
    assert case.members.get().person_id in text
    assert not Submission.objects.filter(case=case).exists()


def test_consent_for_another_country_or_an_expired_one_does_not_count(users):
    alb = pledge(users)
    case = _assessed(users, size=1)
    person = case.members.get()
    consent(users, person, "DEU")
    consent(users, person, "ALB", expires=dt.date(2013, 2, 1))
    with pytest.raises(ValidationError):
        relocation.case_submit(actor=users[roles.RESETTLEMENT], case=case, pledge=alb, at=at(5))


def test_every_adults_consent_lets_it_through_and_children_need_none_in_2013(users):
    alb = pledge(users)
    case = _assessed(users, size=2)  # a principal and a child born 2001 (12 in 2013)
    principal = case.members.get(relationship="principal")
    consent(users, principal, "ALB")
    relocation.case_submit(actor=users[roles.RESETTLEMENT], case=case, pledge=alb, at=at(5))
    assert Submission.objects.get(case=case).pledge == alb


def test_an_override_by_a_permitted_role_with_a_reason_lets_it_through(users):
    alb = pledge(users)
    case = _assessed(users, size=1)
    with pytest.raises(Exception):  # noqa: B017 - a resettlement officer may not override
        services.override_record(
            actor=users[roles.RESETTLEMENT], case=case, country="ALB", reason="urgent medical"
        )
    with pytest.raises(ValidationError) as err:
        services.override_record(actor=users[roles.PROTECTION], case=case, country="ALB", reason="")
    assert "reason" in err.value.message_dict
    services.override_record(
        actor=users[roles.PROTECTION],
        case=case,
        country="alb",
        reason="Emergency protection case: consent taken by phone, form follows",
    )
    relocation.case_submit(actor=users[roles.RESETTLEMENT], case=case, pledge=alb, at=at(5))
    assert Submission.objects.filter(case=case).exists()


def test_a_withdrawal_hides_the_person_from_the_delegation_and_flags_the_submission(users):
    alb = pledge(users)
    case = submitted(users, alb, size=1)
    dl = users[roles.DELEGATION]
    assert len(selectors.shared_case(user=dl, case=case)["members"]) == 1
    given = rules.consented_ids([case.members.get().pk], "ALB", GIVEN)
    the_consent = services.Consent.objects.get(person_id__in=given)
    flags = services.consent_withdraw(
        actor=users[roles.CLERK], consent=the_consent, reason="Changed her mind"
    )
    assert selectors.shared_case(user=dl, case=case)["members"] == []
    assert [f.submission.case_id for f in flags] == [case.pk]
    assert SubmissionFlag.objects.filter(submission__case=case).count() == 1
    with pytest.raises(ValidationError):
        services.consent_withdraw(actor=users[roles.CLERK], consent=the_consent, reason="again")


def test_bad_consents_are_refused_whole(users):
    case = make_case(users, size=2)
    principal = case.members.get(relationship="principal")
    child = case.members.exclude(pk=principal.pk).get()
    child.birth_date = dt.date.today() - dt.timedelta(days=365 * 10)
    child.save()
    base = dict(actor=users[roles.CLERK], recipient="delegation", purpose="x", given_on=GIVEN)
    cases = [
        (dict(person=principal, country="ALB", method="verbal"), "witness"),
        (dict(person=principal, country="ALB", method="signed_form"), "document"),
        (dict(person=principal, country="", method="verbal", witness="w"), "country"),
        (dict(person=child, country="ALB", method="verbal", witness="w"), "guardian"),
    ]
    for extra, field in cases:
        with pytest.raises(ValidationError) as err:
            services.consent_record(**base, **extra)
        assert field in err.value.message_dict, (extra, err.value)
    ok = services.consent_record(
        **base, person=child, country="ALB", method="verbal", witness="w", guardian=principal
    )
    assert ok.guardian == principal
    assert services.Consent.objects.count() == 1
