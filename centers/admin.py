from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from centers.models import Center


@admin.register(Center)
class CenterAdmin(admin.ModelAdmin):
    list_display = ("name_zh", "name_en", "number_prefix", "is_default")
    fieldsets = (
        (None, {"fields": ("name_zh", "name_en", "is_default")}),
        (_("Address and contact"), {"fields": ("address_zh", "address_en", "contact_person", "phone", "email", "website")}),
        (_("On documents"), {"fields": ("logo", "seal", "number_prefix")}),
    )
