from django.contrib import admin

from decisions.models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Issued documents are immutable: their SHA-256 is what verification checks."""

    list_display = ("created_at", "kind", "proposal", "language", "template_version", "sha256", "size")
    list_filter = ("kind", "language")
    search_fields = ("sha256", "proposal__reference")
    readonly_fields = ("proposal", "kind", "language", "template_version", "sha256", "size", "file", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
