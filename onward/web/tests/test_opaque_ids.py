"""Records are addressed by the ids the system gives them, never by what identifies a person
(a name, a document number, a phone): a URL lands in browser history, proxy and server
logs and Referer headers, where a name or a passport number must never be.

Every URL pattern is checked: its parameters are integer keys, job UUIDs, or the person
and case ids the registry assigns (P000123, C00042); templates never build a link from a
name, document or phone.
"""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, SlugConverter, StringConverter, UUIDConverter

# Parameters that are text: the registry's own ids only.
REGISTRY_IDS = {"person_id", "case_id"}
# Parameters that name no record at all (a report table's key, a blank import template).
NOT_RECORDS = {("report_csv", "key"), ("import_template_file", "template")}
PERSONAL = re.compile(r"name|document|passport|phone|birth|email|address", re.I)


def _patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern) == "admin/":
                continue  # Django's admin, for administrators, addresses rows by primary key
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


PATTERNS = list(_patterns())


def _parameter_problem(name: str, parameter: str, converter) -> str | None:
    if PERSONAL.search(parameter):
        return "a personal attribute"
    if isinstance(converter, IntConverter | UUIDConverter) and parameter.endswith("_id"):
        return None
    if type(converter) is StringConverter and parameter in REGISTRY_IDS:
        return None
    if isinstance(converter, SlugConverter | StringConverter) and (name, parameter) in NOT_RECORDS:
        return None
    return f"not a system id ({type(converter).__name__})"


def test_there_are_record_urls_to_check():
    assert sum(bool(p.pattern.converters) for _, p in PATTERNS) > 40


@pytest.mark.parametrize(
    "route, pattern",
    [(r, p) for r, p in PATTERNS if p.pattern.converters],
    ids=[r for r, p in PATTERNS if p.pattern.converters],
)
def test_record_urls_take_only_system_ids(route, pattern):
    problems = {
        parameter: _parameter_problem(pattern.name, parameter, converter)
        for parameter, converter in pattern.pattern.converters.items()
    }
    assert not {k: v for k, v in problems.items() if v}, route


def test_the_rule_itself_refuses_a_name_or_a_document():
    assert _parameter_problem("x", "family_name", StringConverter())
    assert _parameter_problem("x", "document_number", StringConverter())
    assert _parameter_problem("x", "phone", IntConverter())
    assert _parameter_problem("x", "q", StringConverter())


@pytest.mark.django_db
def test_the_registry_assigns_opaque_ids(case):
    assert re.fullmatch(r"C\d{5,}", case.case_id)
    assert all(re.fullmatch(r"P\d{6,}", p.person_id) for p in case.members.all())


@pytest.mark.django_db
def test_no_api_operation_takes_a_document_or_phone_in_its_url(client_for):
    from onward.accounts import roles

    schema = client_for(roles.ADMIN).get("/api/schema/", {"format": "json"}).json()
    in_url = [
        (path, p["name"])
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        if isinstance(operation, dict)
        for p in operation.get("parameters", [])
        if p["in"] in ("path", "query")
    ]
    assert in_url
    assert not [
        (path, name) for path, name in in_url if re.search(r"document|passport|phone", name, re.I)
    ]


# A link in a template: the arguments of {% url %}, and any {{ value }} inside an href.
URL_TAG = re.compile(r"\{%\s*url\s+\S+(?P<args>[^%]*)%\}")
HREF = re.compile(r"href=\"(?P<href>[^\"]*)\"")
VALUE = re.compile(r"\{\{(?P<value>[^}]*)\}\}")


def _templates():
    for config in apps.get_app_configs():
        if config.name.startswith("onward."):
            yield from Path(config.path, "templates").rglob("*.html")


def test_no_template_builds_a_link_from_a_name_document_or_phone():
    links = []
    for template in _templates():
        text = template.read_text()
        links += [(template.name, m["args"]) for m in URL_TAG.finditer(text)]
        links += [
            (template.name, v["value"])
            for h in HREF.finditer(text)
            for v in VALUE.finditer(h["href"])
        ]
    assert len(links) > 100
    assert not [(name, link) for name, link in links if PERSONAL.search(link)]
