from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from hromada.reports.models import (
    Claim,
    Document,
    Incident,
    MediaItem,
    Party,
    Sitrep,
    SitrepSnapshot,
    Source,
    Verification,
)


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ["code", "name_uk", "name_en"]


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "scale", "party", "reliability", "independence_group"]
    list_filter = ["kind", "scale", "reliability", "party"]
    search_fields = ["name_uk", "name_en", "independence_group"]


@admin.register(Document)
class DocumentAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "source", "published_at", "archive_status", "retracted_at"]
    list_filter = ["archive_status", "source__kind"]
    search_fields = ["title", "url", "excerpt"]
    raw_id_fields = ["source", "origin", "cites_document", "cites_source"]
    readonly_fields = ["archive_sha256", "archive_content_type", "archived_at", "origin"]


@admin.register(Claim)
class ClaimAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "metric", "as_of", "basis", "source_status", "assessment"]
    list_filter = ["metric", "basis", "source_status", "assessment", "control", "measure"]
    search_fields = ["value_text", "source__name_en", "source__name_uk"]
    raw_id_fields = ["document", "source", "incident", "area", "supersedes", "part_of"]


@admin.register(Incident)
class IncidentAdmin(SimpleHistoryAdmin):
    list_display = ["code", "kind", "occurred_latest", "area", "grade", "status"]
    list_filter = ["kind", "grade", "status"]
    search_fields = ["code", "description"]
    raw_id_fields = ["area", "merged_into", "reported_by"]


@admin.register(Sitrep)
class SitrepAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "organization", "cutoff", "status"]
    list_filter = ["status", "organization"]
    raw_id_fields = ["area", "superseded_by"]
    # Figures are frozen in the snapshot: the admin changes neither.
    readonly_fields = ["status", "approved_by", "approved_at", "published_at"]


@admin.register(SitrepSnapshot)
class SitrepSnapshotAdmin(admin.ModelAdmin):
    list_display = ["sitrep", "sha256", "created_at"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(MediaItem)
class MediaItemAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "platform", "first_seen_at", "recycled_found_at"]
    list_filter = ["platform", "kind"]
    search_fields = ["url", "caption", "sha256", "phash"]
    raw_id_fields = ["recycled_of"]


@admin.register(Verification)
class VerificationAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "status", "proposed_status", "updated_at"]
    list_filter = ["status"]
    raw_id_fields = ["media"]
