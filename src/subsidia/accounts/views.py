from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from subsidia.core.access import PUBLIC, SIGNED_IN, access

from . import lockout, services
from .forms import EmailAuthenticationForm, ReauthPasswordForm, TotpTokenForm
from .reauth import mark_authenticated

login_view = access(PUBLIC)(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html", authentication_form=EmailAuthenticationForm,
        redirect_authenticated_user=True,
    )
)
logout_view = access(PUBLIC)(auth_views.LogoutView.as_view())


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's reset view, with requests limited per client address and per target e-mail
    (``PASSWORD_RESET_PER_ADDRESS``, ``PASSWORD_RESET_PER_EMAIL`` an hour)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        by_address, by_target = lockout.reset_throttled(request)
        if by_address:
            return render(request, "accounts/password_reset_throttled.html", status=429)
        if by_target:
            # The same answer as when a message is sent (or when no account has that address): nothing tells.
            form = self.get_form()
            if form.is_valid():
                return HttpResponseRedirect(self.get_success_url())
            return self.form_invalid(form)
        return super().post(request, *args, **kwargs)


password_reset = access(PUBLIC)(
    ThrottledPasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_done"),
    )
)
password_reset_done = access(PUBLIC)(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
password_reset_confirm = access(PUBLIC)(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete"),
    )
)
password_reset_complete = access(PUBLIC)(
    auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")
)


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _next_url(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return str(reverse_lazy("core:dashboard"))


@access(SIGNED_IN)
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code, then type a first code to confirm."""
    user = request.user
    if services.has_confirmed_totp(user):  # type: ignore[arg-type]
        return redirect("accounts:two_factor_verify")
    device = services.pending_totp_device(user)  # type: ignore[arg-type]
    form = TotpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.confirm_totp_device(user, device, form.cleaned_data["token"]):  # type: ignore[arg-type]
            otp_login(request, device)
            mark_authenticated(request)
            messages.success(request, _("La double authentification est activée."))
            return redirect(_next_url(request))
        form.add_error("token", _("Ce code ne correspond pas. Vérifiez l'heure de votre téléphone et réessayez."))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "accounts/two_factor_setup.html",
                  {"form": form, "qr": _qr_svg(device.config_url), "secret": secret})


def _locked_out(request: HttpRequest) -> HttpResponse:
    """Too many failures for the account or the address: the session ends, the lockout page answers."""
    email = getattr(request.user, "email", "")
    logout(request)
    return get_lockout_response(request, None, {"username": email})


def _check_code(request: HttpRequest, form: TotpTokenForm) -> HttpResponse | None:
    """Check the second-factor code of a valid ``form``: None when it is right (the session is then verified
    and freshly authenticated), else the lockout response, or None after adding the error to the form."""
    user = request.user
    result, device = lockout.check_totp(request, user, form.cleaned_data["token"])
    if result == "ok":
        assert device is not None
        otp_login(request, device)
        mark_authenticated(request)
        return None
    if result == "locked":
        return _locked_out(request)
    if result == "throttled":
        form.add_error("token", _("Trop de codes erronés : patientez quelques secondes avant de réessayer."))
    else:
        form.add_error("token", _("Code incorrect ou expiré."))
    return None


@access(SIGNED_IN)
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_verified():  # type: ignore[union-attr]
        return redirect(_next_url(request))
    if not services.has_confirmed_totp(user):  # type: ignore[arg-type]
        return redirect("accounts:two_factor_setup")
    form = TotpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refused = _check_code(request, form)
        if refused is not None:
            return refused
        if not form.errors:
            return redirect(_next_url(request))
    return render(request, "accounts/two_factor_verify.html", {"form": form})


@access(SIGNED_IN)
@require_http_methods(["GET", "POST"])
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """"Confirmez votre identité": the password, or the second-factor code for staff, then back to the page."""
    user = request.user
    by_code = user.requires_two_factor or services.has_confirmed_totp(user)  # type: ignore[union-attr,arg-type]
    form: TotpTokenForm | ReauthPasswordForm
    form = TotpTokenForm(request.POST or None) if by_code else ReauthPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if isinstance(form, TotpTokenForm):
            refused = _check_code(request, form)
            if refused is not None:
                return refused
        else:
            who = authenticate(request, username=user.email, password=form.cleaned_data["password"])  # type: ignore[union-attr]
            if getattr(request, "axes_locked_out", False):
                return _locked_out(request)
            if who is not None and who.pk == user.pk:
                mark_authenticated(request)
            else:
                form.add_error("password", _("Mot de passe incorrect."))
        if not form.errors:
            return redirect(_next_url(request))
    return render(request, "accounts/reauthenticate.html",
                  {"form": form, "by_code": by_code, "next": _next_url(request)})
