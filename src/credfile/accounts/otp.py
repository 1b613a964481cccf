"""The second-factor policy (TOTP through django-otp) and what the enrolment page shows."""

from __future__ import annotations

import math
from base64 import b32encode
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.utils import timezone
from django.utils.translation import ngettext
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice


def otp_required(user: Any) -> bool:
    """Whether the user's role must sign in with a second factor (CREDFILE_OTP_REQUIRED_ROLES)."""
    return bool(
        user is not None
        and user.is_authenticated
        and getattr(user, "role", None) in settings.CREDFILE_OTP_REQUIRED_ROLES
    )


def otp_pending(user: Any) -> bool:
    """Signed in with the password, but the required second factor is not yet verified.

    `is_verified` is installed on request.user by django_otp's OTPMiddleware; a user object
    without it has not been through a verification.
    """
    if not otp_required(user):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (callable(is_verified) and is_verified())


def totp_secret(device: TOTPDevice) -> str:
    """The base32 secret, in groups of four, for typing into an app that cannot scan."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL of the device as an inline SVG QR code (drawn here, no service)."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2
    )
    svg: str = image.to_string(encoding="unicode")
    return svg


def totp_device(user: Any) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if enrolled."""
    device: TOTPDevice | None = (
        TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    )
    return device


def totp_verify(user: Any, token: str) -> TOTPDevice | None:
    """The device that accepts the code, or None (wrong, reused or throttled code)."""
    device = totp_device(user)
    if device is None:
        return None
    verified: TOTPDevice | None = verify_token(user, device.persistent_id, token)
    return verified


def otp_wait_seconds(device: TOTPDevice) -> int:
    """Seconds before the device accepts another try: after each wrong code django-otp doubles
    the wait (1, 2, 4 … seconds), so codes cannot be guessed in bulk."""
    allowed, data = device.verify_is_allowed()
    if allowed or not data or "locked_until" not in data:
        return 0
    return max(1, math.ceil((data["locked_until"] - timezone.now()).total_seconds()))


def otp_wait_message(seconds: int) -> str:
    return ngettext(
        "Too many wrong codes. Wait %(seconds)d second before the next try.",
        "Too many wrong codes. Wait %(seconds)d seconds before the next try.",
        seconds,
    ) % {"seconds": seconds}
