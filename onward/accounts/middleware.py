"""Sign-in rules that hold on every request: the absolute session limit, and the second
factor before anything else.

The idle limit: a session expires SESSION_COOKIE_AGE after it was last saved, and
`SessionRenewMiddleware` saves a signed-in session again when a request comes more than
SESSION_RENEW_SECONDS after the last save (not on every request: that was a write and a
commit on every page, a tenth of a request's cost, for the same limit within a minute).
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onward import numerals
from onward.accounts import twofactor
from onward.accounts.sessions import SIGNED_IN_AT

# Pages an unverified session may open: signing in and out, and the second factor itself.
OPEN_BEFORE_SECOND_FACTOR = ("login", "logout", "otp_verify", "otp_enrol", "set_language")


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


RENEWED_AT = "_onward_renewed_at"


class SessionRenewMiddleware:
    """Keeps an active session alive: renews its expiry (SESSION_COOKIE_AGE from now) when
    the last renewal is older than SESSION_RENEW_SECONDS, so the idle limit holds to within
    that many seconds."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            if now - session.get(RENEWED_AT, 0) >= settings.SESSION_RENEW_SECONDS:
                session[RENEWED_AT] = now  # modified: SessionMiddleware saves it
        return response


class SessionLimitMiddleware:
    """Signs out a session ONWARD_SESSION_ABSOLUTE_AGE seconds after its sign-in, however
    active it was: a session left open on a shared computer does not live for ever."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and self._expired(request):
            request.onward_logout_reason = "session reached its time limit"
            logout(request)
            if _is_api(request):
                return JsonResponse(
                    {"error": _("Your session has ended: sign in again.")}, status=401
                )
            messages.info(request, _("Your session reached its time limit: please sign in again."))
            return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _expired(request) -> bool:
        signed_in_at = request.session.get(SIGNED_IN_AT)
        if signed_in_at is None:  # a session from before the limit existed
            return True
        age = timezone.now().timestamp() - signed_in_at
        return age > settings.ONWARD_SESSION_ABSOLUTE_AGE


class TwoFactorMiddleware:
    """A password-only session of a user who needs a second factor reaches nothing but the
    second-factor pages: pages redirect there (to enrolment if the user has no device
    yet), the API answers 403 in JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if twofactor.second_factor_pending(request.user) and not self._open(request):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _open(request) -> bool:
        if request.path.startswith(settings.STATIC_URL):
            return True
        return request.path in {reverse(name) for name in OPEN_BEFORE_SECOND_FACTOR}

    @staticmethod
    def _refuse(request):
        if _is_api(request):
            return JsonResponse(
                {
                    "error": "Two-factor sign-in required: sign in on the web "
                    "page and enter the code from your app."
                },
                status=403,
            )
        has_device = twofactor.confirmed_device(request.user) is not None
        target = reverse("otp_verify" if has_device else "otp_enrol")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


class UserPreferencesMiddleware:
    """The signed-in user's display choices, on every request: their language (stored on
    the account) wins over the browser's Accept-Language and the language cookie, which
    LocaleMiddleware read before; their digits and calendar hold for the request
    (onward/numerals.py). The cookie follows the account, so that the sign-in page after
    a sign-out stays in the user's language. Placed after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        language = user.language if signed_in and _offered(user.language) else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        digits = user.digits if signed_in else numerals.LATIN
        calendar = user.calendar if signed_in else numerals.GREGORIAN
        with numerals.using(digits, calendar):
            response = self.get_response(request)
        # The sign-in itself: the user was anonymous on the way in.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and _offered(user.language):
            language = user.language
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


def _offered(code: str) -> bool:
    return bool(code) and code in dict(settings.LANGUAGES)
