"""Response headers that keep personal data out of caches; requests no field can hold."""

import re

from django.core.exceptions import BadRequest
from django.utils.cache import add_never_cache_headers

from onward import numerals

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class NoStoreMiddleware:
    """Every page and API response may hold personal data: no browser, proxy or shared
    computer keeps a copy (`Cache-Control: no-store`, and `Pragma: no-cache` for old
    proxies). Static files never reach this middleware: WhiteNoise serves them earlier in
    the chain, with their own long-lived caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Django's helper sets no-cache, no-store, must-revalidate, private and max-age=0,
        # merged with whatever a view already set.
        add_never_cache_headers(response)
        response.headers.setdefault("Pragma", "no-cache")
        return response


class NulInRequest(BadRequest):
    public_reason = (
        "The request holds a NUL character (\\u0000), which no field "
        "accepts: remove it and try again."
    )


class RefuseNulMiddleware:
    """A NUL character in a query or form value reaches PostgreSQL as a 500 ("text fields
    cannot contain NUL"), from any filter or form that passes it on: refused once, here,
    with 400 and the reason (docs/security.md, "Bad input"). JSON bodies are the API
    serializers' (DRF's text fields refuse NUL themselves)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET) or (
            request.method == "POST"
            and request.content_type in FORM_TYPES
            and _has_nul(request.POST)
        ):
            raise NulInRequest("NUL character in the request")
        return self.get_response(request)


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in v for v in data.getlist(key)) for key in data)


# A value that is a whole date (or a year, or a year and month) in any digits.
_DATE_LIKE = re.compile(r"[0-9]{4}(?:-[0-9]{1,2}){0,2}")


class WesternDigitsMiddleware:
    """Date inputs accept the digits the reader writes (issue 22): a query or form value
    that is a whole date, year-month or year typed in Eastern Arabic or Persian digits
    (١٤٠٢-٠٥-١٢, ۲۰۲۶-۱۲-۰۲) reaches the views and forms in Western digits, as every parser
    and record expects. Nothing else is touched: a name, a note or a phone number keeps
    the digits it was typed with."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = _western_dates(request.GET)
        if request.method == "POST" and request.content_type in FORM_TYPES:
            request.POST = _western_dates(request.POST)
        return self.get_response(request)


def _western_dates(data):
    changed = {}
    for key in data:
        values = data.getlist(key)
        if any(not v.isascii() for v in values):
            western = [_western_date(v) for v in values]
            if western != values:
                changed[key] = western
    if not changed:
        return data
    data = data.copy()
    for key, values in changed.items():
        data.setlist(key, values)
    data._mutable = False
    return data


def _western_date(value: str) -> str:
    if value.isascii():
        return value
    western = numerals.to_western(value.strip())
    return western if _DATE_LIKE.fullmatch(western) else value
