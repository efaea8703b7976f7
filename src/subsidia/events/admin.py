"""The technical administrator reads events, their programme, registrations, evaluation and photos here;
changes go through the officers' pages and the API, whose services check the rules and write the audit trail."""

from django.contrib import admin

from subsidia.core.admin import ReadOnlyAdmin

from .models import (
    Block,
    BlockChoice,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationResponse,
    Event,
    Photo,
    Registration,
    Session,
)


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["title", "starts_at", "status", "capacity", "registration_data_deleted_at",
                    "evaluation_published_at", "is_example"]
    list_filter = ["status", "is_example"]
    search_fields = ["title", "slug", "place"]
    date_hierarchy = "starts_at"


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    list_display = ["title", "event", "kind", "capacity", "position"]
    list_filter = ["kind"]
    search_fields = ["title", "event__title"]


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ["title", "event", "block", "room", "starts_at", "ends_at"]
    search_fields = ["title", "event__title"]


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ["full_name", "event", "status", "created_at", "checked_in_at"]
    list_filter = ["status"]
    search_fields = ["full_name", "email", "event__title"]


@admin.register(BlockChoice)
class BlockChoiceAdmin(ReadOnlyAdmin):
    list_display = ["registration", "block", "rank", "allocated"]


@admin.register(EvaluationQuestion)
class EvaluationQuestionAdmin(ReadOnlyAdmin):
    list_display = ["text", "event", "kind", "required", "position"]
    list_filter = ["kind"]


@admin.register(EvaluationResponse)
class EvaluationResponseAdmin(ReadOnlyAdmin):
    # Answers are anonymous: the registration they came through is not listed.
    list_display = ["event", "submitted_at"]
    exclude = ["registration"]


@admin.register(EvaluationAnswer)
class EvaluationAnswerAdmin(ReadOnlyAdmin):
    list_display = ["question", "rating", "choice"]


@admin.register(Photo)
class PhotoAdmin(ReadOnlyAdmin):
    list_display = ["caption", "event", "credit", "position", "uploaded_at"]
    search_fields = ["caption", "credit", "event__title"]
