"""Staff re-issue a decision letter: a new version after commit, the old one kept and verifiable."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from decisions.forms import ReissueLetterForm
from decisions.services.letters import LETTERS, reissue_letter
from proposals.models import Proposal


@require_POST
def reissue(request, pk, kind):
    proposal = get_object_or_404(Proposal.objects.select_related("call", "applicant"), pk=pk)
    if kind not in LETTERS or not request.user.has_perm("decisions.reissue_letter", proposal):
        raise PermissionDenied
    form = ReissueLetterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for re-issuing the letter."))
    else:
        try:
            version = reissue_letter(proposal=proposal, kind=kind, actor=request.user,
                                     reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Version %(version)d of the letter is being prepared; it appears here "
                                        "in a moment and the applicant is told by mail.") % {"version": version})
    return redirect("proposals:detail", pk=proposal.pk)
