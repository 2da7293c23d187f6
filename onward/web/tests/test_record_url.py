"""`{% record_url %}` gives exactly the address `{% url %}` gives, for every id a str part
takes, and fails as reverse does for those it refuses."""

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix

from onward.web.templatetags.onward_links import record_path

IDS = ["LIB-0001", "a b", "ü é", "%41", "?x#y", "..", ".", "a:b@c", "&;=+$,!*'()", "<i>", 12]
ROUTES = ["person_detail", "case_detail", "relocation_case", "departure_correct"]


@pytest.mark.parametrize("name", ROUTES)
@pytest.mark.parametrize("record_id", IDS)
def test_same_address_as_reverse(name, record_id):
    assert record_path(name, record_id) == reverse(name, args=[record_id])


def test_same_address_under_a_script_prefix():
    set_script_prefix("/onward/")
    try:
        assert record_path("person_detail", "LIB 1") == reverse("person_detail", args=["LIB 1"])
        assert record_path("person_detail", "LIB 1").startswith("/onward/persons/")
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize("record_id", ["", "a/b"])
def test_ids_a_str_part_refuses_fail_as_reverse_does(record_id):
    with pytest.raises(NoReverseMatch):
        record_path("person_detail", record_id)


def test_other_routes_go_through_reverse():
    with pytest.raises(NoReverseMatch):
        record_path("home", "x")  # reverse refuses an argument home does not take


def test_the_tag_escapes_as_url_does():
    context = Context({"pid": "<i>&"})
    ours = Template("{% load onward_links %}{% record_url 'person_detail' pid %}").render(context)
    django = Template("{% url 'person_detail' pid %}").render(context)
    assert ours == django
