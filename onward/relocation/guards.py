"""Guards that reach into other apps.

The duplicate guard: a case whose members may be duplicates of other registrations must
not be submitted until someone resolves them. The dedup review queue lives in
`onward.dedup`; when that app is installed and offers
`onward.dedup.selectors.case_has_open_duplicates(case)`, it decides. Otherwise (the app
absent, or an older version without that function) no case is held back by this guard:
the dedup queue is built independently and the lead connects the two. Imported lazily so
that relocation never fails to load because of dedup.
"""

import importlib

from django.apps import apps


def _dedup_checker():
    if not apps.is_installed("onward.dedup"):
        return None
    try:
        module = importlib.import_module("onward.dedup.selectors")
    except ImportError:
        return None
    return getattr(module, "case_has_open_duplicates", None)


def case_has_unresolved_duplicate(case) -> bool:
    checker = _dedup_checker()
    return bool(checker(case)) if checker else False


def cases_with_unresolved_duplicates(cases) -> set[int]:
    """The primary keys of those `cases` held back by the duplicate guard, for a batch.

    Asks dedup for the whole batch in one query when it offers
    `cases_with_open_duplicates(case_pks) -> set`; else, when its selectors expose their
    `UNRESOLVED` statuses and `DuplicatePair`, runs the same query as its
    `case_has_open_duplicates` for all the cases at once; else asks case by case.
    """
    cases = list(cases)
    if not cases or _dedup_checker() is None:
        return set()
    module = importlib.import_module("onward.dedup.selectors")
    pks = [c.pk for c in cases]
    bulk = getattr(module, "cases_with_open_duplicates", None)
    if bulk is not None:
        return set(bulk(pks))
    pair, unresolved = getattr(module, "DuplicatePair", None), getattr(module, "UNRESOLVED", None)
    if pair is not None and unresolved is not None:
        from django.db.models import Q

        from onward.registry.models import Person

        open_pairs = pair.objects.filter(status__in=unresolved)
        persons = set(open_pairs.values_list("person_a_id", flat=True)) | set(
            open_pairs.values_list("person_b_id", flat=True)
        )
        if not persons:
            return set()
        return set(
            Person.objects.filter(Q(pk__in=persons), case_id__in=pks).values_list(
                "case_id", flat=True
            )
        )
    return {c.pk for c in cases if case_has_unresolved_duplicate(c)}


# The consent guard: the consent register (onward.consent) decides whether every adult
# member consented to the pledge's country, and whether a withdrawal hides a member from
# the delegation. Imported lazily, like dedup: relocation sits below it in the layers.


def consent_refusal(case, pledge, on) -> str | None:
    """The consent rule's refusal of submitting `case` to `pledge` on `on`, or None."""
    if not apps.is_installed("onward.consent"):
        return None
    return importlib.import_module("onward.consent.rules").submit_refusal(case, pledge, on)


def without_withheld_consent(members, country: str) -> list:
    """`members` less those whose consent for `country`'s delegation is withdrawn."""
    members = list(members)
    if not apps.is_installed("onward.consent") or not members:
        return members
    rules = importlib.import_module("onward.consent.rules")
    withheld = rules.withheld_person_ids([p.pk for p in members], country)
    return [p for p in members if p.pk not in withheld]
