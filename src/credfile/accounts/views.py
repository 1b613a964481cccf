"""Sign-in pages beyond the password: the second factor and the own-password change."""

from __future__ import annotations

from typing import Any

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from credfile.accounts.forms import OTPCodeForm
from credfile.accounts.models import User
from credfile.accounts.otp import (
    otp_pending,
    otp_wait_message,
    otp_wait_seconds,
    totp_device,
    totp_qr_svg,
    totp_secret,
    totp_verify,
)
from credfile.accounts.services import (
    totp_device_confirm,
    totp_device_for_enrolment,
    user_password_change,
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _next_url(request: HttpRequest) -> str:
    """Where the user was going before the second factor was asked for (this site only)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _signed_in_with(request: HttpRequest, device: Any) -> HttpResponse:
    django_otp.login(request, device)
    # A new session id once the second factor is proven, as after the password.
    request.session.cycle_key()
    return redirect(_next_url(request))


@never_cache
@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (or type the secret), confirm with a code."""
    user = _user(request)
    if not otp_pending(request.user):
        return redirect(_next_url(request))
    if totp_device(user) is not None:
        return redirect(f"{reverse('otp-verify')}?{request.GET.urlencode()}")
    device = totp_device_for_enrolment(user=user)
    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if wait := otp_wait_seconds(device):
            form.add_error("otp_token", otp_wait_message(wait))
        elif confirmed := totp_device_confirm(user=user, token=form.cleaned_data["otp_token"]):
            messages.success(request, _("Two-factor authentication is set up."))
            return _signed_in_with(request, confirmed)
        else:
            form.add_error(
                "otp_token",
                _("This code is wrong or has expired. Enter the code the app shows now."),
            )
    context = {
        "form": form,
        "qr_svg": mark_safe(totp_qr_svg(device)),  # drawn by qrcode from our own data
        "secret": totp_secret(device),
        "next": _next_url(request),
    }
    return render(
        request, "registration/otp_setup.html", context, status=422 if form.errors else 200
    )


@never_cache
@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the code of the enrolled authenticator app after the password."""
    user = _user(request)
    if not otp_pending(request.user):
        return redirect(_next_url(request))
    device = totp_device(user)
    if device is None:
        return redirect(f"{reverse('otp-setup')}?{request.GET.urlencode()}")
    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if wait := otp_wait_seconds(device):
            form.add_error("otp_token", otp_wait_message(wait))
        elif verified := totp_verify(user, form.cleaned_data["otp_token"]):
            return _signed_in_with(request, verified)
        else:
            form.add_error(
                "otp_token",
                _(
                    "This code is wrong, already used or has expired. Wait for the next code and "
                    "try again."
                ),
            )
    context = {"form": form, "next": _next_url(request)}
    return render(
        request, "registration/otp_verify.html", context, status=422 if form.errors else 200
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password; the session stays signed in (and verified)."""

    success_url = reverse_lazy("customers:list")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        user = _user(self.request)
        user_password_change(user=user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("Your password has been changed."))
        return redirect(self.get_success_url())

    def form_invalid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 422  # as every refused form in credfile
        return response
