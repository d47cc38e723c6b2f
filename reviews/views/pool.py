"""Expert pool pages: the office's list, profiles and import; the expert's own profile; an
expert's conflict declaration after submitting. Each binds a form, calls one service, and maps
refusals to a message and status."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.rules import is_expert
from core.errors import DomainError
from core.listing import build_listing
from core.views import render_domain_error, require_perm
from reviews.filters import ExpertFilter
from reviews.forms.pool import (
    DeclareConflictForm,
    DetectForCallForm,
    ExpertNameForm,
    ExpertProfileForm,
    ImportForm,
    NewExpertForm,
    OwnProfileForm,
    RelationFormSet,
    UnavailabilityFormSet,
    formset_rows,
)
from reviews.models import ExpertProfile
from reviews.rules import has_conflict
from reviews.selectors.pool import (
    conflicts_of,
    open_reviews_of,
    own_profile,
    pool_profiles,
    profile_for_detail,
    profiles_with_user,
    reviews_for_declaring,
)
from reviews.services.conflicts import declare_conflict as declare_conflict_service, detect_for_call
from reviews.services.importing import COLUMNS, import_experts, import_template
from reviews.services.pool import (
    OWN_PROFILE_FIELDS,
    PERIOD_FIELDS,
    PROFILE_FIELDS,
    RELATION_FIELDS,
    create_expert,
    update_profile,
)

PAGE_SIZE = 50


def _formsets(request, profile):
    post = request.POST if request.method == "POST" else None
    return (UnavailabilityFormSet(post, instance=profile, prefix="periods"),
            RelationFormSet(post, instance=profile, prefix="relations"))


def _children(periods, relations):
    return {"periods": formset_rows(periods, PERIOD_FIELDS), "relations": formset_rows(relations, RELATION_FIELDS)}


@require_http_methods(["GET"])
def expert_list(request):
    require_perm(request.user, "reviews.manage_pool")
    listing = build_listing(request, filterset_class=ExpertFilter, queryset=pool_profiles(), per_page=PAGE_SIZE,
                            defaults={"active": "yes"})
    return render(request, "reviews/pool/list.html", {"listing": listing, "page": listing.page,
                                                      "detect_form": DetectForCallForm()})


@require_http_methods(["GET"])
def expert_detail(request, pk):
    require_perm(request.user, "reviews.manage_pool")
    try:
        profile = profile_for_detail(pk=pk)
    except ExpertProfile.DoesNotExist as exc:
        raise Http404 from exc
    open_reviews = list(open_reviews_of(expert=profile.user))
    return render(request, "reviews/pool/detail.html", {
        "profile": profile, "open_reviews": open_reviews, "conflicts": conflicts_of(expert=profile.user),
    })


@require_http_methods(["GET", "POST"])
def expert_create(request):
    require_perm(request.user, "reviews.manage_pool")
    post = request.POST if request.method == "POST" else None
    profile = ExpertProfile()
    account, form = NewExpertForm(post), ExpertProfileForm(post, instance=profile)
    periods, relations = _formsets(request, profile)
    context = {"account_form": account, "form": form, "periods": periods, "relations": relations, "creating": True}
    if post is not None and all(f.is_valid() for f in (account, form, periods, relations)):
        try:
            profile = create_expert(
                email=account.cleaned_data["email"], full_name=account.cleaned_data["full_name"], actor=request.user,
                data={k: form.cleaned_data[k] for k in PROFILE_FIELDS}, **_children(periods, relations),
            )
        except DomainError as exc:
            return render_domain_error(request, exc, "reviews/pool/form.html", context)
        messages.success(request, _("%(name)s was added to the expert pool.") % {"name": profile.user.display_name})
        return redirect("pool:detail", pk=profile.pk)
    return render(request, "reviews/pool/form.html", context, status=400 if post is not None else 200)


@require_http_methods(["GET", "POST"])
def expert_edit(request, pk):
    require_perm(request.user, "reviews.manage_pool")
    profile = get_object_or_404(profiles_with_user(), pk=pk)
    post = request.POST if request.method == "POST" else None
    name, form = ExpertNameForm(post, initial={"full_name": profile.user.full_name}), ExpertProfileForm(post, instance=profile)
    periods, relations = _formsets(request, profile)
    context = {"account_form": name, "form": form, "periods": periods, "relations": relations, "profile": profile}
    if post is not None and all(f.is_valid() for f in (name, form, periods, relations)):
        try:
            update_profile(profile=profile, data={k: form.cleaned_data[k] for k in PROFILE_FIELDS}, actor=request.user,
                           full_name=name.cleaned_data["full_name"], **_children(periods, relations))
        except DomainError as exc:
            return render_domain_error(request, exc, "reviews/pool/form.html", context)
        messages.success(request, _("The expert profile was saved."))
        return redirect("pool:detail", pk=profile.pk)
    return render(request, "reviews/pool/form.html", context, status=400 if post is not None else 200)


@require_http_methods(["GET", "POST"])
def my_profile(request):
    require_perm(request.user, "reviews.edit_own_profile")
    profile = own_profile(user=request.user) or ExpertProfile(user=request.user)
    post = request.POST if request.method == "POST" else None
    form = OwnProfileForm(post, instance=profile)
    periods, relations = _formsets(request, profile)
    context = {"form": form, "periods": periods, "relations": relations, "profile": profile, "own": True}
    if post is not None and all(f.is_valid() for f in (form, periods, relations)):
        try:
            update_profile(profile=profile, data={k: form.cleaned_data[k] for k in OWN_PROFILE_FIELDS}, actor=request.user,
                           **_children(periods, relations))
        except DomainError as exc:
            return render_domain_error(request, exc, "reviews/pool/form.html", context)
        messages.success(request, _("Your expert profile was saved."))
        return redirect("pool:me")
    return render(request, "reviews/pool/form.html", context, status=400 if post is not None else 200)


def _import_context(form, report=None):
    return {"form": form, "report": report, "columns": COLUMNS}


@require_http_methods(["GET", "POST"])
def import_view(request):
    require_perm(request.user, "reviews.manage_pool")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = import_experts(upload=form.cleaned_data["file"], actor=request.user)
        except DomainError as exc:
            return render_domain_error(request, exc, "reviews/pool/import.html", _import_context(form))
        if report.ok:
            messages.success(request, _("%(rows)s rows imported: %(created)s experts added, %(updated)s updated.") % {
                "rows": report.rows, "created": report.created, "updated": report.updated})
            return redirect("pool:list")
        messages.error(request, _("Nothing was imported: correct the rows listed below and upload the file again."))
        return render(request, "reviews/pool/import.html", _import_context(form, report), status=400)
    return render(request, "reviews/pool/import.html", _import_context(form), status=400 if form.is_bound else 200)


CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@require_http_methods(["GET"])
def import_template_view(request, fmt):
    require_perm(request.user, "reviews.manage_pool")
    if fmt not in CONTENT_TYPES:
        raise Http404
    chinese = translation.get_language().startswith("zh")
    response = HttpResponse(import_template(file_format=fmt, chinese=chinese), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="expert-pool-template.{fmt}"'
    return response


@require_POST
def detect_call_view(request):
    require_perm(request.user, "reviews.manage_pool")
    form = DetectForCallForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a call."))
        return redirect("pool:list")
    found = detect_for_call(call=form.cleaned_data["call"], actor=request.user)
    messages.success(request, _("Conflict check done for %(call)s: %(count)s new conflicts of interest.") % {
        "call": form.cleaned_data["call"], "count": len(found)})
    return redirect("pool:list")


@require_http_methods(["GET", "POST"])
def declare_conflict(request, review_pk):
    review = get_object_or_404(reviews_for_declaring(), pk=review_pk)
    if not is_expert(request.user) or review.expert_id != request.user.pk or has_conflict(request.user, review.proposal):
        raise PermissionDenied  # a conflicted expert never sees the proposal again
    form = DeclareConflictForm(request.POST or None)
    context = {"review": review, "form": form, "allowed": request.user.has_perm("reviews.declare_conflict", review)}
    if request.method == "POST" and form.is_valid():
        try:
            declare_conflict_service(review=review, expert=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            return render_domain_error(request, exc, "reviews/pool/declare_conflict.html", context)
        messages.success(request, _("Your conflict of interest was recorded; your review no longer counts for this proposal."))
        return redirect("reviews:mine")
    return render(request, "reviews/pool/declare_conflict.html", context, status=400 if form.is_bound else 200)
