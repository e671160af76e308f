from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from hromada.volunteers.models import (
    Application,
    ApplicationEvent,
    Assignment,
    AvailabilitySlot,
    ContactCard,
    CustodyRecord,
    Desk,
    EquipmentItem,
    Referrer,
    Shift,
    Task,
    Team,
    TeamMember,
    Volunteer,
    VolunteerSkill,
)


@admin.register(Desk)
class DeskAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "signups_open", "applications_open"]
    list_editable = ["signups_open", "applications_open"]


class SkillInline(admin.TabularInline):
    model = VolunteerSkill
    extra = 0


class SlotInline(admin.TabularInline):
    model = AvailabilitySlot
    extra = 0


@admin.register(Volunteer)
class VolunteerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organization", "vetting", "vehicle", "is_active", "created_at"]
    list_filter = ["organization", "vetting", "vehicle", "is_active", "source"]
    search_fields = ["name", "phone", "email"]
    autocomplete_fields = ["user", "home_area"]
    readonly_fields = ["vetted_by", "vetted_at", "consent_at", "consent_recorded_by", "created_at"]
    inlines = [SkillInline, SlotInline]


class MemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    autocomplete_fields = ["volunteer"]


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organization", "kind", "is_active"]
    list_filter = ["organization", "kind", "is_active"]
    search_fields = ["name"]
    inlines = [MemberInline]


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 0
    fields = ["starts_at", "ends_at", "headcount", "status"]


@admin.register(Task)
class TaskAdmin(SimpleHistoryAdmin):
    list_display = ["title", "organization", "kind", "place", "status", "created_at"]
    list_filter = ["organization", "kind", "status"]
    search_fields = ["title"]
    inlines = [ShiftInline]


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["volunteer", "shift", "status", "checked_in_at", "checked_out_at"]
    list_filter = ["status", "shift__task__organization"]
    search_fields = ["volunteer__name", "shift__task__title"]
    raw_id_fields = ["shift", "volunteer"]


@admin.register(EquipmentItem)
class EquipmentAdmin(SimpleHistoryAdmin):
    list_display = ["tag", "name", "kind", "condition", "state", "organization"]
    list_filter = ["organization", "kind", "state"]
    search_fields = ["tag", "name"]


@admin.register(CustodyRecord)
class CustodyAdmin(SimpleHistoryAdmin):
    list_display = ["item", "volunteer", "team", "issued_at", "due_back", "returned_at"]
    list_filter = ["item__organization"]
    raw_id_fields = ["item", "volunteer", "team"]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # the register is a history: a correction is a new record


@admin.register(Referrer)
class ReferrerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "organization", "user"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["user"]


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    readonly_fields = ["at", "actor", "status_from", "status_to", "note"]


@admin.register(Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "name", "status", "organization", "submitted_at"]
    list_filter = ["status", "organization", "language"]
    search_fields = ["reference", "name", "email"]
    readonly_fields = ["reference", "submitted_at", "consent_at"]
    exclude = ["secret_digest"]
    inlines = [EventInline]


@admin.register(ContactCard)
class ContactCardAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
        "name",
        "organization",
        "place",
        "sensitivity",
        "audience",
        "is_active",
    ]
    list_filter = ["organization", "sensitivity", "audience", "is_active"]
    search_fields = ["title", "name"]
