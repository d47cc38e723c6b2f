from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.views import render_domain_error, require_perm
from proposals.models import Call
from reviews.forms.scoring import CriterionBandsForm
from reviews.selectors.scoring import expert_dashboard, rubric as rubric_of
from reviews.services.rubric import LETTERS, even_bands, save_rubric_bands

BAND_FIELDS = ("min_score", "max_score", "description_zh", "description_en")


def mine(request):
    """The expert's own page: tasks and drafts by deadline, submitted reviews, declared conflicts."""
    require_perm(request.user, "reviews.expert_area")
    return render(request, "reviews/mine.html", expert_dashboard(expert=request.user))


def _band_initial(criterion):
    return {f"{b.band}_{name}": getattr(b, name) for b in criterion.bands.all() for name in BAND_FIELDS}


def _typed_initial(data, criterion):
    """What was typed for one criterion, as initial values (used when re-rendering without errors)."""
    prefix = f"c{criterion.pk}-"
    return {key[len(prefix):]: value for key, value in data.items() if key.startswith(prefix)}


@require_http_methods(["GET", "POST"])
def rubric(request, pk):
    """Rubric levels: the four bands A–D of every criterion of a call."""
    require_perm(request.user, "proposals.manage_calls")
    call = get_object_or_404(Call, pk=pk)
    criteria = list(rubric_of(call=call))
    fill = request.POST.get("fill_even")
    if request.method == "POST" and fill:
        # offer the even defaults for one criterion: fill its fields, keep everything else as typed, save nothing
        data = request.POST.copy()
        target = next((c for c in criteria if str(c.pk) == fill), None)
        if target is not None:
            for letter, values in even_bands(target).items():
                for name in BAND_FIELDS:
                    data[f"c{target.pk}-{letter}_{name}"] = str(values[name])
            messages.info(request, _("Suggested levels filled in for %(criterion)s. Check them and save.") % {
                "criterion": target.name})
        forms = [CriterionBandsForm(criterion=c, prefix=f"c{c.pk}", initial=_typed_initial(data, c)) for c in criteria]
        return render(request, "reviews/rubric/edit.html", {"call": call, "forms": forms, "letters": LETTERS})
    forms = [CriterionBandsForm(request.POST or None, criterion=c, prefix=f"c{c.pk}", initial=_band_initial(c))
             for c in criteria]
    context = {"call": call, "forms": forms, "letters": LETTERS}
    if request.method == "POST":
        if not all(f.is_valid() for f in forms):
            messages.error(request, _("Some levels need attention. Nothing was saved."))
            return render(request, "reviews/rubric/edit.html", context, status=400)
        try:
            save_rubric_bands(call=call, bands={f.criterion.pk: f.bands() for f in forms}, actor=request.user)
        except DomainError as exc:
            return render_domain_error(request, exc, "reviews/rubric/edit.html", context)
        messages.success(request, _("The rubric levels were saved."))
        return redirect("proposals:call", pk=call.pk)
    return render(request, "reviews/rubric/edit.html", context)
