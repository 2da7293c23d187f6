"""The sign-in pages Onward adds to Django's: the second factor, and the lockout notice."""

from urllib.parse import urlencode

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Max
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import i18n as i18n_views
from django.views.decorators.http import require_http_methods, require_POST

from onward.accounts import preferences, twofactor
from onward.accounts.models import Calendar, Digits


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
    )

    def clean_otp_token(self):
        token = self.cleaned_data["otp_token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("Type the digits your app shows, nothing else."))
        return token


def _next_url(request) -> str:
    """Where to go once verified: the page first asked for, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@require_http_methods(["GET", "HEAD", "POST"])
def otp_verify(request):
    """After the password: the code from the user's app."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not twofactor.second_factor_pending(request.user):
        return redirect(_next_url(request))
    device = twofactor.confirmed_device(request.user)
    if device is None:
        return redirect(f"{reverse('otp_enrol')}?{urlencode({'next': _next_url(request)})}")
    form = CodeForm(request.POST or None)
    refused = False
    if request.method == "POST" and form.is_valid():
        if twofactor.otp_verify(request=request, token=form.cleaned_data["otp_token"]):
            return redirect(_next_url(request))
        refused, form = True, CodeForm()  # an empty field for the next code
        device.refresh_from_db()  # its throttling, as the failure left it
    return render(
        request,
        "accounts/otp_verify.html",
        {
            "form": form,
            "refused": refused,
            "next": _next_url(request),
            "wait_until": twofactor.throttle_until(device),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def otp_enrol(request):
    """First sign-in (or after an administrator's reset): pair an authenticator app."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if twofactor.confirmed_device(request.user) is not None:
        # One device per user; replacing a lost one is an administrator's reset.
        return redirect(_next_url(request))
    device = twofactor.enrolment_device(request.user)
    form = CodeForm(request.POST or None)
    refused = False
    if request.method == "POST" and form.is_valid():
        if twofactor.otp_enrol(
            request=request, device=device, token=form.cleaned_data["otp_token"]
        ):
            return redirect(_next_url(request))
        refused, form = True, CodeForm()
        device.refresh_from_db()
    return render(
        request,
        "accounts/otp_enrol.html",
        {
            "form": form,
            "refused": refused,
            "next": _next_url(request),
            "qr_svg": twofactor.qr_svg(device),
            "secret": twofactor.secret_text(device),
            "wait_until": twofactor.throttle_until(device),
        },
    )


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout response (AXES_LOCKOUT_CALLABLE): a page that says the account
    is locked, until when, and what to do."""
    username = get_client_username(request, credentials) or ""
    cool_off = get_cool_off(request)
    last = AccessAttempt.objects.filter(username=username).aggregate(at=Max("attempt_time"))["at"]
    until = (last or timezone.now()) + cool_off if cool_off else None
    return render(
        request,
        "accounts/locked_out.html",
        {
            "username": username,
            "failure_limit": get_failure_limit(request, credentials),
            "minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
            "until": until,
        },
        status=429,
    )


@require_POST
def language_set(request):
    """The language switch of every page and of the sign-in page: Django's set_language
    (the language cookie, and back to `next`), and for a signed-in user the choice kept on
    the account, so that it holds on every device they sign in from."""
    response = i18n_views.set_language(request)
    code = request.POST.get("language", "")
    if request.user.is_authenticated and preferences.language_offered(code):
        preferences.preferences_set(user=request.user, language=code)
    return response


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), required=False)
    digits = forms.ChoiceField(label=_("Digits"), choices=Digits.choices)
    calendar = forms.ChoiceField(
        label=_("Calendar"),
        choices=Calendar.choices,
        help_text=_("For display only: records keep their dates in the Gregorian calendar."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("The browser's language")), *settings.LANGUAGES]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences_edit(request):
    """A user's own display preferences: language, digits, calendar. Every signed-in role
    may set its own and nobody else's (there is no user id in the address)."""
    user = request.user
    form = PreferencesForm(
        request.POST or None,
        initial={f: getattr(user, f) for f in preferences.FIELDS},
    )
    # The sections other apps add (the e-mail digests of onward/tasks), in the same form.
    data = request.POST if request.method == "POST" else None
    sections = [(s, s.form(user, data)) for s in preferences.SECTIONS if s.applies(user)]
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for _s, f in sections):
        preferences.preferences_set(user=user, **form.cleaned_data)
        for section, section_form in sections:
            section.save(user, section_form.cleaned_data)
        messages.success(request, _("Your display preferences are saved."))
        response = redirect("account_preferences")
        if not user.language:  # the browser's language from now on, not the last switch
            response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
        return response
    return render(
        request,
        "accounts/preferences.html",
        {
            "form": form,
            "today": timezone.localdate(),
            "sections": [(s.template, f, s.extra(user)) for s, f in sections],
        },
    )
