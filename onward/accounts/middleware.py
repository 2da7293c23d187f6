"""Sign-in rules that hold on every request: the absolute session limit, and the second
factor before anything else.

The idle limit needs no middleware: sessions are saved on every request
(SESSION_SAVE_EVERY_REQUEST) and expire SESSION_COOKIE_AGE after the last one.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from onward.accounts import twofactor
from onward.accounts.sessions import SIGNED_IN_AT

# Pages an unverified session may open: signing in and out, and the second factor itself.
OPEN_BEFORE_SECOND_FACTOR = ("login", "logout", "otp_verify", "otp_enrol")


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


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
                return JsonResponse({"error": "Your session has ended: sign in again."}, status=401)
            messages.info(request, "Your session reached its time limit: please sign in again.")
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
