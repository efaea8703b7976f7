"""The organisations API: the directory for everyone, every organisation for the ministry's staff, and the
managers' writes through :mod:`subsidia.organisations.services`."""

from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Status
from ninja.pagination import paginate

from subsidia.core.access import PUBLIC
from subsidia.core.errors import RuleViolation, Violation, error_codes
from subsidia.organisations import selectors, services
from subsidia.organisations.access import ORGANISATION_MANAGERS
from subsidia.organisations.models import Municipality, Organisation, Theme

from .auth import PUBLIC_AUTH, SIGNED_IN_AUTH, api_access, caller
from .schemas import Code, ErrorOut, FilterSchema, Id, OrganisationCreate, OrganisationIn, OrganisationOut, Pages

router = Router(tags=["organisations"])


@error_codes
class DirectoryError(StrEnum):
    """The codes of the names this API reads where the models hold a relation (a theme's code, a commune's
    name). Declared here, the only place that answers them, until the organisations app has its own errors."""

    UNKNOWN_THEME = "unknown_theme"
    UNKNOWN_MUNICIPALITY = "unknown_municipality"


class OrganisationFilters(FilterSchema):
    q: str | None = Field(None, max_length=200, description="in the name or the acronym")
    theme: Code | None = Field(None, description="a theme's code")
    legal_form: str | None = Field(None, max_length=20)
    municipality: str | None = Field(None, max_length=100, description="a municipality's name")


def _readable(user: Any) -> QuerySet[Organisation]:
    """The organisations the caller may read, with the contacts and services they may see: the directory's rule
    (:func:`subsidia.organisations.selectors.organisations_readable_by`), never a rule of the API's own."""
    return selectors.organisations_readable_by(user)


def _out(organisation: Organisation) -> dict[str, Any]:
    """An organisation from :func:`_readable`, whose contacts and services are prefetched."""
    return {
        "id": organisation.pk, "name": organisation.name, "acronym": organisation.acronym,
        "legal_form": organisation.legal_form, "register_number": organisation.register_number,
        "themes": [t.code for t in organisation.themes.all()], "address": organisation.street,
        "municipality": organisation.municipality.name if organisation.municipality else None,
        "website": organisation.website, "email": organisation.email, "phone": organisation.phone,
        "listed_in_directory": organisation.listed_in_directory, "last_verified_on": organisation.last_verified_on,
        "contacts": organisation.visible_contacts,  # type: ignore[attr-defined]
        "services": organisation.visible_services,  # type: ignore[attr-defined]
    }


def _to_model_data(payload: OrganisationIn) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    problems = []
    if "address" in data:
        data["street"] = data.pop("address") or ""
    if "themes" in data:
        codes = data.pop("themes") or []
        themes = list(Theme.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {t.code for t in themes})
        if unknown:
            problems.append(Violation(DirectoryError.UNKNOWN_THEME,
                                      _("Thème inconnu : %(codes)s") % {"codes": ", ".join(unknown)}, "themes"))
        data["themes"] = themes
    if "municipality" in data:
        name = data.pop("municipality")
        municipality = Municipality.objects.filter(name__iexact=name).first() if name else None
        if name and municipality is None:
            problems.append(Violation(DirectoryError.UNKNOWN_MUNICIPALITY,
                                      _("Commune inconnue : %(name)s") % {"name": name}, "municipality"))
        data["municipality"] = municipality
    for key in ("acronym", "register_number", "website", "email", "phone", "description", "postal_code"):
        if key in data and data[key] is None:
            data[key] = ""
    if problems:
        raise RuleViolation(problems)
    return data


@router.get("/organisations", auth=PUBLIC_AUTH, response=list[OrganisationOut])
@api_access(PUBLIC)
@paginate(Pages, page_size=50)
def list_organisations(request: HttpRequest, filters: Query[OrganisationFilters]) -> Any:
    """Organisations: the public directory for everyone, all organisations for ministry staff."""
    organisations = _readable(caller(request))
    if filters.q:
        organisations = organisations.filter(Q(name__icontains=filters.q) | Q(acronym__icontains=filters.q))
    if filters.theme:
        organisations = organisations.filter(themes__code=filters.theme)
    if filters.legal_form:
        organisations = organisations.filter(legal_form=filters.legal_form)
    if filters.municipality:
        organisations = organisations.filter(municipality__name__iexact=filters.municipality)
    return [_out(o) for o in organisations.distinct().order_by("name")]


@router.get("/organisations/{organisation_id}", auth=PUBLIC_AUTH, response={200: OrganisationOut, 404: ErrorOut})
@api_access(PUBLIC)
def get_organisation(request: HttpRequest, organisation_id: Id) -> Any:
    return _out(get_object_or_404(_readable(caller(request)), pk=organisation_id))


@router.post("/organisations", auth=SIGNED_IN_AUTH,
             response={201: OrganisationOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut})
@api_access(ORGANISATION_MANAGERS)
def create_organisation(request: HttpRequest, payload: OrganisationCreate) -> Any:
    organisation = services.create_organisation(caller(request), _to_model_data(payload))
    return Status(201, _out(get_object_or_404(_readable(caller(request)), pk=organisation.pk)))


@router.patch("/organisations/{organisation_id}", auth=SIGNED_IN_AUTH,
              response={200: OrganisationOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
@api_access(ORGANISATION_MANAGERS)
def update_organisation(request: HttpRequest, organisation_id: Id, payload: OrganisationIn) -> Any:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    services.update_organisation(caller(request), organisation, _to_model_data(payload))
    return _out(get_object_or_404(_readable(caller(request)), pk=organisation.pk))
