"""What the officers' pages of events share (``views_staff``, ``views_evaluation``, ``views_gallery``): who
acts, how a service's refusal is shown, and the one shape of every form page.

A form page shows its form (200); a post the form refuses comes back with its errors (422); a post the service
refuses comes back with the service's refusal on the form (its status: 409, 422…) or as a message (403); a post
saved says so and redirects. Views stay thin: they parse a form, call one service, never write half a record."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from subsidia.core.errors import NotFound, RuleViolation, add_to_form
from subsidia.core.errors import PermissionDenied as ServicePermissionDenied
from subsidia.core.forms import error_summary

from .models import Event

T = TypeVar("T")



def refused(request: HttpRequest, error: RuleViolation, form: forms.Form | None = None) -> int:
    """Show a service's refusal: hidden object 404; a refusal (403) or a clash without form is a message; a
    broken rule goes on the form. Returns the page's status."""
    if isinstance(error, NotFound):
        raise Http404(str(error))
    if form is None or isinstance(error, ServicePermissionDenied):
        for violation in error.violations:
            messages.error(request, str(violation.message))
    else:
        add_to_form(form, error)
    return error.status_code


def event_or_404(pk: int) -> Event:
    return get_object_or_404(Event, pk=pk)


def detail_url(event: Event, anchor: str = "") -> str:
    return reverse("events:staff_detail", kwargs={"pk": event.pk}) + (f"#{anchor}" if anchor else "")


def form_page(request: HttpRequest, *, event: Event | None, form: forms.Form, title: str, submit: str,
              back: str, back_label: str, status: int, multipart: bool = False, intro: str = "") -> HttpResponse:
    """The officers' generic form page (``events/staff/form.html``)."""
    return render(request, "events/staff/form.html", {
        "event": event, "form": form, "page_title": title, "submit_label": submit, "back_url": back,
        "back_label": back_label, "error_summary": error_summary(form), "multipart": multipart, "intro": intro,
    }, status=status)


def handle_form(request: HttpRequest, form: forms.Form, save: Callable[[], T], *, done: Callable[[T], str],
                success: str | Callable[[T], str], page: Callable[[int], HttpResponse]) -> HttpResponse:
    """The shape of a form page: on a valid post, ``save()`` (the one service call) and redirect to
    ``done(saved)`` with the ``success`` message; otherwise ``page(status)`` shows the form again."""
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                saved = save()
            except RuleViolation as error:
                status = refused(request, error, form)
            else:
                messages.success(request, success(saved) if callable(success) else success)
                return redirect(done(saved))
    return page(status)
