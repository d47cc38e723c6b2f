"""Incubation services. The project lifecycle lives in `projects`; money in `money`; each
other area (agreement, reports, mid-term, changes, acceptance, outcomes, commissions) has its module."""

from incubation.services.projects import close_project, record_progress, start_project

__all__ = ["close_project", "record_progress", "start_project"]
