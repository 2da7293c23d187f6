"""`{% code_legend "needs" "categories" "marks" %}`: what the codes on a page mean, from
the code tables themselves (the registry's specific needs, the relocation categories), in
one include (web/_legend.html), so that a page showing DS or LPN never leaves a reader
guessing. In the relocation app because it is the lowest layer that knows both tables."""

from django import template
from django.utils.translation import gettext_lazy as _

from onward.registry.models import SpecificNeed
from onward.relocation.models import Category

register = template.Library()

TITLES = {
    "needs": _("Specific needs"),
    "categories": _("Submission categories"),
    "marks": _("Marks"),
}
MARKS = [("PA", _("Principal applicant of the case"))]


def _codes(kind: str) -> list[tuple[str, str]]:
    if kind == "needs":
        return sorted(SpecificNeed.shown_labels(SpecificNeed.objects.filter(active=True)).items())
    if kind == "categories":
        return list(Category.choices)
    if kind == "marks":
        return MARKS
    raise template.TemplateSyntaxError(f"code_legend: no code list {kind!r}")


@register.inclusion_tag("web/_legend.html")
def code_legend(*kinds):
    return {"lists": [(kind, TITLES[kind], _codes(kind)) for kind in kinds]}
