"""Test support for two-factor sign-in (imported by onward/conftest.py and the browser
helper; never by the application).

Every test user signs in the way a real one does after the password: with a confirmed
TOTP device, whose current code is computed here from the device's secret, or (for the
test client) with the session marked verified exactly as `django_otp.login` marks it.
"""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import hotp

from onward.accounts.models import AuthenticatorDevice


def totp_device_for(user) -> AuthenticatorDevice:
    """The user's confirmed device, made on first use (as if they had enrolled)."""
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
    return device or AuthenticatorDevice.objects.create(
        user=user, name="test phone", confirmed=True
    )


def totp_code(device: AuthenticatorDevice) -> str:
    """The code the user's app shows now, as a person would type it.

    A code is accepted once: when this time step's code was already used (two sign-ins
    within 30 seconds), this is the next step's code, which the server accepts within its
    tolerance of one step, as it would from a phone whose clock runs a little ahead; past
    that, it waits for the next step like a person would."""
    device.refresh_from_db()
    for _ in range(3):
        now = time.time()
        current = (int(now) - device.t0) // device.step + device.drift
        wanted = max(current, device.last_t + 1)
        if wanted - current <= device.tolerance:
            return f"{hotp(device.bin_key, wanted, digits=device.digits):0{device.digits}d}"
        time.sleep(device.step - (int(now) - device.t0) % device.step + 0.1)
    raise RuntimeError("No unused code: is the clock stopped (time travel without ticking)?")


def mark_verified(client, user) -> None:
    """Marks a test client's signed-in session as having passed the second factor, as
    `django_otp.login(request, device)` does (session key `otp_device_id`)."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device_for(user).persistent_id
    session.save()
