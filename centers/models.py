"""The operating center (概念验证中心): its identity on every letter (names in both languages, logo, seal,
address, contact) and its document-number scheme (文号, e.g. 杭概证〔2026〕12号). One default center today;
issue #17 makes calls and funds belong to a center."""

from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.i18n import localized
from core.images import validate_identity_image


class Center(models.Model):
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    address_zh = models.CharField(_("address (Chinese)"), max_length=300, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=300, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="centers/", blank=True, help_text=_("PNG or JPEG, at most 2 MB."),
                             validators=[FileExtensionValidator(["png", "jpg", "jpeg"]), validate_identity_image])
    seal = models.ImageField(_("seal"), upload_to="centers/", blank=True,
                             help_text=_("The official seal as a PNG with a transparent background, at most 2 MB; "
                                         "printed over the signature of decision letters."),
                             validators=[FileExtensionValidator(["png", "jpg", "jpeg"]), validate_identity_image])
    number_prefix = models.CharField(_("document number prefix"), max_length=20, blank=True,
                                     help_text=_("E.g. 杭概证: letters are numbered 杭概证〔2026〕12号."))
    is_default = models.BooleanField(_("operating center"), default=False)

    class Meta:
        verbose_name = _("center")
        verbose_name_plural = _("centers")
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True),
                                               name="one_default_center")]

    def __str__(self):
        return self.name_zh

    def name_in(self, language):
        return localized(self, "name", language)

    def address_in(self, language):
        return localized(self, "address", language)


class DocumentNumberCounter(models.Model):
    """The last document number a center gave in a year; allocated under a row lock (centers.services)."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["center", "year"], name="one_counter_per_center_and_year")]

    def __str__(self):
        return f"{self.center_id}/{self.year}: {self.last}"
