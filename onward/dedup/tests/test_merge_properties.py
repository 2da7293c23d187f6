"""Property: whatever two records a merge meets (empty fields, differing values, encrypted
fields, one case or two) and whatever the reviewer chooses per field, no value is lost
(every non-empty value of either record is on the survivor or in its merge history), and
an undo gives back both records byte for byte, their case, the search keys and the
population figures."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from onward.accounts import roles
from onward.accounts.models import User
from onward.dedup import merging, selectors, services
from onward.dedup.models import DuplicatePair
from onward.dedup.tests.helpers import record_snapshot
from onward.movements.ledger import ledger_sum_on, population_on, registry_present_on
from onward.registry import services as registry
from onward.registry.models import Person

ARRIVAL = dt.date(2013, 1, 10)

record = st.fixed_dictionaries(
    {
        "given_name": st.sampled_from(["Mohammad", "Muhammad", "Zahra"]),
        "family_name": st.sampled_from(["", "Rezaei", "Rezayi"]),
        "father_name": st.sampled_from(["", "Hossein", "Hussein"]),
        "sex": st.sampled_from(["", "M", "F", "X"]),
        "birth_date": st.sampled_from(["", "1970", "1970-05", "1970-05-12", "1971-01-02"]),
        "nationality": st.sampled_from(["", "IRN", "AFG"]),
        "document_number": st.sampled_from(["", "X1234567", "X7654321"]),
        "phone": st.sampled_from(["", "+964 770 111 2222", "+98 912 000 1111"]),
        "specific_needs": st.lists(
            st.sampled_from(["SM", "DS", "ER", "WR"]), unique=True, max_size=3
        ),
        "needs_detail": st.sampled_from(["", "Uses a wheelchair", "Insulin\nevery morning"]),
    }
)
# Per field: the default (left out), the survivor's value, the other's, or both.
choice = st.sampled_from(["", "survivor", "merged", "both"])
choices = st.fixed_dictionaries({f.name: choice for f in merging.FIELDS})


def on_survivor(field: merging.MergeField, value, survivor: dict) -> bool:
    """A record's value is on the survivor (needs: every code; details: the text)."""
    now = merging.shown(survivor, field)
    if field.name == "specific_needs":
        return set(value) <= set(now)
    if field.name == "needs_detail":
        return value in now
    return value == now


def in_history(
    field: merging.MergeField, whose: str, value, history: list[dict], survivor: dict
) -> bool:
    """The value is among those the survivor's page lists as not kept (needs: exactly the
    codes the survivor does not hold, shown as "CODE – label")."""
    for x in history:
        if x["field"] != field.name or x["whose"] != whose:
            continue
        if field.name == "specific_needs":
            left_out = {shown.split(" – ")[0] for shown in x["value"]}
            return left_out == set(value) - set(survivor["specific_needs"])
        return x["value"] == value
    return False


def figures() -> tuple:
    days = (ARRIVAL, ARRIVAL + dt.timedelta(days=30))
    return tuple((population_on(d), registry_present_on(d), ledger_sum_on(d)) for d in days)


@pytest.mark.slow
@override_settings(ONWARD_DEDUP_SECOND_REVIEWER=False)
class MergeProperties(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.clerk = User.objects.create_user(
            username="m_clerk", password="x" * 12, role=roles.CLERK
        )
        cls.manager = User.objects.create_user(
            username="m_manager", password="x" * 12, role=roles.DATA_MANAGER
        )

    def register(self, a: dict, b: dict, same_case: bool, note: bool) -> tuple[Person, Person]:
        case = registry.case_create(actor=self.clerk, principal=a, arrival_date=ARRIVAL)
        first = case.members.get()
        if same_case:
            second = registry.person_add(
                actor=self.clerk, case=case, person={**b, "relationship": "child"}
            )
        else:
            second = registry.case_create(
                actor=self.clerk, principal=b, arrival_date=ARRIVAL
            ).members.get()
        if note:
            registry.note_add(actor=self.clerk, case=second.case, text="Seen at the clinic")
        return first, second

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        a=record,
        b=record,
        picks=choices,
        survivor_first=st.booleans(),
        same_case=st.booleans(),
        note=st.booleans(),
    )
    def test_no_value_is_lost_and_undo_is_exact(self, a, b, picks, survivor_first, same_case, note):
        first, second = self.register(a, b, same_case, note)
        survivor, merged = (first, second) if survivor_first else (second, first)
        before = {p.pk: record_snapshot(p.pk) for p in (first, second)}
        states = {p.pk: merging.person_state(p) for p in (first, second)}
        counts = figures()
        lo, hi = sorted([first.pk, second.pk])
        pair = DuplicatePair.objects.create(
            person_a_id=lo, person_b_id=hi, probability=0.9, weight=5
        )
        ids = {"survivor": survivor.person_id, "merged": merged.person_id, "both": "both"}
        keep = {
            f: ids[c]
            for f, c in picks.items()
            if c and (c != "both" or merging.BY_NAME[f].joinable)
        }
        try:
            merge = services.pair_merge(
                actor=self.manager,
                pair_id=pair.pk,
                survivor_person_id=survivor.person_id,
                keep=keep,
            )
        except ValidationError as refused:
            # The principal of a household cannot be merged away: refused, nothing changed.
            event("refused")
            assert "principal applicant" in str(refused)
            assert {p.pk: record_snapshot(p.pk) for p in (first, second)} == before
            return
        event("merged")
        survivor.refresh_from_db()
        after = merging.person_state(survivor)
        history = selectors.merge_history(user=self.manager, person=survivor)[0]["not_kept"]
        for field in merging.FIELDS:
            for whose, person in (("survivor", survivor), ("merged", merged)):
                value = merging.shown(states[person.pk], field)
                if value and not on_survivor(field, value, after):
                    assert in_history(field, whose, value, history, after), (
                        field.name,
                        whose,
                        value,
                    )
        # The merged record keeps every value of its own, hidden behind the survivor.
        merged_now = record_snapshot(merged.pk)
        assert merged_now["merged_into_id"] == survivor.pk
        assert {**merged_now, "merged_into_id": None} == {
            **before[merged.pk],
            "case": merged_now["case"],
        }
        assert figures()[0][0] == counts[0][0] - 1  # the duplicate never was a resident

        services.merge_undo(actor=self.manager, merge_id=merge.pk)
        assert {p.pk: record_snapshot(p.pk) for p in (first, second)} == before
        assert figures() == counts
