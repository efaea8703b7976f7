"""The public sign-up pages (the rules are in :mod:`subsidia.accounts.services_signup`)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from subsidia.core.access import PUBLIC, access
from subsidia.core.forms import error_summary
from subsidia.core.http import safe_next

from .forms_signup import SignupForm
from .services_signup import InvalidLink, activate, register


@access(PUBLIC)
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    form = SignupForm(request.POST or None, initial={"next": safe_next(request, "")})
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "next": safe_next(request, "")}
        register(data, translation.get_language() or "")
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form, "error_summary": error_summary(form)},
                  status=422 if form.is_bound else 200)


@access(PUBLIC)
@require_GET
def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_done.html")


@access(PUBLIC)
@require_GET
def signup_activate(request: HttpRequest, token: str) -> HttpResponse:
    try:
        activate(token)
    except InvalidLink as error:
        return render(request, "accounts/signup_invalid.html", {"message": str(error)}, status=400)
    messages.success(request, _("Votre compte est activé. Connectez-vous pour commenter."))
    login_url = reverse("accounts:login")
    next_url = safe_next(request, "")
    return redirect(f"{login_url}?next={quote(next_url)}" if next_url else login_url)
