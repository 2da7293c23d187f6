"""Response headers that keep personal data out of caches."""

from django.utils.cache import add_never_cache_headers


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
