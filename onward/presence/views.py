"""Presence pages: the scan page, not seen for N days, a resident's card, roll calls and
their sheets, the blocks an incident hit. Thin: parse the request, call selectors and
services; every person a page names is an audited read."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onward import bounds
from onward.accounts.policy import NotFound, can, deny, get_person_for_user
from onward.audit.models import AuditEntry
from onward.audit.services import audit_read, audit_records
from onward.incidents.selectors import get_incident_for_user, visible_incidents
from onward.presence import qr, selectors, services
from onward.presence.forms import (
    BlocksHitForm,
    ManualForm,
    MarkForm,
    RevokeForm,
    RollCallForm,
    ScanForm,
)
from onward.presence.models import Card, PresenceEvent, RollCall, RollCallLine
from onward.web.access import permission_required, person_or_404, record_or_404

DAYS_DEFAULT = 7


def _day(request) -> dt.date:
    raw = request.GET.get("on", "").strip()
    if not raw:
        return timezone.localdate()
    try:
        return bounds.parse_date(raw)
    except ValueError as exc:
        messages.error(request, str(exc))
        return timezone.localdate()


def _audit_persons(request, persons, detail: str) -> None:
    audit_records(
        actor=request.user,
        entries=[(AuditEntry.Action.VIEW, "person", p.person_id) for p in persons],
        detail=detail,
    )


def _roll_or_404(request, roll_call_id) -> RollCall:
    return record_or_404(request, selectors.get_roll_call_for_user, "roll_call", roll_call_id)


# -- scanning -------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("presence.record")
def scan(request):
    checkpoint = request.session.get("presence_checkpoint", "")
    scan_form = ScanForm(initial={"checkpoint": checkpoint})
    manual_form = ManualForm(initial={"checkpoint": checkpoint})
    if request.method == "POST":
        manual = request.POST.get("form") == "manual"
        form = ManualForm(request.POST) if manual else ScanForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            # Written once a checkpoint changes, not at every scan: a session save is a
            # transaction of its own (docs/presence.md, "Scale").
            if request.session.get("presence_checkpoint") != data["checkpoint"]:
                request.session["presence_checkpoint"] = data["checkpoint"]
            try:
                if manual:
                    person = get_person_for_user(request.user, data["person"].strip())
                    event = services.presence_record(
                        actor=request.user,
                        checkpoint=data["checkpoint"],
                        person=person,
                        method=data["method"],
                    )
                else:
                    event = services.presence_record(
                        actor=request.user, checkpoint=data["checkpoint"], token=data["token"]
                    )
            except NotFound:
                form.add_error("person", _("No such person: nothing recorded."))
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                # The event shown next is in the redirect's address, not the session (no
                # session write at each scan); the page shows it only to who recorded it.
                return redirect(f"{reverse('presence_scan')}?seen={event.pk}")
        if manual:
            manual_form = form
        else:
            scan_form = form
    last = None
    seen = request.GET.get("seen", "")
    if seen.isdigit() and len(seen) < 19 and request.method != "POST":
        last = (
            PresenceEvent.objects.select_related("person")
            .filter(pk=int(seen), recorded_by=request.user)
            .first()
        )
    return render(
        request,
        "presence/scan.html",
        {"scan_form": scan_form, "manual_form": manual_form, "last": last},
    )


@require_safe
@permission_required("presence.view")
def not_seen(request):
    day = _day(request)
    try:
        days = max(1, min(int(request.GET.get("days") or DAYS_DEFAULT), 3650))
    except ValueError:
        messages.error(request, _("Days: a whole number."))
        days = DAYS_DEFAULT
    block = None
    if request.GET.get("block"):
        block = record_or_404(request, selectors.get_block_for_user, "block", request.GET["block"])
    rows = selectors.not_seen_by_block(day=day, days=days)
    listed = []
    if block is not None:
        listed = selectors.not_seen(day=day, days=days, block=block)
        _audit_persons(
            request, [a.person for a in listed], f"not seen {days} days, block {block.code}"
        )
    return render(
        request,
        "presence/not_seen.html",
        {
            "rows": rows,
            "day": day,
            "days": days,
            "chosen": block,
            "listed": listed,
            "total": sum(r["count"] for r in rows),
        },
    )


# -- cards ----------------------------------------------------------------------------------


@require_safe
@permission_required("presence.view")
def card(request, person_id):
    person = person_or_404(request, person_id)
    audit_read(actor=request.user, obj=person)
    live = selectors.live_card(person)
    return render(
        request,
        "presence/card.html",
        {
            "person": person,
            "live": live,
            "qr": qr.svg_data_uri(live.token) if live else "",
            "cards": list(Card.objects.filter(person=person)),
            "last_seen": selectors.last_seen(person),
            "events": list(
                PresenceEvent.objects.filter(person=person).select_related("recorded_by")[:20]
            ),
            "can_issue": can(request.user, "presence.cards"),
            "revoke_form": RevokeForm(),
        },
    )


@require_POST
@permission_required("presence.cards")
def card_issue(request, person_id):
    person = person_or_404(request, person_id)
    try:
        services.card_issue(actor=request.user, person=person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Card issued: print it."))
    return redirect("presence_card", person_id=person.person_id)


@require_POST
@permission_required("presence.cards")
def card_revoke(request, person_id):
    person = person_or_404(request, person_id)
    live = selectors.live_card(person)
    form = RevokeForm(request.POST)
    if live is None:
        messages.error(request, _("No live card to revoke."))
    elif not form.is_valid():
        messages.error(request, _("Give the reason for revoking the card."))
    else:
        try:
            services.card_revoke(actor=request.user, card=live, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Card revoked: it scans in no more."))
    return redirect("presence_card", person_id=person.person_id)


# -- roll calls -----------------------------------------------------------------------------


@require_safe
@permission_required("presence.view")
def rollcall_list(request):
    return render(
        request,
        "presence/rollcall_list.html",
        {
            "rolls": list(
                selectors.visible_roll_calls(request.user)
                .select_related("incident", "opened_by")
                .prefetch_related("blocks")[:100]
            ),
            "can_open": can(request.user, "presence.rollcall"),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("presence.rollcall")
def rollcall_open(request):
    incidents = list(visible_incidents(request.user)[:50])
    initial: dict = {"on": timezone.localdate(), "reason": RollCall.Reason.VERIFICATION}
    raw_incident = request.GET.get("incident", "")
    if raw_incident:
        incident = record_or_404(request, get_incident_for_user, "incident", raw_incident)
        if incident not in incidents:
            incidents.insert(0, incident)
        initial |= {
            "incident": incident.pk,
            "reason": RollCall.Reason.INCIDENT,
            "blocks": [ib.block_id for ib in incident.blocks_hit.all()],
        }
    form = RollCallForm(request.POST or None, initial=initial, incidents=incidents)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        blocks = list(data["blocks"])
        if data["site"] is not None:
            blocks = services.blocks_of_site(data["site"])
        incident = next((i for i in incidents if i.pk == data["incident"]), None)
        try:
            roll = services.rollcall_open(
                actor=request.user,
                blocks=blocks,
                reason=data["reason"],
                on=data["on"],
                incident=incident,
                note=data["note"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("Roll call %(id)s opened: %(n)s residents expected.")
                % {"id": roll.pk, "n": roll.lines.count()},
            )
            return redirect("rollcall_detail", roll_call_id=roll.pk)
    return render(
        request,
        "web/form.html",
        {
            "form": form,
            "title": _("Open a roll call"),
            "intro": _(
                "Every resident allocated in the chosen blocks on the day is expected: one "
                "line each, marked present, absent, injured, killed, missing or unknown."
            ),
        },
    )


@require_safe
@permission_required("presence.view")
def rollcall_detail(request, roll_call_id):
    roll = _roll_or_404(request, roll_call_id)
    audit_read(actor=request.user, obj=roll)
    rows = selectors.progress(roll)
    return render(
        request,
        "presence/rollcall_detail.html",
        {
            "roll": roll,
            "rows": rows,
            "statuses": RollCallLine.Status.choices,
            "totals": {
                "expected": sum(r["expected"] for r in rows),
                "marked": sum(r["marked"] for r in rows),
            },
            "can_run": roll.is_open and can(request.user, "presence.rollcall"),
        },
    )


def _roll_block_or_404(request, roll, block_id):
    block = roll.blocks.filter(pk=block_id).first() if str(block_id).isdigit() else None
    if block is None:
        deny(request.user, "block", block_id, detail=f"not in roll call {roll.pk}")
        raise Http404(f"No block {block_id} in this roll call.")
    return block


@require_safe
@permission_required("presence.view")
def rollcall_sheet(request, roll_call_id, block_id):
    roll = _roll_or_404(request, roll_call_id)
    block = _roll_block_or_404(request, roll, block_id)
    lines = selectors.sheet(roll, block)
    _audit_persons(request, [ln.person for ln in lines], f"roll call {roll.pk} sheet {block.code}")
    return render(
        request,
        "presence/rollcall_sheet.html",
        {
            "roll": roll,
            "sheet_block": block,
            "lines": lines,
            "statuses": RollCallLine.Status.choices,
            "can_run": roll.is_open and can(request.user, "presence.rollcall"),
        },
    )


@require_POST
@permission_required("presence.rollcall")
def rollcall_mark(request, roll_call_id):
    roll = _roll_or_404(request, roll_call_id)
    form = MarkForm(request.POST)
    back = request.POST.get("block", "")
    if not form.is_valid():
        messages.error(request, _("Give a person and a status."))
    else:
        try:
            person = get_person_for_user(request.user, form.cleaned_data["person"].strip())
            services.rollcall_mark(
                actor=request.user,
                roll_call=roll,
                person=person,
                status=form.cleaned_data["status"],
            )
        except NotFound:
            messages.error(request, _("No such person: nothing recorded."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(person)s: %(status)s.")
                % {"person": person.person_id, "status": form.cleaned_data["status"]},
            )
    if back.isdigit() and roll.blocks.filter(pk=back).exists():
        return redirect("rollcall_sheet", roll_call_id=roll.pk, block_id=int(back))
    return redirect("rollcall_detail", roll_call_id=roll.pk)


@require_POST
@permission_required("presence.rollcall")
def rollcall_close(request, roll_call_id):
    roll = _roll_or_404(request, roll_call_id)
    try:
        unknown = services.rollcall_close(actor=request.user, roll_call=roll)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Roll call closed; %(n)s lines not marked are unknown.") % {"n": unknown}
        )
    return redirect("rollcall_detail", roll_call_id=roll.pk)


@require_POST
@permission_required("incidents.record")
def incident_blocks(request, incident_id):
    incident = record_or_404(request, get_incident_for_user, "incident", str(incident_id))
    form = BlocksHitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the blocks the incident hit."))
    else:
        try:
            n = services.incident_blocks_name(
                actor=request.user, incident=incident, blocks=list(form.cleaned_data["blocks"])
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(n)s blocks named as hit.") % {"n": n})
    return redirect("incident_detail", incident_id=incident.pk)


# -- the follow-up list ---------------------------------------------------------------------


def _not_seen_task_subjects() -> list[int]:
    from onward.tasks.models import Task

    return list(
        Task.objects.filter(
            rule="resident not seen", subject_type="person", state=Task.State.OPEN
        ).values_list("subject_id", flat=True)
    )


@require_safe
@permission_required("presence.view")
def follow_up(request):
    """Residents missing after a roll call, and those of open "not seen" tasks, until
    found or recorded as departed; every person listed is an audited view."""
    rows = selectors.follow_up(not_seen_task_subjects=_not_seen_task_subjects())
    _audit_persons(request, [r["person"] for r in rows], "follow-up list")
    return render(
        request,
        "presence/follow_up.html",
        {"rows": rows, "may_record": can(request.user, "movements.record")},
    )


OUTCOMES = {"found", "left_own_accord", "whereabouts_unknown"}


@require_POST
@permission_required("movements.record")
def follow_up_outcome(request, person_id):
    """The outcome of an absence: found (a presence event), or departed (left on own
    accord, whereabouts unknown) dated the day last seen or the date given."""
    person = person_or_404(request, person_id)
    outcome = request.POST.get("outcome", "")
    try:
        if outcome not in OUTCOMES:
            raise ValidationError({"outcome": _("Choose found, left or whereabouts unknown.")})
        if outcome == "found":
            services.absence_found(
                actor=request.user,
                person=person,
                checkpoint=request.POST.get("checkpoint") or services.FOLLOW_UP_CHECKPOINT,
            )
            messages.success(request, _("%(p)s found.") % {"p": person.person_id})
        else:
            on = request.POST.get("on", "").strip() or None
            if on:
                on = bounds.parse_date(on)
            entry = services.absence_depart(actor=request.user, person=person, kind=outcome, on=on)
            messages.success(
                request,
                _("%(p)s recorded as departed on %(d)s.")
                % {"p": person.person_id, "d": entry.date},
            )
    except ValueError as exc:  # bounds.parse_date
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("presence_follow_up")
