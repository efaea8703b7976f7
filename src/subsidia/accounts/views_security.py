"""Pages on the credentials of an account: a person's own API tokens, and an administrator's care of
other accounts (staff roles, a lost second factor).

Reads go through :mod:`subsidia.accounts.selectors`, writes through :mod:`subsidia.accounts.services`,
which check who may act and write the audit record. Every write is a POST that asks for a recent proof of
identity (:mod:`subsidia.accounts.reauth`), as member and role changes do elsewhere.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from subsidia.core.access import SIGNED_IN, access
from subsidia.core.errors import RuleViolation

from . import selectors, services
from .access import ADMINS
from .actors import signed_in
from .models import User
from .reauth import reauthentication_required
from .roles import STAFF_ROLES, Role

PAGE_SIZE = 25


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the access policy has let only signed-in people in
    return user


def _refused(request: HttpRequest, error: RuleViolation) -> None:
    for violation in error.violations:
        messages.error(request, str(violation.message))


# --- a person's own API tokens ---------------------------------------------------------------------

@access(SIGNED_IN)
@require_GET
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The signed-in person's tokens: name, start, dates and state; never the token itself (only its digest
    is stored)."""
    now = timezone.now()
    rows = [{"token": token, "expired": token.expires_at is not None and token.expires_at <= now}
            for token in selectors.tokens_of(_me(request))]
    return render(request, "accounts/api_tokens.html", {"rows": rows})


@access(SIGNED_IN)
@require_POST
@reauthentication_required(back="accounts:api_tokens")
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(selectors.tokens_of(_me(request)), pk=pk)  # another person's token: 404
    try:
        services.revoke_api_token(signed_in(request), token)
    except RuleViolation as error:
        _refused(request, error)
    else:
        messages.success(request, _("Le jeton « %(hint)s… » est révoqué : il n'ouvre plus l'API.") % {
            "hint": token.hint})
    return redirect("accounts:api_tokens")


# --- an administrator's care of accounts -----------------------------------------------------------

@access(ADMINS)
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    page = Paginator(selectors.accounts(query), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "q": query, "query": {"q": query}})


def _account(pk: int) -> User:
    return get_object_or_404(selectors.accounts(), pk=pk)


@access(ADMINS)
@require_GET
def user_security(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(pk)
    roles = [Role(role) for role in sorted(account.staff_roles)]
    return render(request, "accounts/user_security.html", {
        "account": account, "roles": roles, "is_self": account.pk == request.user.pk,
        "active_tokens": selectors.tokens_of(account).active().count(),
    })


@access(ADMINS)
@require_POST
@reauthentication_required(back="accounts:user_security")
def two_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """A lost phone: the account's second-factor devices are removed; staff set one up again at their next
    request or sign-in, and no session of theirs passes the second factor any more."""
    account = _account(pk)
    try:
        services.reset_two_factor(signed_in(request), account)
    except RuleViolation as error:
        _refused(request, error)
    else:
        messages.success(request, _("La double authentification de %(who)s est réinitialisée : un nouvel "
                                    "appareil sera demandé à sa prochaine connexion.") % {"who": account.email})
    return redirect("accounts:user_security", pk=account.pk)


@access(ADMINS)
@require_POST
@reauthentication_required(back="accounts:user_security")
def role_revoke(request: HttpRequest, pk: int, role: str) -> HttpResponse:
    account = _account(pk)
    if role not in STAFF_ROLES or role not in account.staff_roles:
        raise Http404
    try:
        services.revoke_role(signed_in(request), account, role)
    except RuleViolation as error:
        _refused(request, error)
    else:
        messages.success(request, _("%(who)s n'a plus le rôle « %(role)s ».") % {
            "who": account.email, "role": Role(role).label})
    return redirect("accounts:user_security", pk=account.pk)
