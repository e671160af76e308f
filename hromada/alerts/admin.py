"""Admin: feeds and templates are configured here; published alerts are read-only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from hromada.alerts.models import (
    Alert,
    AlertInfo,
    AlertTemplate,
    Delivery,
    Display,
    Feed,
    FeedItem,
    Subscription,
)


class AlertInfoInline(admin.StackedInline):
    model = AlertInfo
    extra = 0
    can_delete = False
    fields = ("language", "event", "headline", "description", "instruction", "severity", "expires")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(SimpleHistoryAdmin):
    """Alerts change only through the workflow (the desk, the API): here they are read."""

    list_display = [
        "__str__",
        "msg_type",
        "status",
        "state",
        "severity",
        "organization",
        "sent",
        "expires_at",
    ]
    list_filter = ["state", "msg_type", "status", "severity", "organization", "feed"]
    search_fields = ["identifier", "sender", "infos__headline", "infos__event"]
    inlines = [AlertInfoInline]
    exclude = ["references", "editors", "areas"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return (
            super().get_queryset(request).select_related("organization").prefetch_related("infos")
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AlertTemplate)
class AlertTemplateAdmin(SimpleHistoryAdmin):
    list_display = [
        "name_uk",
        "name_en",
        "msg_type",
        "category",
        "severity",
        "duration",
        "organization",
        "is_active",
    ]
    list_filter = ["is_active", "category", "organization"]


@admin.register(Display)
class DisplayAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organization", "area", "last_seen_at", "is_active"]
    list_filter = ["organization", "is_active"]
    readonly_fields = ["last_seen_at", "last_seen_ip", "last_user_agent"]


@admin.register(Feed)
class FeedAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "organization", "is_active", "last_ok_at", "last_error"]
    list_filter = ["kind", "is_active"]
    readonly_fields = ["last_polled_at", "last_ok_at", "last_error"]


@admin.register(FeedItem)
class FeedItemAdmin(admin.ModelAdmin):
    list_display = ["key", "feed", "alert", "error", "seen_at"]
    list_filter = ["feed"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["channel", "address", "language", "confirmed_at", "unsubscribed_at"]
    list_filter = ["channel", "language"]
    search_fields = ["address"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["alert", "channel", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "channel"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
