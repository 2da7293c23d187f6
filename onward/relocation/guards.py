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


def sharing_refusal(persons, country: str, on, *, what: str) -> str | None:
    """Why `what` (a manifest, an export) holding `persons`' data may not go to
    `country` on `on` (no consent and no agreement, or a withdrawal), or None."""
    if not apps.is_installed("onward.consent"):
        return None
    rules = importlib.import_module("onward.consent.rules")
    return rules.sharing_refusal(persons, country, on, what=what)


# --- The resettlement interview (issue 18) ---------------------------------------------------
# A case is assessed only once its resettlement interview is completed with every member
# present or the absence recorded with a reason: `onward.interviews.services.
# interview_complete(case)`. The interviews app sits above relocation (it books cases), so
# its models are read lazily here, for a whole batch in two queries; the rule is the same
# as `interview_complete` (a test holds the two together).


def cases_with_complete_interview(case_pks) -> set[int]:
    """The primary keys of those cases whose resettlement interview is complete. With the
    interviews app not installed, every case counts as interviewed (nothing to check)."""
    pks = list(case_pks)
    if not pks:
        return set()
    if not apps.is_installed("onward.interviews"):
        return set(pks)
    appointment = apps.get_model("interviews", "Appointment")
    attendance = apps.get_model("interviews", "Attendance")
    done = dict(
        appointment.objects.filter(
            case_id__in=pks,
            type_id="resettlement_interview",
            status="completed",
        ).values_list("pk", "case_id")
    )
    if not done:
        return set()
    incomplete: set[int] = set()
    for appointment_pk, present, reason in attendance.objects.filter(
        appointment_id__in=done
    ).values_list("appointment_id", "present", "absence_reason"):
        if not present and not reason.strip():
            incomplete.add(appointment_pk)
    return {case_pk for pk, case_pk in done.items() if pk not in incomplete}


def case_interview_complete(case) -> bool:
    return case.pk in cases_with_complete_interview([case.pk])


def _live_links(pks: set[int], *order: str) -> list:
    """The live links (not ended) touching any of the cases, both cases read with them;
    none when composition is not installed (it sits beside relocation, so its CaseLink
    is read lazily)."""
    if not pks or not apps.is_installed("onward.composition"):
        return []
    from django.db.models import Q

    link = apps.get_model("composition", "CaseLink")
    return list(
        link.objects.filter(Q(case_a_id__in=pks) | Q(case_b_id__in=pks), ended_at=None)
        .select_related("case_a", "case_b")
        .order_by(*order)
    )


def linked_cases(case_pks) -> dict[int, list[dict]]:
    """Each case's live links (family unity, dependency; the composition app sits beside
    relocation, so its CaseLink is read lazily), with whether the two are submitted
    together: both under an open submission (awaiting a decision or accepted) to the same
    pledge. {case pk: [{"case_id", "kind", "together", "pledge"}]}; two queries a batch."""
    pks = set(case_pks)
    links = _live_links(pks, "case_a_id", "case_b_id")
    if not links:
        return {}
    from onward.relocation.models import Submission

    involved = {pk for x in links for pk in (x.case_a_id, x.case_b_id)}
    pledge_of: dict[int, int] = {}
    country_of: dict[int, str] = {}
    for case_pk, pledge_pk, country in Submission.objects.filter(
        case_id__in=involved, decision__in=("", "accepted")
    ).values_list("case_id", "pledge_id", "pledge__country"):
        pledge_of[case_pk], country_of[case_pk] = pledge_pk, country
    out: dict[int, list[dict]] = {}
    for x in links:
        for this, other in ((x.case_a, x.case_b), (x.case_b, x.case_a)):
            if this.pk not in pks:
                continue
            mine, theirs = pledge_of.get(this.pk), pledge_of.get(other.pk)
            out.setdefault(this.pk, []).append(
                {
                    "case_id": other.case_id,
                    "kind": x.get_kind_display(),
                    "together": mine is not None and mine == theirs,
                    "submitted_to": country_of.get(other.pk, ""),
                }
            )
    return out


def case_linked(case) -> list[dict]:
    return linked_cases([case.pk]).get(case.pk, [])


def linked_cases_at_pledges(case_pks) -> dict[int, list[dict]]:
    """For the submission's rule "linked cases go together": each case's live links, with
    the pledges where the linked case is already submitted or decided (a submission
    awaiting a decision, accepted or rejected there; a withdrawn one is not: it was never
    decided). {case pk: [{"pk", "case_id", "kind", "pledges": {pledge pk}}]}; two queries."""
    pks = set(case_pks)
    links = _live_links(pks, "case_a__case_id", "case_b__case_id")
    if not links:
        return {}
    from onward.relocation.models import Submission

    involved = {pk for x in links for pk in (x.case_a_id, x.case_b_id)}
    pledges: dict[int, set[int]] = {}
    for case_pk, pledge_pk in Submission.objects.filter(
        case_id__in=involved, decision__in=("", "accepted", "rejected")
    ).values_list("case_id", "pledge_id"):
        pledges.setdefault(case_pk, set()).add(pledge_pk)
    out: dict[int, list[dict]] = {}
    for x in links:
        for this, other in ((x.case_a, x.case_b), (x.case_b, x.case_a)):
            if this.pk in pks:
                out.setdefault(this.pk, []).append(
                    {
                        "pk": other.pk,
                        "case_id": other.case_id,
                        "kind": x.get_kind_display(),
                        "pledges": pledges.get(other.pk, set()),
                    }
                )
    return out
