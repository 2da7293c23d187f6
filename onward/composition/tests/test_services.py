"""Case composition (issue 18): move, split, link, each with a reason, audited, undone
exactly, never changing the head-count, refused under an open submission except after a
split decision."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.composition import services
from onward.composition.models import CaseChange, CaseLink
from onward.movements.ledger import population_on
from onward.registry.models import Case, Person
from onward.relocation import selectors
from onward.relocation import services as relocation
from onward.relocation.models import State, Submission
from onward.relocation.tests.factories import at, bring_to, make_case, pledge

pytestmark = pytest.mark.django_db


def _layout(*cases):
    return {
        p.person_id: (p.case.case_id, p.relationship)
        for p in Person.objects.filter(case__in=cases).select_related("case")
    }


def _officer(users):
    return users[roles.RESETTLEMENT]


def test_a_member_moves_and_the_undo_puts_them_back(users):
    a, b = make_case(users, size=3), make_case(users, size=1)
    before, population = _layout(a, b), population_on(timezone.localdate())
    child = a.members.filter(relationship="child").first()
    change = services.person_move(
        actor=_officer(users), person=child, target=b, relationship="sibling", reason="lives with"
    )
    assert Person.objects.get(pk=child.pk).case_id == b.pk
    assert Person.objects.get(pk=child.pk).relationship == "sibling"
    assert population_on(timezone.localdate()) == population
    services.change_undo(actor=_officer(users), change=change, reason="typed in error")
    assert _layout(a, b) == before
    assert CaseChange.objects.get(pk=change.pk).undone_at is not None
    details = AuditEntry.objects.filter(object_type="case", object_id=a.case_id)
    assert details.filter(detail__contains="lives with").exists()


def test_the_principal_moves_only_with_a_new_principal_named(users):
    a, b = make_case(users, size=2), make_case(users, size=1)
    principal = a.members.get(relationship="principal")
    other = a.members.exclude(pk=principal.pk).get()
    with pytest.raises(ValidationError) as err:
        services.person_move(
            actor=_officer(users), person=principal, target=b, relationship="spouse", reason="x"
        )
    assert "new_principal" in err.value.message_dict
    before = _layout(a, b)
    change = services.person_move(
        actor=_officer(users),
        person=principal,
        target=b,
        relationship="spouse",
        new_principal=other,
        reason="remarried",
    )
    assert Person.objects.get(pk=other.pk).relationship == "principal"
    services.change_undo(actor=_officer(users), change=change, reason="wrong")
    assert _layout(a, b) == before


def test_a_case_left_empty_is_closed_and_reopened_by_the_undo(users):
    a, b = make_case(users, size=1), make_case(users, size=1)
    only = a.members.get()
    change = services.person_move(
        actor=_officer(users), person=only, target=b, relationship="spouse", reason="married"
    )
    assert Case.objects.get(pk=a.pk).status == Case.Status.CLOSED
    services.change_undo(actor=_officer(users), change=change, reason="wrong")
    assert Case.objects.get(pk=a.pk).status == Case.Status.OPEN


def test_a_split_makes_a_new_case_with_its_principal(users):
    a = make_case(users, size=4)
    before = _layout(a)
    children = list(a.members.filter(relationship="child").order_by("person_id")[:2])
    change = services.case_split(
        actor=_officer(users),
        case=a,
        persons=children,
        principal=children[0],
        reason="adult son's own household",
    )
    new = change.target
    assert sorted(new.members.values_list("relationship", flat=True)) == ["child", "principal"]
    assert a.members.count() == 2
    assert AuditEntry.objects.filter(action="create", object_id=new.case_id).exists()
    services.change_undo(actor=_officer(users), change=change, reason="wrong")
    assert _layout(a) == before and Case.objects.get(pk=new.pk).status == Case.Status.CLOSED


@pytest.mark.parametrize(
    "choose, message",
    [
        (lambda m: [], "Choose the members"),
        (lambda m: m, "At least one member stays"),
        (lambda m: [p for p in m if p.relationship == "principal"], "principal applicant"),
    ],
)
def test_a_split_that_breaks_a_rule_is_refused_and_changes_nothing(users, choose, message):
    a = make_case(users, size=3)
    before = _layout(a)
    members = list(a.members.all())
    chosen = choose(members)
    with pytest.raises(ValidationError) as err:
        services.case_split(
            actor=_officer(users),
            case=a,
            persons=chosen,
            principal=(chosen or members)[0],
            reason="x",
        )
    assert message in str(err.value)
    assert _layout(a) == before and Case.objects.count() == 1


def test_a_reason_is_required_and_the_role_checked(users):
    a, b = make_case(users, size=2), make_case(users, size=1)
    child = a.members.get(relationship="child")
    with pytest.raises(ValidationError):
        services.person_move(
            actor=_officer(users), person=child, target=b, relationship="child", reason="  "
        )
    with pytest.raises(PermissionDenied):
        services.person_move(
            actor=users[roles.CLERK], person=child, target=b, relationship="child", reason="x"
        )
    assert Person.objects.get(pk=child.pk).case_id == a.pk


def test_an_open_submission_keeps_its_members(users):
    p = pledge(users)
    a = bring_to(users, make_case(users, size=2), State.SUBMITTED, pledge_=p)
    b = make_case(users, size=1)
    child = a.members.get(relationship="child")
    with pytest.raises(ValidationError) as err:
        services.person_move(
            actor=_officer(users), person=child, target=b, relationship="child", reason="x"
        )
    assert "open submission" in str(err.value)
    with pytest.raises(ValidationError):  # nor gains one
        services.person_move(
            actor=_officer(users),
            person=b.members.get(),
            target=a,
            relationship="other_relative",
            reason="x",
        )


def test_after_a_split_decision_the_members_left_out_may_leave(users):
    p = pledge(users)
    a = bring_to(users, make_case(users, size=3), State.SUBMITTED, pledge_=p)
    ids = sorted(a.members.values_list("person_id", flat=True))
    principal = a.members.get(relationship="principal").person_id
    accepted = [principal, next(i for i in ids if i != principal)]
    left_out = Person.objects.get(person_id=next(i for i in ids if i not in accepted))
    relocation.submission_decide(
        actor=users[roles.DELEGATION],
        submission=a.submissions.get(decision=""),
        decision="accepted",
        members=accepted,
        at=at(5),
    )
    with pytest.raises(ValidationError):  # an accepted member stays with the decision
        services.case_split(
            actor=_officer(users),
            case=a,
            persons=[Person.objects.get(person_id=accepted[1])],
            principal=Person.objects.get(person_id=accepted[1]),
            reason="x",
        )
    change = services.case_split(
        actor=_officer(users),
        case=a,
        persons=[left_out],
        principal=left_out,
        reason="not accepted by the country: stays for another submission",
    )
    assert change.target.members.get().person_id == left_out.person_id
    sub = Submission.objects.get(case=a, decision="accepted")
    assert sub.usage["persons"] == 2
    assert selectors.pledge_figures(p)["persons"]["accepted"] == 2


def test_a_later_change_must_be_undone_first(users):
    a, b, c = (make_case(users, size=2), make_case(users, size=1), make_case(users, size=1))
    child = a.members.get(relationship="child")
    first = services.person_move(
        actor=_officer(users), person=child, target=b, relationship="child", reason="one"
    )
    services.person_move(
        actor=_officer(users),
        person=Person.objects.get(pk=child.pk),
        target=c,
        relationship="child",
        reason="two",
    )
    with pytest.raises(ValidationError) as err:
        services.change_undo(actor=_officer(users), change=first, reason="x")
    assert "undo the later change first" in str(err.value)


def test_nobody_departed_or_removed_moves(users):
    a, b = make_case(users, size=2), make_case(users, size=1)
    child = a.members.get(relationship="child")
    Person.objects.filter(pk=child.pk).update(departure_date="2013-05-01")
    with pytest.raises(ValidationError) as err:
        services.person_move(
            actor=_officer(users),
            person=Person.objects.get(pk=child.pk),
            target=b,
            relationship="child",
            reason="x",
        )
    assert "departed" in str(err.value)


def test_cases_link_once_and_the_link_ends_on_record(users):
    a, b = make_case(users, size=1), make_case(users, size=1)
    link = services.cases_link(
        actor=_officer(users), case=b, other=a, kind="family_unity", reason="brothers"
    )
    assert (link.case_a_id, link.case_b_id) == tuple(sorted((a.pk, b.pk)))
    with pytest.raises(ValidationError):
        services.cases_link(
            actor=_officer(users), case=a, other=b, kind="dependency", reason="again"
        )
    with pytest.raises(ValidationError):
        services.cases_link(actor=_officer(users), case=a, other=a, kind="dependency", reason="x")
    services.link_end(actor=_officer(users), link=link, reason="separate households")
    assert CaseLink.objects.get(pk=link.pk).ended_at is not None
    services.cases_link(actor=_officer(users), case=a, other=b, kind="dependency", reason="again")
    assert CaseLink.objects.filter(ended_at=None).count() == 1
