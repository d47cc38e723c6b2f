from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from decisions.models import Document


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Issued documents are immutable and never deleted: anyone holding one must be able to verify it."""

    list_display = ("created_at", "kind", "proposal", "call", "language", "template_version", "sha256", "size")
    list_filter = ("kind", "language")
    search_fields = ("sha256", "proposal__reference")
