"""The user's notifications: the list (unread first), marking them read, and the e-mail preferences."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from subsidia.accounts.actors import signed_in
from subsidia.core.access import SIGNED_IN, access

from . import services
from .forms import PreferencesForm
from .models import Notification


def _is_local(request: HttpRequest, url: str) -> bool:
    """A path of this site (``/…``), never another host: the notification's link is followed only then."""
    return bool(url) and url.startswith("/") and not url.startswith("//") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure())


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if _is_local(request, target):
        return redirect(target)
    return redirect("notifications:list")


@access(SIGNED_IN)
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    notifications = Notification.objects.filter(user=user).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-pk")
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return render(request, "notifications/notification_list.html", {
        "page": page, "unread": unread, "current": request.get_full_path()})


@access(SIGNED_IN)
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read; then follow its link (a path of this site), unless asked to stay."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    services.mark_read(signed_in(request), notification.pk)
    if not request.POST.get("stay") and _is_local(request, notification.url):
        return redirect(notification.url)
    messages.success(request, _("Notification marquée comme lue."))
    return _back(request)


@access(SIGNED_IN)
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_read(signed_in(request))
    messages.success(request, ngettext("%(n)s notification marquée comme lue.",
                                       "%(n)s notifications marquées comme lues.", count) % {"n": count})
    return _back(request)


@access(SIGNED_IN)
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    data = request.POST if request.method == "POST" else None
    form = PreferencesForm(data, initial_choices=services.email_preferences(user))
    if request.method == "POST" and form.is_valid():
        services.set_email_preferences(user, form.choices())
        messages.success(request, _("Préférences enregistrées."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
