from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _, ngettext

from accounts.models import Organisation, User
from accounts.services.two_factor import reset_two_factor


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((_("pocflow"), {"fields": ("full_name", "organisation", "language", "phone")}),)
    list_display = ("username", "full_name", "email", "organisation", "is_active")
    search_fields = ("username", "full_name", "email")
    list_filter = ("groups", "is_active")
    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-factor login (remove the authenticator)"), permissions=["change"])
    def reset_two_factor(self, request, queryset):
        removed = reset_two_factor(users=queryset)
        self.message_user(request, ngettext("%(count)d authenticator removed.", "%(count)d authenticators removed.",
                                           removed) % {"count": removed}, messages.SUCCESS)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    search_fields = ("name", "name_en")
