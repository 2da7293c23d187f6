"""Response headers that keep personal data out of caches; requests no field can hold."""

from django.core.exceptions import BadRequest
from django.utils.cache import add_never_cache_headers

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
