from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from decisions.forms import PanelSheetForm, ProjectDocumentForm, VerifyDocumentForm
from decisions.incubation_documents import issue_for_subject
from decisions.pdf import MissingGlyphError
from decisions.selectors import (
    document_by_sha256, document_for_download, latest_panel_sheet, panel_sheets, project_document_rows,
)
from decisions.services import issue_panel_sheet
from incubation.selectors.projects import project_with_details
from core.views import render_domain_error, require_perm
from core.errors import DomainError
from proposals.models import Call


def _filename(document) -> str:
    if not document.subject:  # letters, summaries and sheets keep their names
        return document.filename
    # a project has several documents of a kind, each in two languages
    ref = document.proposal.reference if document.proposal_id and document.proposal.reference else document.proposal_id
    return f"{document.kind}-{ref}-{document.pk}-{document.language}.pdf"


def _attachment(document):
    return FileResponse(
        document.file.open("rb"), as_attachment=True, filename=_filename(document), content_type="application/pdf"
    )


@require_GET
def download(request, pk):
    document = document_for_download(pk=pk)
    if document is None:
        raise Http404
    if not request.user.has_perm("decisions.download_document", document):
        raise PermissionDenied
    return _attachment(document)


@require_http_methods(["GET", "POST"])
def panel_sheet(request, pk):
    """The call's panel score sheet: GET ?lang= downloads the latest, POST generates one."""
    call = get_object_or_404(Call.objects.select_related("fund"), pk=pk)
    require_perm(request.user, "decisions.panel_sheet", call)
    data = request.POST if request.method == "POST" else (request.GET if "lang" in request.GET else None)
    form = PanelSheetForm(data, initial={"lang": "en" if request.LANGUAGE_CODE == "en" else "zh-hans"})
    context = {"call": call, "form": form, "sheets": panel_sheets(call=call)}
    template = "decisions/panel_sheet_page.html"
    if data is None:
        return render(request, template, context)
    if not form.is_valid():
        return render(request, template, context, status=400)
    language = form.cleaned_data["lang"]
    if request.method == "GET":
        document = latest_panel_sheet(call=call, language=language)
        if document is None:
            messages.error(request, _("No panel score sheet has been generated in this language yet."))
            return render(request, template, context, status=404)
        return _attachment(document)
    try:
        document = issue_panel_sheet(call=call, language=language, issued_by=request.user)
    except DomainError as exc:
        return render_domain_error(request, exc, template, context)
    except MissingGlyphError as exc:
        messages.error(request, _("The sheet contains characters the PDF font cannot print: %(characters)s. Correct the "
                                  "names or texts concerned and generate it again.") % {"characters": " ".join(exc.characters)})
        return render(request, template, context, status=400)
    return redirect("decisions:download", pk=document.pk)


@login_not_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """Public: is this an authentic, unaltered pocflow document? Never shows its content."""
    checked, document, digest = False, None, ""
    if request.method == "POST":
        form = VerifyDocumentForm(request.POST, request.FILES)
        if form.is_valid():
            checked, digest = True, form.digest()
            document = document_by_sha256(sha256=digest)
    else:
        form = VerifyDocumentForm()
    context = {"form": form, "checked": checked, "document": document, "sha256": digest}
    return render(request, "decisions/verify.html", context)


# -- the incubation documents (issue #4) ------------------------------------------------------

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
