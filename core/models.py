from django.core.exceptions import PermissionDenied
from django.db import models


class AppendOnly(models.Model):
    """Rows that record a decision, a payment or an act: written once, never edited or deleted.

    Every append-only model (audit trail, ledger, approvals, payable ledger, review snapshots,
    mid-term checks, acceptance rounds, settlements) inherits this base."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(f"{type(self).__name__} rows are append-only.")
