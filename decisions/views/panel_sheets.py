"""The call's panel score sheet (专家组汇总表): download the latest, or generate one."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.views import render_domain_error, require_perm
from decisions.forms import PanelSheetForm
from decisions.pdf import MissingGlyphError
from decisions.selectors import latest_panel_sheet, panel_sheets
from decisions.services.review_documents import issue_panel_sheet
from decisions.views.documents import pdf_attachment
from proposals.selectors import all_calls


@require_http_methods(["GET", "POST"])
def panel_sheet(request, pk):
    """The call's panel score sheet: GET ?lang= downloads the latest, POST generates one."""
    call = get_object_or_404(all_calls(), pk=pk)
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
        return pdf_attachment(document)
    try:
        document = issue_panel_sheet(call=call, language=language, issued_by=request.user)
    except DomainError as exc:
        return render_domain_error(request, exc, template, context)
    except MissingGlyphError as exc:
        messages.error(request, _("The sheet contains characters the PDF font cannot print: %(characters)s. Correct the "
                                  "names or texts concerned and generate it again.") % {"characters": " ".join(exc.characters)})
        return render(request, template, context, status=400)
    return redirect("decisions:download", pk=document.pk)
