"""The technical administrator reads the dialogue's series, meetings, minutes and action items here; changes
go through the pages and the API, whose services check the rules, keep calendars in step and write the audit
trail."""

from django.contrib import admin

from subsidia.core.admin import ReadOnlyAdmin

from .models import ActionItem, AgendaItem, Attendance, Meeting, MeetingDecision, MeetingSeries


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(ReadOnlyAdmin):
    list_display = ["title", "department", "cadence", "first_starts_at", "is_active", "is_example"]
    list_filter = ["cadence", "is_active", "department"]
    search_fields = ["title", "department__name"]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["series", "starts_at", "ends_at", "place", "status", "minutes_published_at",
                    "invitations_sent_at"]
    list_filter = ["status", "series"]
    search_fields = ["series__title", "place"]
    date_hierarchy = "starts_at"


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "meeting", "organisation", "proposed_by", "status"]
    list_filter = ["status"]
    search_fields = ["title", "meeting__series__title", "organisation__name"]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ["person_name", "organisation", "meeting", "status"]
    list_filter = ["status"]
    search_fields = ["person_name", "organisation__name"]


@admin.register(MeetingDecision)
class MeetingDecisionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "meeting", "position"]
    search_fields = ["text", "meeting__series__title"]


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "series", "owner", "owner_organisation", "due_on", "status", "closed_at"]
    list_filter = ["status", "series"]
    search_fields = ["title", "owner_organisation__name", "owner__email"]
