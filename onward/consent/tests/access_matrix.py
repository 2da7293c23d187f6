"""The consent pages and the dossier in the authorization matrix.

consent.view: staff and the auditor; consent.record: staff; consent.override: admin and
protection officers; consent.agreements: admin and data manager; dossier.view: admin,
resettlement officers and the delegation (its own country's, while open);
dossier.manage: admin and resettlement officers. Out of scope: another country's
dossier, and a document outside the agreement, are 404 with a `denied` entry, web and API.
"""

from django.urls import reverse

from onward.web.tests.matrix import Row, outcome


def world(users) -> dict:
    from onward.accounts import roles
    from onward.consent import services
    from onward.consent.tests.helpers import agreement, attach, submitted
    from onward.relocation.tests.factories import pledge

    alb, deu = pledge(users), pledge(users, country="DEU")
    ours, theirs = submitted(users, alb, size=1), submitted(users, deu, size=1)
    agreement(users, "ALB")
    agreement(users, "DEU")
    rs = users[roles.RESETTLEMENT]
    person = ours.members.get()
    rrf = attach(users, person)
    medical = attach(users, person, code="medical", name="Medical assessment")
    sub = ours.submissions.get()
    services.dossier_document_choose(actor=rs, submission=sub, document=rrf)
    services.dossier_document_choose(actor=rs, submission=sub, document=medical)
    their_sub = theirs.submissions.get()
    their_rrf = attach(users, theirs.members.get())
    services.dossier_document_choose(actor=rs, submission=their_sub, document=their_rrf)
    from onward.consent.models import Consent

    return {
        "person": person.person_id,
        "case": ours.case_id,
        "consent": Consent.objects.filter(person=person).first().pk,
        "sub": sub.pk,
        "their_sub": their_sub.pk,
        "rrf": rrf.pk,
        "medical": medical.pk,
        "their_rrf": their_rrf.pk,
    }


def _u(name, **kw):
    return lambda w: reverse(name, kwargs={k: w[v] for k, v in kw.items()})


VIEWERS = dict(DL=403)  # consent.view: staff and the auditor
RECORDERS = dict(DL=403, AU=403)  # consent.record: staff
OVERRIDERS = dict(DM=403, CL=403, RS=403, DL=403, AU=403)  # consent.override
AGREEMENTS = dict(CL=403, PR=403, RS=403, DL=403, AU=403)  # consent.agreements
DOSSIER = dict(DM=403, CL=403, PR=403, AU=403)  # dossier.view: A, RS, DL
MANAGERS = dict(DM=403, CL=403, PR=403, DL=403, AU=403)  # dossier.manage: A, RS

ROWS = [
    Row("person_consents", _u("person_consents", person_id="person"), outcome(200, **VIEWERS)),
    Row(
        "person_consents",
        _u("person_consents", person_id="person"),
        outcome(400, **RECORDERS),
        method="post",
        body={"recipient": "delegation", "method": "verbal"},
    ),
    Row(
        "consent_withdraw",
        _u("consent_withdraw", consent_id="consent"),
        outcome(302, **RECORDERS),
        method="post",
        body={"reason": "changed their mind"},
    ),
    Row("consents_expiring", _u("consents_expiring"), outcome(200, **VIEWERS)),
    Row("case_consent", _u("case_consent", case_id="case"), outcome(200, **VIEWERS)),
    Row(
        "case_consent",
        _u("case_consent", case_id="case"),
        outcome(400, **OVERRIDERS),
        method="post",
        body={"country": "ALB", "reason": ""},
    ),
    Row("agreement_list", _u("agreement_list"), outcome(200, **AGREEMENTS)),
    Row(
        "agreement_list",
        _u("agreement_list"),
        outcome(400, **AGREEMENTS),
        method="post",
        body={"country": "ALB"},
    ),
    Row("dossier", _u("dossier", submission_id="sub"), outcome(200, **DOSSIER)),
    # Another country's dossier: the delegation gets 404 and a denied entry.
    Row("dossier", _u("dossier", submission_id="their_sub"), outcome(200, **DOSSIER, DL=404)),
    Row(
        "dossier_choose",
        _u("dossier_choose", submission_id="sub"),
        outcome(302, **MANAGERS),
        method="post",
        body={"document": "0"},
    ),
    Row(
        "dossier_download",
        _u("dossier_download", submission_id="sub", file_id="rrf"),
        outcome(200, **DOSSIER),
    ),
    # A document chosen but outside the agreement (medical assessment): 404 for everyone.
    Row(
        "dossier_download",
        _u("dossier_download", submission_id="sub", file_id="medical"),
        outcome(404, **DOSSIER),
    ),
    # Another country's document through our dossier's URL: 404.
    Row(
        "dossier_download",
        _u("dossier_download", submission_id="sub", file_id="their_rrf"),
        outcome(404, **DOSSIER),
    ),
    Row(
        "dossier_download",
        _u("dossier_download", submission_id="their_sub", file_id="their_rrf"),
        outcome(200, **DOSSIER, DL=404),
    ),
    Row("api_dossier", _u("api_dossier", submission_id="sub"), outcome(200, anon=403, **DOSSIER)),
    Row(
        "api_dossier",
        _u("api_dossier", submission_id="their_sub"),
        outcome(200, anon=403, **DOSSIER, DL=404),
    ),
    Row(
        "api_dossier_document",
        _u("api_dossier_document", submission_id="sub", file_id="rrf"),
        outcome(200, anon=403, **DOSSIER),
    ),
    Row(
        "api_dossier_document",
        _u("api_dossier_document", submission_id="sub", file_id="medical"),
        outcome(404, anon=403, **DOSSIER),
    ),
    Row(
        "api_dossier_document",
        _u("api_dossier_document", submission_id="their_sub", file_id="their_rrf"),
        outcome(200, anon=403, **DOSSIER, DL=404),
    ),
]
