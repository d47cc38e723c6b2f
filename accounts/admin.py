from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((_("pocflow"), {"fields": ("full_name", "organisation", "language", "phone")}),)
    list_display = ("username", "full_name", "email", "organisation", "is_active")
    search_fields = ("username", "full_name", "email")
    list_filter = ("groups", "is_active")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    search_fields = ("name", "name_en")
