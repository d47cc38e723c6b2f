"""A project's documents (agreement, tranche notices, acceptance certificate, conversion notice)
for the project page, which includes decisions/_project_documents.html: incubation never
imports decisions in Python.

    {% load project_documents %}{% project_documents project as documents %}
    {% latest_agreement_document project as agreement_pdf %}
"""

from dataclasses import dataclass

from django import template

from decisions.selectors import ProjectDocumentRow, latest_agreement_document as latest_agreement, project_document_rows

register = template.Library()


@dataclass
class ProjectDocuments:
    rows: list[ProjectDocumentRow]
    can_generate: bool  # staff may generate the other language


@register.simple_tag(takes_context=True)
def project_documents(context, project) -> ProjectDocuments:
    """The documents the current user may download (all of them, or none: one predicate per project)."""
    user = context["request"].user
    if not user.has_perm("incubation.view_project", project):
        return ProjectDocuments(rows=[], can_generate=False)
    return ProjectDocuments(rows=project_document_rows(project=project),
                            can_generate=user.has_perm("decisions.generate_project_document", project))


@register.simple_tag(takes_context=True)
def latest_agreement_document(context, project):
    """The latest issue of the funding agreement PDF for the agreement page, or None."""
    user = context["request"].user
    if not user.has_perm("incubation.view_project", project):
        return None
    return latest_agreement(project=project)
