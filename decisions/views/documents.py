"""Downloading an issued document, and the public check that a PDF is an authentic one."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from core.ratelimit import limit
from decisions.forms import VerifyDocumentForm
from decisions.selectors import document_by_sha256, document_for_download
from decisions.services.application import render_application
from decisions.services.integrity import document_file_intact
from proposals.models import Proposal


def _filename(document) -> str:
    if not document.subject:  # letters, summaries and sheets keep their names
        return document.filename
    # a project has several documents of a kind, each in two languages
    ref = document.proposal.reference if document.proposal_id and document.proposal.reference else document.proposal_id
    return f"{document.kind}-{ref}-{document.pk}-{document.language}.pdf"


def pdf_attachment(document):
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
    return pdf_attachment(document)


@login_not_required
@ratelimit(key="ip", rate=limit("verify_ip"), group="decisions.verify", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def verify(request):
    """Public: is this an authentic, unaltered pocflow document? Never shows its content."""
    checked, document, digest, intact = False, None, "", False
    if request.method == "POST":
        form = VerifyDocumentForm(request.POST, request.FILES)
        if form.is_valid():
            checked, digest = True, form.digest()
            document = document_by_sha256(sha256=digest)
            # the stored copy behind the fingerprint must still be the file that was issued
            intact = document is not None and document_file_intact(document)
    else:
        form = VerifyDocumentForm()
    context = {"form": form, "checked": checked, "document": document, "sha256": digest, "intact": intact}
    invalid = request.method == "POST" and not checked  # a missing or unusable file or fingerprint
    return render(request, "decisions/verify.html", context, status=400 if invalid else 200)


@require_GET
def application_pdf(request, pk):
    """The printable application (申报书) with the endorsement page, for the applicant and the staff who may read
    the proposal's file (never experts: blind review and conflicts govern what they see)."""
    proposal = get_object_or_404(Proposal.objects.select_related("call", "applicant"), pk=pk)
    if not request.user.has_perm("proposals.view_audit", proposal):
        raise PermissionDenied
    pdf = render_application(proposal=proposal)
    name = f"application-{proposal.reference or proposal.pk}-{proposal.language}.pdf"
    return HttpResponse(pdf, content_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'})
