from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from hromada.funds.models import ExchangeRate, Expense, Fund


@admin.register(Fund)
class FundAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organization", "base_currency", "is_public", "approval_threshold"]
    list_filter = ["is_public", "organization"]
    search_fields = ["name"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["on", "currency", "quote", "rate", "source"]
    list_filter = ["currency"]


@admin.register(Expense)
class ExpenseAdmin(SimpleHistoryAdmin):
    """Read-only: money moves through the services (approval, corrections), never by hand."""

    list_display = ["spent_on", "fund", "purpose", "amount", "currency", "status"]
    list_filter = ["status", "fund"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
