
from datetime import date
from typing import Annotated

from ninja import Field, Schema
from pydantic import field_validator

from subsidia.organisations.models import LegalForm

# A primary key (BigAutoField): a larger number would not even reach the database (422, not a 500).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class ErrorItem(Schema):
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    errors: list[ErrorItem]


class ContactOut(Schema):
    id: int
    name: str
    function: str
    email: str
    phone: str
    is_public: bool = Field(..., description="false: an internal contact (the organisation and the ministry only)")


class ServiceOut(Schema):
    id: int
    kind: str
    name: str
    capacity: int | None
    municipality: str | None = Field(None, alias="municipality.name")
    phone: str
    is_public: bool = Field(..., description="false: a confidential service, e.g. a shelter (the organisation and "
                                             "the ministry only)")


class OrganisationOut(Schema):
    id: int
    name: str
    acronym: str
    legal_form: str
    register_number: str
    themes: list[str]
    address: str
    municipality: str | None
    website: str
    email: str
    phone: str
    listed_in_directory: bool
    last_verified_on: date | None
    contacts: list[ContactOut]
    services: list[ServiceOut]


class OrganisationIn(Schema):
    """Fields of an organisation; on PATCH every field is optional."""

    name: str | None = Field(None, min_length=1, max_length=200)
    acronym: str | None = Field(None, max_length=40)
    legal_form: str | None = None
    register_number: str | None = Field(None, max_length=40)
    themes: list[str] | None = Field(None, description="theme codes, e.g. domestic-violence")
    address: str | None = Field(None, max_length=200, description="street and number")
    postal_code: str | None = Field(None, max_length=12)
    municipality: str | None = Field(None, description="name of the municipality (commune)")
    website: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    description: str | None = None
    listed_in_directory: bool | None = None

    @field_validator("legal_form")
    @classmethod
    def known_legal_form(cls, value: str | None) -> str | None:
        if value is not None and value not in LegalForm.values:
            raise ValueError("forme juridique inconnue ; valeurs admises : " + ", ".join(LegalForm.values))
        return value


class OrganisationCreate(OrganisationIn):
    name: str = Field(..., min_length=1, max_length=200)
    legal_form: str
