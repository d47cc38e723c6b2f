"""Incubation services. The project lifecycle lives in `projects`; money in `money`; each
other area (agreement, reports, mid-term, changes, acceptance, outcomes, commissions) has its module.
Every status change (project, milestone, agreement, tranche, report, change request, patent) goes
through its machine's door in `transitions`."""

from incubation.services.projects import close_project, record_progress, start_project

__all__ = ["close_project", "record_progress", "start_project"]
