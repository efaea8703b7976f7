"""Public pages of events, mounted at /evenements/ (the officers' pages are in urls_staff.py, below gestion/)."""

from django.urls import URLPattern, path, register_converter

from . import views_public as v


class EventSlugConverter:
    """An event's slug, never one of the words the other pages of /evenements/ start with."""

    regex = r"(?!(?:gestion|questionnaire|mon-inscription|presence|attestation)/)[-a-zA-Z0-9_]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(EventSlugConverter, "event_slug")

urlpatterns: list[URLPattern] = [
    path("", v.event_list, name="list"),
    path("mon-inscription/<str:token>/", v.registration_status, name="registration_status"),
    path("mon-inscription/<str:token>/annuler/", v.registration_cancel, name="registration_cancel"),
    path("presence/<str:token>/", v.check_in, name="check_in"),
    path("attestation/<str:token>/", v.certificate, name="certificate"),
    path("<event_slug:slug>/", v.event_detail, name="detail"),
    path("<event_slug:slug>/evenement.ics", v.event_ics, name="ics"),
    path("<event_slug:slug>/inscription/", v.register, name="register"),
]
