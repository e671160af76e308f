from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from hromada.aid.models import Item, Need


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["name_uk", "name_en", "category", "unit", "perishable", "is_active"]
    list_filter = ["category", "perishable", "is_active"]
    search_fields = ["name_uk", "name_en", "code"]


@admin.register(Need)
class NeedAdmin(SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "priority",
        "status",
        "quantity",
        "quantity_covered",
        "unit",
        "needed_by",
        "updated_at",
    ]
    list_filter = ["status", "priority", "item__category", "place__organization"]
    search_fields = ["title", "item__name_uk", "item__name_en", "place__name"]
    autocomplete_fields = ["place", "item"]
    readonly_fields = ["created_by", "created_at", "updated_at", "closed_at"]
