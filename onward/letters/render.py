"""The letters to residents as PDF, in the household's letter language (issue 22).

Each letter is laid out under `translation.override(language)`, so its every phrase comes
from the catalogs; dates are written by `language.letter_date` (Solar Hijri for Persian,
with the ISO date beside), figures in the language's digits; a right-to-left language
sets its lines from the right. Shaping and the bidirectional order are onward.pdf's.

What a letter leaves out, on purpose (docs/pdf.md, "Letters"): the decision letter
names the country only when it accepted the household (the resident is then told where
they will go), and never the reason, the pledge, the category or the priority, nor the
wording of a country's question; no letter holds a phone, a document number or a note.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from onward.letters import selectors
from onward.letters.language import (
    RTL,
    RTL_MARK,
    figures,
    language_name,
    letter_date,
    letter_time,
    ltr,
)
from onward.pdf import FAMILY, GREY_TEXT, RULE, Document

KINDS = ("summary", "appointment", "decision", "departure")


class Letter:
    """One letter's page: a heading, lines set from the reading side, and a foot that
    names the case and the day it was printed."""

    def __init__(self, *, title: str, case, language: str, today: dt.date) -> None:
        self.language = language
        self.align = "R" if language in RTL else "L"
        foot = _("Onward · case %(case)s · printed %(date)s") % {
            "case": case.case_id,
            "date": letter_date(today, language),
        }
        if language in RTL:
            foot = RTL_MARK + foot
        self.doc = Document(title=title, footer=foot, margin=54)
        self.doc.add_page()
        self.text(title, size=16, bold=True, after=4)
        self.text(letter_date(today, language), size=9, grey=True, after=10)
        principal = case.principal
        if principal is not None:
            self.text(_("To: %(name)s") % {"name": principal.full_name}, after=2)
        self.text(_("Case number: %(case)s") % {"case": case.case_id}, after=10)

    def text(self, text: str, *, size: float = 11, bold=False, grey=False, after=4.0):
        doc = self.doc
        if self.align == "R":
            text = RTL_MARK + text
        with doc.local_context():
            doc.set_font(FAMILY, "B" if bold else "", size)
            if grey:
                doc.set_text_color(*GREY_TEXT)
            doc.multi_cell(
                w=doc.epw, h=size * 1.5, text=text, align=self.align, new_x="LMARGIN", new_y="NEXT"
            )
        doc.ln(after)

    def heading(self, text: str) -> None:
        self.doc.ln(6)
        self.text(text, size=12, bold=True, after=2)

    def field(self, label: str, value: str) -> None:
        # One phrase per field, so that a translator orders label and value.
        self.text(
            pgettext("letter field", "%(label)s: %(value)s") % {"label": label, "value": value},
            after=2,
        )

    def item(self, text: str) -> None:
        self.text("• " + text, after=1)

    def rule(self) -> None:
        doc = self.doc
        doc.ln(4)
        doc.set_draw_color(*RULE)
        doc.line(doc.l_margin, doc.y, doc.l_margin + doc.epw, doc.y)
        doc.ln(8)

    def bytes(self) -> bytes:
        return self.doc.output()


def _member_line(person, language: str) -> str:
    return _("%(name)s, registration number %(id)s") % {
        "name": person.full_name,
        "id": person.person_id,
    }


def _born(person, language: str) -> str:
    """A full birth date as the reader writes dates; a year or a month as it is."""
    if not person.birth_date:
        return ""
    if person.birth_precision in ("", "D"):
        return letter_date(person.birth_date, language)
    return ltr(figures(person.birth_date_display, language), language)


def _today() -> dt.date:
    return timezone.localdate()


def summary(case, language: str, today: dt.date | None = None) -> bytes:
    """The resident's own summary: the household's members, their registration numbers
    and the case's status."""
    from onward.registry import codes

    with translation.override(language):
        letter = Letter(
            title=_("Your household summary"), case=case, language=language, today=today or _today()
        )
        status = (
            pgettext("case status", "open")
            if case.status == "open"
            else pgettext("case status", "closed")
        )
        letter.field(pgettext("letter", "Status of your case"), status)
        if case.arrival_date:
            letter.field(
                pgettext("letter", "Registered on"), letter_date(case.arrival_date, language)
            )
        stage = getattr(case, "relocation", None)
        if stage is not None:
            letter.field(pgettext("letter", "Resettlement"), _(stage.get_state_display()))
        people = selectors.members(case)
        letter.heading(
            _("Members of your household (%(count)s)") % {"count": figures(len(people), language)}
        )
        for person in people:
            relationship = _(codes.RELATIONSHIPS.get(person.relationship, person.relationship))
            born = _born(person, language)
            line = _member_line(person, language) + " · " + relationship
            if born:
                line += " · " + _("born %(date)s") % {"date": born}
            letter.item(line)
        letter.rule()
        letter.text(
            _("If anything on this page is wrong, tell the registration desk."), size=10, grey=True
        )
        return letter.bytes()


def appointment(case, appointment, language: str, today: dt.date | None = None) -> bytes:
    """The appointment slip: when, where, whom to bring, and the interpreter."""
    start = timezone.localtime(appointment.start)
    with translation.override(language):
        letter = Letter(
            title=_("Appointment slip"), case=case, language=language, today=today or _today()
        )
        letter.text(_("You have an appointment at the camp office."), after=6)
        letter.field(pgettext("letter", "Appointment"), appointment.type.shown_label)
        letter.field(pgettext("letter", "Date"), letter_date(start.date(), language))
        letter.field(pgettext("letter", "Time"), letter_time(start.time(), language))
        if appointment.room:
            letter.field(pgettext("letter", "Room"), appointment.room.name)
        bring = [appointment.person] if appointment.person else selectors.members(case)
        letter.heading(_("Please come with"))
        for person in bring:
            letter.item(_member_line(person, language))
        letter.item(_("Everyone's identity documents"))
        need = _interpreter_language(bring)
        if need:
            letter.field(pgettext("letter", "Interpreter"), language_name(need))
        elif appointment.interpreter_id:
            letter.text(_("An interpreter will be present."))
        letter.rule()
        letter.text(
            _("Please come ten minutes early. If you cannot come, tell the office before the day."),
            size=10,
            grey=True,
        )
        return letter.bytes()


def _interpreter_language(persons) -> str:
    for person in persons:
        need = getattr(person, "interpreter_need", None)
        if need is not None:
            return need.language
    return ""


def decision(case, told: selectors.Decision, language: str, today: dt.date | None = None) -> bytes:
    """The decision letter: what the country decided, as the resident may know it."""
    from onward.registry.validation import country_name

    with translation.override(language):
        letter = Letter(
            title=_("Decision on your resettlement case"),
            case=case,
            language=language,
            today=today or _today(),
        )
        if told.outcome == "accepted":
            letter.text(
                _("Your case has been accepted for resettlement to %(country)s.")
                % {"country": country_name(told.country)}
            )
            if told.accepted:
                letter.heading(_("The members accepted are"))
                for person in told.accepted:
                    letter.item(_member_line(person, language))
            letter.text(_("The office will tell you the date of your departure."))
        elif told.outcome == "rejected":
            letter.text(_("Your case has not been accepted for resettlement."))
            letter.text(_("Staff will explain what this means for you and what you can do."))
        elif told.outcome == "deferred":
            letter.text(_("The decision on your case has been postponed."))
            if told.until:
                letter.field(_("A decision is expected by"), letter_date(told.until, language))
        else:
            letter.text(_("More information is needed before a decision on your case."))
            letter.field(_("Please come to the office before"), letter_date(told.until, language))
        letter.rule()
        letter.text(_("Bring this letter when you come to the office."), size=10, grey=True)
        return letter.bytes()


def departure(
    case,
    line,
    language: str,
    *,
    assembly_point: str,
    assembly_time: dt.time,
    luggage_kg: int,
    today: dt.date | None = None,
) -> bytes:
    """The departure notice: the day, where and when to gather, luggage, what to bring."""
    from onward.registry.validation import country_name

    transfer = line.transfer
    with translation.override(language):
        letter = Letter(
            title=_("Departure notice"), case=case, language=language, today=today or _today()
        )
        letter.text(
            _("You will travel to %(country)s.") % {"country": country_name(transfer.country)},
            after=6,
        )
        letter.field(pgettext("letter", "Day of departure"), letter_date(transfer.date, language))
        letter.field(pgettext("letter", "Assembly point"), assembly_point)
        letter.field(pgettext("letter", "Be there at"), letter_time(assembly_time, language))
        letter.field(
            pgettext("letter", "Luggage"),
            _("up to %(kg)s kg for each traveller") % {"kg": figures(luggage_kg, language)},
        )
        letter.heading(pgettext("letter", "Travellers"))
        for person in line.persons.order_by("person_id"):
            letter.item(_member_line(person, language))
        letter.heading(_("Bring with you"))
        for thing in (
            _("Your travel documents and this notice"),
            _("The medicines you need, with their prescriptions"),
            _("Food and water for the journey for small children"),
        ):
            letter.item(thing)
        letter.rule()
        letter.text(
            _("Anyone who is not at the assembly point on time may lose their seat."),
            size=10,
            grey=True,
        )
        return letter.bytes()
