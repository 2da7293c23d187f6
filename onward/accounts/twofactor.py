"""Two-factor sign-in (TOTP, django-otp): who needs it, enrolment, verification, reset.

A password opens a session that can do nothing but pass the second factor (enforced by
`middleware.TwoFactorMiddleware`). Codes come from an authenticator app; each code is
accepted once (django-otp keeps the last time step used, `last_t`), and wrong codes slow
the next tries down (django-otp's throttling: 1, 2, 4, 8 … seconds).
"""

import datetime as dt
from base64 import b32encode

import django_otp
import segno
from django.conf import settings
from django.db import transaction

from onward.accounts import roles
from onward.accounts.models import AuthenticatorDevice
from onward.accounts.sessions import session_renew, sessions_end_for_user
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record

DEVICE_NAME = "Authenticator app"


def second_factor_required(user) -> bool:
    """Every role that reads personal data, and anyone who can open the admin site."""
    if not settings.ONWARD_REQUIRE_2FA or not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or roles.reads_personal_data(user.role)


def second_factor_pending(user) -> bool:
    """Signed in with a password, but not yet through the second factor it needs."""
    return second_factor_required(user) and not _is_verified(user)


def _is_verified(user) -> bool:
    is_verified = getattr(user, "is_verified", None)  # installed by django-otp's middleware
    return bool(is_verified and is_verified())


def confirmed_device(user) -> AuthenticatorDevice | None:
    return AuthenticatorDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def enrolment_device(user) -> AuthenticatorDevice:
    """The unconfirmed device being enrolled: the same secret until it is confirmed, so
    that reloading the page does not invalidate the QR code already scanned."""
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or AuthenticatorDevice.objects.create(
        user=user, name=DEVICE_NAME, confirmed=False
    )


def secret_text(device: AuthenticatorDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    text = b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: AuthenticatorDevice) -> str:
    """The otpauth:// address as an SVG QR code (markup, no script, no inline style)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5,
        border=2,
        dark="#0b2a3f",
        omitsize=True,  # a viewBox: CSS sizes it
        title="QR code for your authenticator app",
    )


def throttle_until(device: AuthenticatorDevice) -> dt.datetime | None:
    """When the next code may be tried, if wrong codes have slowed this device down."""
    allowed, detail = device.verify_is_allowed()
    if allowed or not detail:
        return None
    return detail.get("locked_until")


def otp_enrol(*, request, device: AuthenticatorDevice, token: str) -> bool:
    """Confirms an enrolling device with its first code and verifies the session."""
    with transaction.atomic():
        device = AuthenticatorDevice.objects.select_for_update().get(
            pk=device.pk, user=request.user
        )
        if not device.verify_token(token):
            audit_record(
                actor=request.user,
                action=AuditEntry.Action.OTP_FAILED,
                object_type="user",
                object_id=request.user.username,
                detail="enrolment: wrong code",
            )
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.OTP_ENROLLED,
            object_type="user",
            object_id=request.user.username,
        )
    _session_verified(request, device)
    return True


def otp_verify(*, request, token: str) -> bool:
    """Checks a code against the user's device; a code already used is refused."""
    device = confirmed_device(request.user)
    if device is None:
        return False
    accepted = django_otp.verify_token(request.user, device.persistent_id, token)
    if accepted is None:
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.OTP_FAILED,
            object_type="user",
            object_id=request.user.username,
        )
        return False
    _session_verified(request, accepted)
    return True


def _session_verified(request, device: AuthenticatorDevice) -> None:
    django_otp.login(request, device)
    session_renew(request=request)
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.OTP_VERIFIED,
        object_type="user",
        object_id=request.user.username,
    )


def otp_reset(*, actor, user) -> int:
    """An administrator removes a user's lost device: the user enrols a new one at their
    next sign-in. Their open sessions end too, so that no session verified with the lost
    device outlives it. Returns how many devices were removed."""
    with transaction.atomic():
        removed, _ = AuthenticatorDevice.objects.filter(user=user).delete()
        ended = sessions_end_for_user(user)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.OTP_RESET,
            object_type="user",
            object_id=user.username,
            detail=f"{removed} device(s) removed, {ended} session(s) ended",
        )
    return removed
