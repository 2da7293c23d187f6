"""Registry pages. Thin: parse the request, call selectors and services, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onward.accounts.policy import can
from onward.registry import codes, selectors, services
from onward.registry.forms import (
    CaseEditForm,
    CaseForm,
    IdentifierLookupForm,
    NoteForm,
    PersonEditForm,
    PersonForm,
)
from onward.registry.models import Case, SpecificNeed
from onward.registry.validation import country_name
from onward.vault.fields import blind_indexes
from onward.vault.normalise import phone as phone_digits
from onward.web.access import case_or_404, permission_required, person_or_404
from onward.web.pagination import CappedPaginator

PAGE_SIZE = 50


def _page(request, queryset):
    # Counted up to 10,000 (web.pagination.CappedPaginator): a count of a whole registry is slow.
    return CappedPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_safe
@permission_required("registry.view")
def person_list(request):
    filters = {
        k: request.GET.get(k, "").strip()
        for k in ("q", "sex", "nationality", "need", "age_band", "case_status")
    }
    page = _page(
        request,
        selectors.person_list(user=request.user, **filters).prefetch_related("specific_needs"),
    )
    return render(
        request,
        "registry/person_list.html",
        {
            "page": page,
            "filters": filters,
            "query": _query_without_page(request),
            "sexes": codes.SEX,
            "needs": SpecificNeed.objects.all(),
            "age_bands": selectors.age_band_choices(),
            "statuses": Case.Status.choices,
        },
    )


# A value with fewer digits is not looked up as a phone (a document number typed in the
# same box would otherwise match a short phone by its digits).
MIN_PHONE_DIGITS = 5
LOOKUP_LIMIT = 100


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("registry.view")
def person_lookup(request):
    """Exact document number or phone. The results are rendered from the POST itself,
    never from a redirect: the identifier stays out of URLs, history and access logs."""
    form = IdentifierLookupForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        value = form.cleaned_data["identifier"]
        phone = value if len(phone_digits(value)) >= MIN_PHONE_DIGITS else ""
        persons = list(
            selectors.person_lookup(
                user=request.user, document_number=value, phone=phone
            ).prefetch_related("specific_needs")[:LOOKUP_LIMIT]
        )
        doc_hashes, phone_hashes = (
            set(blind_indexes(value, "document")),
            set(blind_indexes(phone, "phone")),
        )
        results = [
            (
                p,
                [
                    label
                    for label, hit in (
                        ("document", p.document_number_bidx in doc_hashes),
                        ("phone", p.phone_bidx in phone_hashes),
                    )
                    if hit
                ],
            )
            for p in persons
        ]
    return render(
        request,
        "registry/person_lookup.html",
        {"form": form, "results": results, "limit": LOOKUP_LIMIT},
    )


@require_safe
@permission_required("registry.view")
def case_list(request):
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "status", "need", "nationality")}
    page = _page(
        request, selectors.case_list(user=request.user, **filters).prefetch_related("members")
    )
    return render(
        request,
        "registry/case_list.html",
        {
            "page": page,
            "filters": filters,
            "query": _query_without_page(request),
            "needs": SpecificNeed.objects.all(),
            "statuses": Case.Status.choices,
            "can_create": can(request.user, "registry.create"),
        },
    )


@require_safe
@permission_required("registry.view")
def person_detail(request, person_id):
    from onward.dedup.selectors import merge_history, merged_away

    # A merged-away id leads to its survivor, if the user may see it; anything else is
    # the door's 404, with its `denied` audit entry.
    moved = merged_away(user=request.user, person_id=person_id)
    if moved is not None:
        messages.info(request, moved["notice"])
        return redirect("person_detail", person_id=moved["survivor"].person_id)
    person = person_or_404(request, person_id)
    person = selectors.person_detail(user=request.user, person=person)
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "nationality": country_name(person.nationality),
            "can_edit": can(request.user, "registry.edit") and not person.removed_at,
            "can_remove": can(request.user, "registry.remove"),
            "can_documents": can(request.user, "documents.view"),
            "merge_history": merge_history(user=request.user, person=person),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("registry.edit")
def person_edit(request, person_id):
    person = person_or_404(request, person_id)
    if request.method == "POST":
        form = PersonEditForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.person_update(
                    actor=request.user, person=person, expected_version=version, changes=data
                )
            except services.StaleEdit as exc:
                messages.error(request, str(exc))
                return redirect("person_edit", person_id=person_id)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request, _("Saved %(person_id)s.") % {"person_id": person.person_id}
                )
                return redirect("person_detail", person_id=person_id)
    else:
        form = PersonEditForm(
            initial={
                "relationship": person.relationship,
                "given_name": person.given_name,
                "family_name": person.family_name,
                "father_name": person.father_name,
                "given_name_arabic": person.given_name_arabic,
                "family_name_arabic": person.family_name_arabic,
                "sex": person.sex,
                "birth_date": person.birth_date_display,
                "nationality": person.nationality,
                "document_number": person.document_number,
                "phone": person.phone,
                "needs_detail": person.needs_detail,
                "version": person.version,
                "specific_needs": list(person.specific_needs.values_list("code", flat=True)),
            }
        )
    return render(
        request,
        "registry/person_form.html",
        {
            "form": form,
            "person": person,
            "title": _("Edit %(person)s") % {"person": person.person_id},
        },
    )


@require_safe
@permission_required("registry.view")
def case_detail(request, case_id):
    detail = selectors.case_detail(user=request.user, case=case_or_404(request, case_id))
    return render(
        request,
        "registry/case_detail.html",
        {
            **detail,
            "note_form": NoteForm(),
            "can_edit": can(request.user, "registry.edit") and not detail["case"].removed_at,
            "can_add": can(request.user, "registry.create") and not detail["case"].removed_at,
            "can_remove": can(request.user, "registry.remove"),
            "can_compose": can(request.user, "registry.compose") and not detail["case"].removed_at,
            "can_note": can(request.user, "notes.add"),
            "can_protection_note": can(request.user, "protection_notes.add"),
            "can_letters": can(request.user, "letters.generate"),
        },
    )


def _duplicate_check(request, person: dict) -> tuple[list, bool]:
    """Likely existing matches of a new registration, and whether to stop and show them.

    The clerk sees them before anything is saved; saving anyway files the pairs for review.
    """
    from onward.dedup.selectors import likely_matches

    matches = likely_matches(user=request.user, person=person)
    return matches, bool(matches) and not request.POST.get("confirm_new")


def _file_matches(request, person, matches) -> None:
    from onward.dedup.services import pairs_file_from_registration

    if matches and pairs_file_from_registration(actor=request.user, person=person, matches=matches):
        messages.warning(
            request, _("Saved; the possible duplicates were sent to the review queue.")
        )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("registry.create")
def case_create(request):
    case_form = CaseForm(request.POST or None)
    form = PersonForm(request.POST or None, with_relationship=False)
    matches = []
    if request.method == "POST" and case_form.is_valid() and form.is_valid():
        matches, stop = _duplicate_check(request, form.cleaned_data)
        if not stop:
            try:
                case = services.case_create(
                    actor=request.user,
                    principal=form.cleaned_data,
                    arrival_date=case_form.cleaned_data["arrival_date"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                _file_matches(request, case.members.get(), matches)
                messages.success(
                    request, _("Registered case %(case_id)s.") % {"case_id": case.case_id}
                )
                return redirect("case_detail", case_id=case.case_id)
    return render(
        request,
        "registry/person_form.html",
        {
            "form": form,
            "case_form": case_form,
            "title": _("Register a new case"),
            "matches": matches,
            "intro": _("The person registered here becomes the case's principal applicant."),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("registry.create")
def member_add(request, case_id):
    case = case_or_404(request, case_id)
    form = PersonForm(request.POST or None)
    matches = []
    if request.method == "POST" and form.is_valid():
        matches, stop = _duplicate_check(request, form.cleaned_data)
        if not stop:
            try:
                person = services.person_add(
                    actor=request.user, case=case, person=form.cleaned_data
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                _file_matches(request, person, matches)
                messages.success(
                    request,
                    _("Added %(person_id)s to %(case_id)s.")
                    % {"person_id": person.person_id, "case_id": case.case_id},
                )
                return redirect("case_detail", case_id=case.case_id)
    return render(
        request,
        "registry/person_form.html",
        {
            "form": form,
            "case": case,
            "title": _("Add a member to %(case)s") % {"case": case.case_id},
            "matches": matches,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("registry.edit")
def case_edit(request, case_id):
    case = case_or_404(request, case_id)
    form = CaseEditForm(
        request.POST or None,
        initial={"arrival_date": case.arrival_date, "status": case.status, "version": case.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(
                actor=request.user,
                case=case,
                expected_version=form.cleaned_data["version"],
                arrival_date=form.cleaned_data["arrival_date"],
                status=form.cleaned_data["status"],
            )
        except services.StaleEdit as exc:
            messages.error(request, str(exc))
            return redirect("case_edit", case_id=case_id)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Saved %(case_id)s.") % {"case_id": case.case_id})
            return redirect("case_detail", case_id=case_id)
    return render(request, "registry/case_form.html", {"form": form, "case": case})


@require_POST
@permission_required("notes.add")
def note_add(request, case_id):
    case = case_or_404(request, case_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_add(
                actor=request.user,
                case=case,
                text=form.cleaned_data["text"],
                kind=form.cleaned_data["kind"],
            )
            messages.success(request, _("Note added."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("A note needs some text."))
    return redirect("case_detail", case_id=case_id)


# --- Removal: a recorded, reversible status (services.person_remove and friends) -----------

_REMOVAL_ACTIONS = {
    "person_remove": (services.person_remove, "Removed {id} from the registry."),
    "person_restore": (services.person_restore, "Restored {id}."),
    "case_remove": (services.case_remove, "Removed case {id} and its members from the registry."),
    "case_restore": (services.case_restore, "Restored case {id} and its members."),
}


def _removal(request, action: str, record, **target):
    """Runs a removal service from the detail page's form, then goes back to the page."""
    service, done = _REMOVAL_ACTIONS[action]
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        messages.error(request, _("The form is out of date: reload the page and try again."))
    else:
        try:
            service(
                actor=request.user,
                expected_version=version,
                reason=request.POST.get("reason", ""),
                **target,
            )
        except services.StaleEdit as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, done.format(id=record.public_id))
    name = "person_detail" if "person" in target else "case_detail"
    return redirect(name, record.public_id)


@require_POST
@permission_required("registry.remove")
def person_remove(request, person_id):
    person = person_or_404(request, person_id)
    return _removal(request, "person_remove", person, person=person)


@require_POST
@permission_required("registry.remove")
def person_restore(request, person_id):
    person = person_or_404(request, person_id)
    return _removal(request, "person_restore", person, person=person)


@require_POST
@permission_required("registry.remove")
def case_remove(request, case_id):
    case = case_or_404(request, case_id)
    return _removal(request, "case_remove", case, case=case)


@require_POST
@permission_required("registry.remove")
def case_restore(request, case_id):
    case = case_or_404(request, case_id)
    return _removal(request, "case_restore", case, case=case)
