"""Every written-once model refuses a change or a deletion through the application, one
row or many (onward/appendonly.py): the audit log, the population ledger, and
relocation's histories (pledge changes, case transitions, exit checks)."""

import pytest
from django.apps import apps

from onward.appendonly import AppendOnly, AppendOnlyError

pytestmark = pytest.mark.django_db

EXPECTED = {
    "audit.AuditEntry",
    "movements.LedgerEntry",
    "relocation.PledgeChange",
    "relocation.CaseTransition",
    "relocation.ExitCheck",
}


def _append_only_models():
    return {m._meta.label: m for m in apps.get_models() if issubclass(m, AppendOnly)}


def test_the_histories_are_append_only():
    assert EXPECTED <= set(_append_only_models())


@pytest.mark.parametrize("label", sorted(EXPECTED))
def test_bulk_changes_are_refused(label):
    model = _append_only_models()[label]
    with pytest.raises(AppendOnlyError):
        model.objects.all().update(pk=1)
    with pytest.raises(AppendOnlyError):
        model.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        model(pk=1).delete()
