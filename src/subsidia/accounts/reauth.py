"""Re-authentication before sensitive acts, and the time of the last proof of identity.

The session records when its user last proved who they are (``AUTHENTICATED_AT``): at sign-in (the
``user_logged_in`` signal), at the second factor, and on the "confirmez votre identité" page. Decisions on
grants, payments, convention signatures and other binding acts, changes of members and roles, token issuing
and revocation, second-factor resets and erasures need that proof to be younger than
``REAUTH_MAX_AGE_MINUTES`` (default 10):

* page views are wrapped by :func:`reauthentication_required` (inside ``access(policy)`` and the HTTP-method
  check), which sends a stale session to ``accounts:reauthenticate`` and then back to the page;
* API operations by :func:`api_reauthentication_required` (under ``api_access(policy)``), which answers 401
  ``reauthentication_required`` to a stale browser session. A caller with a personal API token is exempt:
  the token is itself a credential presented with every request (there is no older proof to refresh), it is
  issued only from the command line by someone with access to the server, and its owner can revoke it at
  once (``accounts:api_tokens``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from subsidia.core.errors import Code, RuleViolation

AUTHENTICATED_AT = "subsidia_authenticated_at"
LAST_SEEN = "subsidia_last_seen"


def now_ts() -> float:
    return timezone.now().timestamp()


def mark_authenticated(request: HttpRequest) -> None:
    """The user has just proved who they are (password, second factor)."""
    moment = now_ts()
    request.session[AUTHENTICATED_AT] = moment
    request.session[LAST_SEEN] = moment


@receiver(user_logged_in, dispatch_uid="subsidia.accounts.reauth.on_login")
def _on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        mark_authenticated(request)


def max_age_seconds() -> float:
    return float(settings.REAUTH_MAX_AGE_MINUTES) * 60


def authenticated_recently(request: HttpRequest) -> bool:
    moment = request.session.get(AUTHENTICATED_AT)
    if not isinstance(moment, int | float):
        return False
    age = now_ts() - float(moment)
    return 0 <= age <= max_age_seconds()


def _safe(request: HttpRequest, url: str | None) -> str | None:
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return None


def reauthenticate_url(next_url: str) -> str:
    return reverse("accounts:reauthenticate") + "?" + urlencode({"next": next_url})


def _back_url(request: HttpRequest, back: str | None, kwargs: dict[str, Any]) -> str:
    """Where to come back after re-authenticating: the page a form was posted from, else ``back`` (a URL
    name, given the view's ``pk`` if it takes one), else the page itself."""
    if request.method == "GET":
        return request.get_full_path()
    referer = _safe(request, request.headers.get("Referer"))
    if referer and not referer.startswith(reverse("accounts:reauthenticate")):
        return referer
    if back:
        try:
            return reverse(back, kwargs={"pk": kwargs["pk"]} if "pk" in kwargs else None)
        except NoReverseMatch:
            return reverse(back)
    return request.path


ViewFunc = Callable[..., HttpResponseBase]


def reauthentication_required(view: ViewFunc | None = None, *, back: str | None = None) -> Any:
    """A page view that needs a recent proof of identity (see the module's docstring)."""

    def decorate(func: ViewFunc) -> ViewFunc:
        @wraps(func)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.user.is_authenticated and not authenticated_recently(request):
                messages.info(request, _("Confirmez votre identité pour poursuivre."))
                return HttpResponseRedirect(reauthenticate_url(_back_url(request, back, kwargs)))
            return func(request, *args, **kwargs)

        wrapped.reauthentication_required = True  # type: ignore[attr-defined]
        return wrapped

    return decorate(view) if view is not None else decorate


class ReauthenticationRequired(RuleViolation):
    """401 ``reauthentication_required``: the API answers it as it answers every rule violation, so that
    accounts need not import the API, which builds on it."""

    status_code = 401


def api_reauthentication_required(func: Callable[..., Any]) -> Callable[..., Any]:
    """An API operation that needs a recent proof of identity from a browser session (tokens are exempt)."""

    @wraps(func)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        auth = getattr(request, "auth", None)
        if getattr(auth, "via", None) == "session" and not authenticated_recently(request):
            raise ReauthenticationRequired.single(
                Code.REAUTHENTICATION_REQUIRED,
                _("Confirmez votre identité (mot de passe ou code de double authentification) "
                  "avant cette opération : %(url)s") % {"url": reverse("accounts:reauthenticate")})
        return func(request, *args, **kwargs)

    wrapped.reauthentication_required = True  # type: ignore[attr-defined]
    return wrapped


def admin_writes_reauthenticated(method: Callable[..., Any]) -> Callable[..., Any]:
    """For a ModelAdmin view method: its writes (POST) need a recent proof of identity, reading does not."""

    @wraps(method)
    def wrapped(self: Any, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.method == "POST":
            def view(req: HttpRequest, *a: Any, **k: Any) -> Any:
                return method(self, req, *a, **k)
            return reauthentication_required(view)(request, *args, **kwargs)
        return method(self, request, *args, **kwargs)

    return wrapped
