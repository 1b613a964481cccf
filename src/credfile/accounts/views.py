"""Sign-in pages beyond the password: the second factor, the own password and API tokens;
the executives' decisions on privilege changes."""

from __future__ import annotations

from typing import Any

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from credfile.accounts import selectors
from credfile.accounts.choices import PrivilegeChangeStatus
from credfile.accounts.forms import OTPCodeForm, PrivilegeDecisionForm
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
    api_token_revoke,
    api_tokens_revoke,
    privilege_change_approve,
    privilege_change_reject,
    privilege_change_withdraw,
    token_prefix,
    totp_device_confirm,
    totp_device_for_enrolment,
    user_password_change,
)
from credfile.accounts.sso import refusal_of


def login_context(request: HttpRequest) -> dict[str, Any]:
    """What the login page shows besides the form: the provider's button, when configured."""
    config: dict[str, str] = getattr(settings, "CREDFILE_OIDC", None) or {}
    enabled = getattr(settings, "CREDFILE_OIDC_ENABLED", False)
    return {
        "oidc_provider": config.get("provider_name", "") if enabled else "",
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }


class SignInForm(AuthenticationForm):
    """The password form; a directory's refusal (no credfile group, awaiting approval) is
    shown as itself rather than as a wrong password."""

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            if self.request is not None and (refusal := refusal_of(self.request)):
                raise ValidationError(refusal, code="sso_refused") from None
            raise


class LogoutView(auth_views.LogoutView):
    """Django's sign-out; a person signed in through the OpenID Connect provider is then
    sent to the provider's logout, which ends its session too and sends them back to the
    login page (docs/sso.md)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from credfile.accounts.oidc import provider_logout_url

        at_provider = provider_logout_url(request)  # before the session is flushed
        response: HttpResponse = super().post(request, *args, **kwargs)
        if at_provider:
            return redirect(at_provider)
        return response


class LoginView(auth_views.LoginView):
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **login_context(self.request)}


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


@never_cache
@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """One's own API tokens in force: when each was issued and ends; revoke one or all."""
    tokens = [
        {"id": token.digest, "prefix": token_prefix(token), "token": token}
        for token in selectors.api_tokens_of(user=_user(request))
    ]
    return render(request, "registration/api_tokens.html", {"tokens": tokens})


@require_POST
@login_required
def api_token_revoke_view(request: HttpRequest, token_id: str) -> HttpResponse:
    user = _user(request)
    api_token_revoke(actor=user, token=selectors.api_token_get(user=user, digest=token_id))
    messages.success(request, _("The token has been revoked."))
    return redirect("api-tokens")


@require_POST
@login_required
def api_tokens_revoke_all(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    api_tokens_revoke(user=user, actor=user, reason="revoked_by_owner")
    messages.success(request, _("All your API tokens have been revoked."))
    return redirect("api-tokens")


@never_cache
@login_required
def privilege_changes(request: HttpRequest) -> HttpResponse:
    """Requested changes of role, department or activation; executives decide them here."""
    user = _user(request)
    queryset = selectors.privilege_change_queryset(user=user)
    status = request.GET.get("status", "")
    if status in PrivilegeChangeStatus.values:
        queryset = queryset.filter(status=status)
    rows = [
        {"change": change, "can_decide": selectors.can_decide(user=user, change=change)}
        for change in queryset[:100]
    ]
    context = {
        "rows": rows,
        "status": status,
        "statuses": PrivilegeChangeStatus.choices,
        "form": PrivilegeDecisionForm(),
    }
    return render(request, "registration/privilege_changes.html", context)


@require_POST
@login_required
def privilege_change_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    change = selectors.privilege_change_get(user=user, pk=pk)
    form = PrivilegeDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or to reject."))
        return redirect("privilege-changes")
    try:
        if form.cleaned_data["decision"] == "approve":
            privilege_change_approve(actor=user, change=change, reason=form.cleaned_data["reason"])
            messages.success(request, _("Change approved; it has taken effect."))
        else:
            privilege_change_reject(actor=user, change=change, reason=form.cleaned_data["reason"])
            messages.success(request, _("Change rejected."))
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("privilege-changes")


@require_POST
@login_required
def privilege_change_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    change = selectors.privilege_change_get(user=user, pk=pk)
    try:
        privilege_change_withdraw(actor=user, change=change)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Request withdrawn."))
    return redirect("privilege-changes")
