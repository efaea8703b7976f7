"""The technical administrator reads conventions, their schedules and yearly reports here; changes go through
the pages and the API, whose services check the rules, keep the schedule in step and write the audit trail."""

from django.contrib import admin

from subsidia.core.admin import ReadOnlyAdmin

from .models import (
    Amendment,
    AmendmentLine,
    Convention,
    ConventionDomain,
    DomainSpending,
    Indicator,
    IndicatorValue,
    ReportDocument,
    ScheduledPayment,
    YearlyReport,
)


@admin.register(Convention)
class ConventionAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "organisation", "department", "starts_on", "ends_on", "signed_on",
                    "terminated_on", "is_example"]
    list_filter = ["department", "is_example"]
    search_fields = ["reference", "title", "organisation__name", "organisation__acronym"]
    date_hierarchy = "starts_on"


@admin.register(ConventionDomain)
class ConventionDomainAdmin(ReadOnlyAdmin):
    list_display = ["convention", "activity", "yearly_amount", "fte"]
    list_filter = ["activity"]
    search_fields = ["convention__reference", "convention__organisation__name", "activity__name"]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["name", "unit", "yearly_target", "domain"]
    search_fields = ["name", "domain__convention__reference"]


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyAdmin):
    list_display = ["convention", "number", "signed_on", "effective_from", "previous_ends_on", "ends_on"]
    search_fields = ["convention__reference", "summary"]


@admin.register(AmendmentLine)
class AmendmentLineAdmin(ReadOnlyAdmin):
    list_display = ["amendment", "domain", "yearly_amount", "fte"]
    search_fields = ["amendment__convention__reference"]


@admin.register(ScheduledPayment)
class ScheduledPaymentAdmin(ReadOnlyAdmin):
    list_display = ["convention", "year", "kind", "position", "due_on", "amount", "paid_on", "payment_reference"]
    list_filter = ["kind", "year"]
    search_fields = ["convention__reference", "convention__organisation__name", "payment_reference"]
    date_hierarchy = "due_on"


@admin.register(YearlyReport)
class YearlyReportAdmin(ReadOnlyAdmin):
    list_display = ["convention", "year", "kind", "status", "due_on", "submitted_at", "reviewed_at"]
    list_filter = ["status", "kind", "year"]
    search_fields = ["convention__reference", "convention__organisation__name"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReadOnlyAdmin):
    list_display = ["report", "indicator", "value"]
    search_fields = ["report__convention__reference", "indicator__name"]


@admin.register(DomainSpending)
class DomainSpendingAdmin(ReadOnlyAdmin):
    list_display = ["report", "domain", "spent"]
    search_fields = ["report__convention__reference"]


@admin.register(ReportDocument)
class ReportDocumentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "report", "content_type", "size", "uploaded_at"]
    search_fields = ["original_name", "report__convention__reference"]
