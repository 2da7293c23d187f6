"""Issue 16: a page that only reads answers 405 to POST, PUT and DELETE (it answered 200,
showing the page as if the change had been taken); a page with a form takes GET and POST
only. The test walks every page of the URL list, so a new page must say its methods."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from onward.accounts import roles

pytestmark = pytest.mark.django_db

# Pages that take a POST: a form, or an action (require_POST). Every other page reads.
POSTED = {
    "composition_move",
    "composition_split",
    "composition_link",
    "composition_undo",
    "composition_link_end",
    "letter_language_set",
    "login",
    "logout",
    "otp_verify",
    "otp_enrol",
    "set_language",
    "account_preferences",
    "person_lookup",
    "import_list",
    "person_edit",
    "person_remove",
    "person_restore",
    "case_create",
    "case_edit",
    "case_remove",
    "case_restore",
    "member_add",
    "note_add",
    "dedup_run",
    "dedup_decide",
    "dedup_approve",
    "dedup_unmerge",
    "pledge_create",
    "pledge_edit",
    "relocation_case_action",
    "relocation_bulk_submit",
    "submission_decide",
    "match_start",
    "match_pin",
    "match_resolve",
    "match_accept",
    "match_reproduce",
    "policy_create",
    "policy_edit",
    "country_link_list",
    "country_link_end",
    "departure_create",
    "birth_create",
    "reported_departure_create",
    "departure_correct",
    "transfer_create",
    "transfer_case_add",
    "transfer_case_remove",
    "transfer_line_correct",
    "transfer_person_hold",
    "transfer_confirm",
    "transfer_cancel",
    "transfer_reschedule",
    "incident_create",
    "claim_add",
    "victim_link",
    "protection_request_create",
    "protection_request_update",
    "recommendation_record",
    "recommendation_approve",
    "no_show_dismiss",
    "task_action",
    "task_inbox_read",
    "interview_book",
    "interview_check_in",
    "interview_change",
    "interview_cancel",
    "interview_bulk",
    "person_language",
    "person_interpreter",
    "mission_plan",
    "mission_confirm",
    "mission_new",
    "person_documents",
    "camp_allocate",
    "readiness_record_fact",
    "readiness_confirm",
    "readiness_travel_needs",
    # Housing forms (GET shows the form, POST saves it).
    "camp_site_new",
    "camp_site_edit",
    "camp_block_new",
    "camp_block_edit",
    "camp_unit_new",
    "camp_unit_edit",
    "presence_scan",
    "rollcall_open",
    "presence_card_issue",
    "presence_card_revoke",
    "rollcall_mark",
    "rollcall_close",
    "presence_follow_up_outcome",
    "incident_blocks",
    "person_consents",
    "consent_withdraw",
    "case_consent",
    "agreement_list",
    "dossier_choose",
}
SAMPLE = {
    "int": "999999",
    "str": "X999999",
    "slug": "population_by_sex",
    "uuid": str(uuid.uuid4()),
    "path": "x",
}


def _pages(patterns=None, prefix=""):
    """(name, url) of every page: not the API (DRF answers 405 itself), not the admin."""
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            if "admin" not in str(p.pattern):
                yield from _pages(p.url_patterns, prefix + str(p.pattern))
            continue
        route = prefix + str(p.pattern)
        if route.startswith(("api/", "static/")) or not isinstance(p, URLPattern):
            continue
        for converter, sample in SAMPLE.items():
            while f"<{converter}:" in route:
                start = route.index(f"<{converter}:")
                route = route[:start] + sample + route[route.index(">", start) + 1 :]
        yield p.name, "/" + route


def test_every_page_says_which_methods_it_takes(client, users):
    client.force_login(users[roles.ADMIN])
    wrong = []
    for name, url in _pages():
        for method in ("post", "put", "delete", "patch"):
            if method == "post" and name in POSTED:
                continue
            status = getattr(client, method)(url).status_code
            if status != 405:
                wrong.append(f"{method.upper()} {url} ({name}): {status}")
    assert not wrong, "\n".join(wrong)


def test_the_page_list_is_walked():
    names = {name for name, _url in _pages()}
    assert {"case_list", "dashboard", "audit_list", "case_create"} <= names
    assert POSTED <= names | {"logout"}
