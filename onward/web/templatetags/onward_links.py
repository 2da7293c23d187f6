"""`{% record_url 'person_detail' p.person_id %}`: `{% url %}` for the links of a list's
rows, the same address, without reversing the route again for every row.

A list page links each of its 50 rows to a person and a case: Django's reverse, run for
each, was a seventh of those pages' cost. The route's address is reversed once (per
URLconf and script prefix) around a marker, and each row's id is quoted into it as
reverse would. Only for routes of exactly one `<str:…>` part; any other route, and any id
that such a part refuses (empty, or with a "/"), goes through `reverse` itself, which
answers or raises as `{% url %}` does.
"""

import functools
from urllib.parse import quote

from django import template
from django.conf import settings
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.urls.converters import StringConverter
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import get_language

register = template.Library()

_MARK = "OnwardRecordIdMark"
_SAFE = RFC3986_SUBDELIMS + "/~:@"  # what reverse leaves unquoted


@functools.lru_cache(maxsize=64)
def _around(name: str, urlconf, prefix: str, _language: str) -> tuple[str, str] | None:
    """The address of `name` before and after its one str part; None if the route is not
    a single str part (then every row is reversed). Kept per language too, should a route
    ever be translated."""
    possibilities = get_resolver(urlconf).reverse_dict.getlist(name)
    if len(possibilities) != 1:
        return None
    _bits, _pattern, defaults, converters = possibilities[0]
    if defaults or len(converters) != 1:
        return None
    if type(next(iter(converters.values()))) is not StringConverter:
        return None
    address = reverse(name, args=[_MARK], urlconf=urlconf)
    if address.count(_MARK) != 1:
        return None
    head, _, tail = address.partition(_MARK)
    return head, tail


def record_path(name: str, record_id) -> str:
    text = str(record_id)
    around = _around(name, get_urlconf(settings.ROOT_URLCONF), get_script_prefix(), get_language())
    if around is None or not text or "/" in text:
        return reverse(name, args=[record_id])
    return f"{around[0]}{quote(text, safe=_SAFE)}{around[1]}"


@register.simple_tag
def record_url(name: str, record_id) -> str:
    return record_path(name, record_id)
