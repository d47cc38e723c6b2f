from django.core.exceptions import PermissionDenied
from django.db import models, router
from django.utils.translation import gettext_lazy as _

from core import chain


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


class ChainedQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Rows created together are sealed, in order, after their transaction commits."""
        created = super().bulk_create(objs, *args, **kwargs)
        chain.seal_after_commit(self.model, self.db)
        return created


class Chained(AppendOnly):
    """An append-only record whose rows form a hash chain (core.chain): the audit trail, the ledger.
    Rows are sealed into the chain right after their transaction commits."""

    chain_seq = models.BigIntegerField(null=True, blank=True, unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    row_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = ChainedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        chain.seal_after_commit(type(self), kwargs.get("using") or router.db_for_write(type(self), instance=self))


class DeliveryQuerySet(models.QuerySet):
    """The states of an owed delivery, named once for the outbox, the staff page, /readyz and /metrics."""

    def owed(self):  # not delivered: waiting or given up
        return self.filter(done_at__isnull=True)

    def waiting(self):
        return self.owed().filter(failed_at__isnull=True)

    def given_up(self):
        return self.owed().filter(failed_at__isnull=False)

    def delivered(self):
        return self.filter(done_at__isnull=False)


class Delivery(models.Model):
    """A side effect a change owes (a document to render, a mail to send, later a webhook), written in
    the same transaction as the change and delivered after commit by `core.outbox` — inline without a
    broker, by a Celery worker with one — retried with backoff until done or given up.

    `key` makes it idempotent: the same owed effect is recorded once, and delivered once. Rows are kept
    after delivery (they are the record that the effect happened). A row is *pending* while neither
    `done_at` nor `failed_at` is set, *failed* once retries ran out (staff can retry it)."""

    kind = models.CharField(_("kind"), max_length=60)
    key = models.CharField(_("key"), max_length=200, unique=True)
    # what it is about, e.g. "proposal:12": the applicant's page asks for what is still owed on it
    subject = models.CharField(_("subject"), max_length=60, blank=True, db_index=True)
    payload = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), db_index=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    done_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("given up at"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["done_at", "failed_at", "next_attempt_at"], name="delivery_due")]
        verbose_name = _("owed delivery")
        verbose_name_plural = _("owed deliveries")

    def __str__(self):
        return f"{self.kind} {self.key}"

    SUBJECT_LABELS = {
        "proposal": _("Proposal no. %(id)s"),
        "user": _("Account no. %(id)s"),
        "project": _("Project no. %(id)s"),
        "notice": _("Public notice no. %(id)s"),
        "call": _("Call no. %(id)s"),
    }

    @property
    def subject_label(self) -> str:
        """`proposal:12` as the reader says it (申报项目 12号 / Proposal no. 12); an unknown kind as stored."""
        kind, _sep, ident = self.subject.partition(":")
        label = self.SUBJECT_LABELS.get(kind)
        return str(label % {"id": ident}) if label and ident else self.subject

    @property
    def is_pending(self) -> bool:
        return self.done_at is None and self.failed_at is None
