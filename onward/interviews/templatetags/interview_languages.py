"""`{% person_languages person can_edit %}`: the person page's card of languages spoken
(with level) and the interpreter needed, with the forms to record them for those who may
edit persons. The interviews app renders its own part of the registry's page, so the
registry (a lower layer) never imports it."""

from django import template

from onward.interviews.models import InterpreterNeed, Level

register = template.Library()


@register.inclusion_tag("interviews/_person_languages.html")
def person_languages(person, can_edit: bool):
    return {
        "person": person,
        "can_edit": can_edit,
        "spoken": list(person.languages.all()),
        "need": InterpreterNeed.objects.filter(person=person).first(),
        "levels": Level.choices,
    }
