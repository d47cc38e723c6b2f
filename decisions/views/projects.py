"""A project's incubation documents (issue #4): listed with their download links; staff generate
one in the other language."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.views import render_domain_error, require_perm
from decisions.forms import ProjectDocumentForm
from decisions.pdf import MissingGlyphError
from decisions.selectors import project_document_rows
from decisions.services.incubation_documents import issue_for_subject
from incubation.selectors.projects import project_with_details


@require_http_methods(["GET", "POST"])
def project_documents(request, pk):
    """A project's documents with their download links; staff generate one in the other language (POST)."""
    project = get_object_or_404(project_with_details(), pk=pk)
    require_perm(request.user, "incubation.view_project", project)
    form = ProjectDocumentForm(request.POST if request.method == "POST" else None)
    template = "decisions/project_documents.html"

    def context():
        return {"project": project, "form": form, "rows": project_document_rows(project=project),
                "can_generate": request.user.has_perm("decisions.generate_project_document", project)}

    if request.method == "GET":
        return render(request, template, context())
    require_perm(request.user, "decisions.generate_project_document", project)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return render(request, template, context(), status=400)
    try:
        issue_for_subject(project=project, subject=form.cleaned_data["subject"], language=form.cleaned_data["lang"],
                          actor=request.user)
    except DomainError as exc:
        return render_domain_error(request, exc, template, context())
    except MissingGlyphError as exc:
        messages.error(request, _("The document contains characters the PDF font cannot print: %(characters)s. "
                                  "Correct the names or texts concerned and generate it again.")
                       % {"characters": " ".join(exc.characters)})
        return render(request, template, context(), status=400)
    messages.success(request, _("The document has been generated."))
    return redirect("decisions:project_documents", pk=project.pk)
