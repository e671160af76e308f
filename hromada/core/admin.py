from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from hromada.core.models import (
    ApiToken,
    Area,
    AuditEvent,
    Membership,
    Organization,
    Place,
    Role,
    User,
)


class MembershipForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Membership
        fields = ["user", "organization", "roles"]


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Hromada"), {"fields": ("name", "phone", "language", "time_zone", "telegram_id")}),
    )
    list_display = ["username", "name", "phone", "is_active", "is_staff", "last_login"]
    search_fields = ["username", "name", "email", "phone"]
    inlines = [MembershipInline]


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "parent", "phone"]
    list_filter = ["kind"]
    search_fields = ["name", "email", "phone"]
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    form = MembershipForm
    list_display = ["user", "organization", "roles"]
    list_filter = ["organization"]
    search_fields = ["user__username", "user__name", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name_uk", "name_en", "level", "code", "parent"]
    list_filter = ["level"]
    search_fields = ["name_uk", "name_en", "code"]
    autocomplete_fields = ["parent"]


@admin.register(Place)
class PlaceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "organization", "area", "sensitivity", "is_active"]
    list_filter = ["kind", "sensitivity", "is_active", "organization"]
    search_fields = ["name", "address", "organization__name"]
    autocomplete_fields = ["organization", "area"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor", "object_repr", "ip"]
    list_filter = ["action"]
    search_fields = ["action", "object_repr", "actor__username", "ip"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "user__username"]
    readonly_fields = ["user", "name", "hint", "created_at", "last_used_at"]
    fields = ["user", "name", "hint", "created_at", "last_used_at", "revoked_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
