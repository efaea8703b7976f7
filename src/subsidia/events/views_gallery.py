"""The photo gallery's pages: the officers add, caption, reorder and delete an event's photos
(``/evenements/gestion/…``); the public sees the gallery of a published event, and its files through a view
(from Django's storage, never a public folder)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from subsidia.accounts.access import OFFICERS
from subsidia.accounts.actors import signed_in
from subsidia.core.access import PUBLIC, access
from subsidia.core.errors import RuleViolation, add_to_form
from subsidia.core.forms import error_summary

from . import gallery, selectors
from .forms_staff import PhotoEditForm, PhotoForm
from .models import Event, EventStatus, Photo
from .views_shared import event_or_404, form_page, handle_form, refused

# --- the officers' side ----------------------------------------------------------------------------


def _photos_url(event_id: int) -> str:
    return reverse("events:staff_photos", kwargs={"pk": event_id})


def _photos_page(request: HttpRequest, event: Event, form: PhotoForm | None = None,
                 status: int = 200) -> HttpResponse:
    form = form or PhotoForm()
    return render(request, "events/gallery/staff.html", {
        "event": event, "photos": event.photos.order_by("position", "pk"), "form": form,
        "error_summary": error_summary(form),
    }, status=status)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def photos(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_or_404(pk)
    if request.method != "POST":
        return _photos_page(request, event)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        upload = request.FILES.get("image")
        if upload is not None and "image" not in form.errors:
            try:  # say at once that the file is no photo, with the other errors
                gallery.check_image(upload)
            except RuleViolation as error:
                add_to_form(form, error)
        return _photos_page(request, event, form, status=422)
    try:
        gallery.add_photo(signed_in(request), event, form.cleaned_data["image"], form.to_input())
    except RuleViolation as error:
        return _photos_page(request, event, form, status=refused(request, error, form))
    messages.success(request, _("Photo ajoutée à la galerie."))
    return redirect(_photos_url(event.pk))


def _photo(pk: int) -> Photo:
    return get_object_or_404(Photo.objects.select_related("event"), pk=pk)


@access(OFFICERS)
@require_http_methods(["GET", "POST"])
def photo_edit(request: HttpRequest, pk: int) -> HttpResponse:
    photo = _photo(pk)
    form = PhotoEditForm(request.POST) if request.method == "POST" else PhotoEditForm(initial={
        "caption": photo.caption, "credit": photo.credit, "alt_text": photo.alt_text})
    back = _photos_url(photo.event_id)
    return handle_form(
        request, form, lambda: gallery.update_photo(signed_in(request), photo, form.to_input()),
        done=lambda _photo: back, success=_("Photo enregistrée."),
        page=lambda status: form_page(request, event=photo.event, form=form, title=_("Modifier la photo"),
                                      submit=_("Enregistrer"), back=back, back_label=_("Photos"), status=status))


@access(OFFICERS)
@require_POST
def photo_delete(request: HttpRequest, pk: int) -> HttpResponse:
    photo = _photo(pk)
    gallery.delete_photo(signed_in(request), photo)
    messages.success(request, _("Photo supprimée."))
    return redirect(_photos_url(photo.event_id))


@access(OFFICERS)
@require_POST
def photo_move(request: HttpRequest, pk: int) -> HttpResponse:
    photo = _photo(pk)
    gallery.move_photo(signed_in(request), photo, up=request.POST.get("direction") == "up")
    return redirect(_photos_url(photo.event_id) + f"#photo-{photo.pk}")


# --- the public side -------------------------------------------------------------------------------

@access(PUBLIC)
@require_GET
def public_gallery(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(Event, slug=slug, status=EventStatus.PUBLISHED)
    return render(request, "events/gallery/public.html", {
        "event": event, "photos": event.photos.order_by("position", "pk")})


@access(PUBLIC)
@require_GET
def photo_file(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """A photo's file, from the storage: public for published events, for officers otherwise."""
    photo = get_object_or_404(Photo.objects.select_related("event"), pk=pk, event__slug=slug)
    if not gallery.gallery_is_public(photo.event) and not selectors.manages_events(request.user):
        raise Http404
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="photo-{photo.pk}.{photo.image.name.rsplit(".", 1)[-1]}"'
    if not gallery.gallery_is_public(photo.event):
        response["Cache-Control"] = "private, no-store"
    return response
