from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from pocflow.fsm import SafeConcurrentTransitionMixin

from incubation.enums import MilestoneStatus, ProjectStatus


class Project(SafeConcurrentTransitionMixin, models.Model):
    """A funded proposal under incubation, with its own lifecycle."""

    proposal = models.OneToOneField("proposals.Proposal", on_delete=models.PROTECT, related_name="project")
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_projects")
    status = FSMField(_("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE, protected=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self):
        return str(self.proposal)

    @transition(field=status, source=ProjectStatus.ACTIVE, target=ProjectStatus.GRADUATED)
    def graduate(self):
        self.closed_at = timezone.now()

    @transition(field=status, source=ProjectStatus.ACTIVE, target=ProjectStatus.TERMINATED)
    def terminate(self):
        self.closed_at = timezone.now()


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=20, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["project", "due_date", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self):
        return self.title


class ProgressNote(models.Model):
    """Progress recorded by the incubation manager, optionally against a milestone."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="progress_notes")
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="progress_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("progress"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")

    def __str__(self):
        return self.note[:60]
