"""The admin shows tracing rows by number only: names and whereabouts are read in the
audited pages, not here."""

from django.contrib import admin

from hromada.tracing.models import ImportJob, Transfer


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin):
    list_display = ["pk", "recipient", "format", "count", "created_at", "created_by"]
    readonly_fields = ["recipient", "format", "count", "sha256", "created_by", "created_at"]
    exclude = ["records"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["pk", "filename", "status", "created", "created_by", "created_at"]
    readonly_fields = ["filename", "format", "status", "total", "done", "created", "errors"]
    exclude = ["file"]
