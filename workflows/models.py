from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process


class ProposalProcess(Process):
    """The work layer of one proposal: its viewflow process (no `status` of our own)."""

    proposal = models.OneToOneField("proposals.Proposal", on_delete=models.PROTECT, related_name="process")

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("proposal process")
        verbose_name_plural = _("proposal processes")

    def __str__(self):
        return str(self.proposal)
