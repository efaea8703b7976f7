"""Schemas of the organisations API, and the bounded types every schema and parameter of the API is built from.

Every number, decimal, id, string and list a caller sends is bounded here, once: a value out of bounds answers
422 with the structured errors, never reaches the database (where it would overflow into a 500), and the
bounds are published in the OpenAPI schema. ``test_bounds.py`` fails for an unbounded input of a new operation.
"""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination
from pydantic import ModelWrapValidatorHandler, ValidationInfo, WithJsonSchema, field_validator, model_validator
from pydantic_core import PydanticCustomError

from subsidia.organisations.models import LegalForm

# --- bounded types -----------------------------------------------------------------------------------

# JavaScript's largest safe integer: an id any client reads back exactly, far below BigAutoField's bound.
MAX_ID = 2**53
# A primary key given in a path, a query or a body.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# The version of an object (PositiveIntegerField) an edit was based on.
Version = Annotated[int, Field(ge=0, le=2**31 - 1)]
# A small count, a position or a number of weeks (PositiveSmallIntegerField).
SmallInt = Annotated[int, Field(ge=0, le=32767)]
# A year (PositiveSmallIntegerField); the services refuse years outside their own rules with 422.
Year = Annotated[int, Field(ge=1, le=9999)]
# Money in euros, as the models store it (max_digits=12, decimal_places=2): up to 9 999 999 999.99, given as
# a JSON number or a string ("6000.00"). A measured value against an indicator's target has the same bounds.
MAX_AMOUNT = Decimal("9999999999.99")
_DECIMAL_SCHEMA = {
    "anyOf": [{"type": "number", "minimum": -float(MAX_AMOUNT), "maximum": float(MAX_AMOUNT)},
              {"type": "string", "pattern": r"^-?[0-9]{1,10}(\.[0-9]{1,2})?$", "maxLength": 14}],
    "description": "a decimal with at most 10 digits before the point and 2 after",
}
Money = Annotated[Decimal, Field(max_digits=12, decimal_places=2, allow_inf_nan=False),
                  WithJsonSchema(_DECIMAL_SCHEMA)]
Measure = Money
# A decimal the service parses itself (cents, sign), listing every problem at once: only its size is bounded.
Amount = Annotated[Decimal, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, max_digits=24, allow_inf_nan=False),
                   WithJsonSchema(_DECIMAL_SCHEMA)]
# An id used as a key of a mapping, that the service looks up itself (an unknown one is among its problems).
Key = Annotated[int, Field(ge=0, le=MAX_ID)]
# Page numbers and sizes of the paginated lists.
MAX_PAGE = 100_000
MAX_PAGE_SIZE = 100
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE)]
PageSize = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)]
# Strings: the models' max_length where they have one; long texts (TextField) bounded all the same.
MAX_TEXT = 20_000
Code = Annotated[str, Field(max_length=60)]  # a code or slug (SlugField max_length=60), a choice's value
Line = Annotated[str, Field(max_length=200)]  # a name, a title, a label (CharField max_length=200)
Text = Annotated[str, Field(max_length=MAX_TEXT)]  # a description, a comment, a note (TextField)
# Lists: at most this many items in a body's list.
MAX_ITEMS = 200


IdList = Annotated[list[Id], Field(max_length=MAX_ITEMS)]


class Pages(PageNumberPagination):
    """The lists' pagination, with bounded ``page`` and ``page_size`` (ninja's own are unbounded: a page of
    10^23 overflows the database's OFFSET)."""

    class Input(Schema):
        page: PageNumber = 1
        page_size: PageSize | None = None


def _has_nul(value: Any) -> bool:
    """A NUL character anywhere in a string of ``value``: PostgreSQL refuses it in text (an error, not a 422)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def _refuse_nul(value: Any) -> None:
    if _has_nul(value):
        raise PydanticCustomError("string_nul", "Caractère nul (U+0000) non admis.")


class FilterSchema(Schema):
    """The query parameters of an operation; no string may hold a NUL character."""

    @model_validator(mode="wrap")
    @classmethod
    def _no_nul(cls, value: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo) -> Any:
        _refuse_nul(value if isinstance(value, dict) else getattr(value, "__dict__", value))
        return handler(value)


class InputSchema(Schema):
    """A request body: a JSON object, nothing else (ninja's schemas read attributes of any value, so that a
    list or a string would pass for an object whose fields are all optional), with no NUL character."""

    @model_validator(mode="wrap")
    @classmethod
    def _an_object(cls, value: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo) -> Any:
        if not isinstance(value, dict | Schema):
            raise PydanticCustomError("model_type", "Un objet JSON est attendu.")
        if isinstance(value, dict):
            _refuse_nul(value)
        return handler(value)


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


class OrganisationIn(InputSchema):
    """Fields of an organisation; on PATCH every field is optional."""

    name: str | None = Field(None, min_length=1, max_length=200)
    acronym: str | None = Field(None, max_length=40)
    legal_form: str | None = Field(None, max_length=20)
    register_number: str | None = Field(None, max_length=40)
    themes: list[Code] | None = Field(None, max_length=MAX_ITEMS, description="theme codes, e.g. domestic-violence")
    address: str | None = Field(None, max_length=200, description="street and number")
    postal_code: str | None = Field(None, max_length=12)
    municipality: str | None = Field(None, max_length=100, description="name of the municipality (commune)")
    website: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    description: str | None = Field(None, max_length=MAX_TEXT)
    listed_in_directory: bool | None = None

    @field_validator("legal_form")
    @classmethod
    def known_legal_form(cls, value: str | None) -> str | None:
        if value is not None and value not in LegalForm.values:
            raise ValueError("forme juridique inconnue ; valeurs admises : " + ", ".join(LegalForm.values))
        return value


class OrganisationCreate(OrganisationIn):
    name: str = Field(..., min_length=1, max_length=200)
    legal_form: str = Field(..., max_length=20)
