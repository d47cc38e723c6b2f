"""Public notice (公示) pages: anyone reads notices and lodges objections; program officers publish and resolve.

Lodging is rate limited (core.ratelimit): every POST counts against the sender's address
(`objection_ip`); a well-formed objection also counts against the notice (`objection_notice`) and
the e-mail address that is to confirm it (`objection_email`), so a typo does not cost one of the few
objections an address may lodge. Over a limit the request raises `Ratelimited` (429 through the
refusal middleware) before anything is stored or owed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit import UNSAFE
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from core.errors import DomainError
from core.ratelimit import limit
from core.views import render_domain_error, require_perm
from proposals.models import Call
from reviews.enums import ObjectionStatus
from reviews.forms.notice import ObjectionForm, PublishNoticeForm, ResolveObjectionForm
from reviews.selectors.notice import (
    calls_awaiting_notice,
    notice_entries,
    notice_objections,
    notices_with_call,
    objection_counts,
    objections_for_resolving,
    public_notices,
)
from reviews.services import notice as notice_services

MANAGE = "reviews.manage_notices"


def _notice(pk):
    return get_object_or_404(notices_with_call(), pk=pk)


@login_not_required
def notice_list(request):
    context = {"notices": list(public_notices()), "now": timezone.now()}
    if request.user.has_perm(MANAGE):
        context["calls_waiting"] = calls_awaiting_notice()
    return render(request, "reviews/notice/list.html", context)


def _notice_key(group, request):
    return f"notice:{request.resolver_match.kwargs['pk']}"


def _email_key(group, request):
    return f"email:{(request.POST.get('email') or '').strip().lower()}"


def _refuse_over_limits(request):
    """The per-notice and per-address limits, counted only for an objection about to be lodged."""
    for group, key, name in (("notices.objection.notice", _notice_key, "objection_notice"),
                             ("notices.objection.email", _email_key, "objection_email")):
        if is_ratelimited(request, group=group, key=key, rate=limit(name), method=UNSAFE, increment=True):
            raise Ratelimited()


def _preselected(request, form):
    """The entry the visitor came from (the Object link on a row of the list), if it is on this list."""
    wanted = request.GET.get("entry", "")
    if wanted.isdigit() and form.fields["entry"].queryset.filter(pk=int(wanted)).exists():
        return int(wanted)
    return None


@login_not_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=limit("objection_ip"), group="notices.objection.ip", method=UNSAFE, block=True)
def notice_detail(request, pk):
    notice = _notice(pk)
    is_open = notice.is_open_for_objections()
    form = ObjectionForm(request.POST if request.method == "POST" else None, notice=notice)
    if request.method == "GET" and is_open:
        form.initial["entry"] = _preselected(request, form)
    context = {"notice": notice, "entries": notice_entries(notice=notice), "form": form, "is_open": is_open,
               "can_manage": request.user.has_perm(MANAGE), "confirm_hours": int(notice_services.CONFIRM_WITHIN.total_seconds() // 3600)}
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, _("Check the form: your objection was not recorded."))
            return render(request, "reviews/notice/detail.html", context, status=400)
        _refuse_over_limits(request)
        data = form.cleaned_data
        try:
            notice_services.lodge_objection(notice=notice, entry=data["entry"], name=data["name"], email=data["email"],
                                            reasons=data["reasons"], organisation=data["organisation"], phone=data["phone"])
        except DomainError as exc:
            context["is_open"] = notice.is_open_for_objections()
            return render_domain_error(request, exc, "reviews/notice/detail.html", context)
        messages.success(request, _("Almost done: we sent a confirmation link to your e-mail address. Your objection "
                                    "counts only once you open that link, within %(hours)s hours and before the "
                                    "objection period ends.") % {"hours": context["confirm_hours"]})
        return redirect("notices:detail", pk=pk)
    return render(request, "reviews/notice/detail.html", context)


@login_not_required
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """The link mailed to the objector: the page asks them to confirm (a mail scanner that merely opens
    links confirms nothing), the POST confirms once."""
    context = {"token": token}
    if request.method == "POST":
        try:
            objection = notice_services.confirm_objection(token=token)
        except DomainError as exc:
            return render_domain_error(request, exc, "reviews/notice/confirm.html", {**context, "refused": True})
        messages.success(request, _("Thank you: your objection is confirmed and will be handled by the program office. "
                                    "A receipt was sent to your e-mail address."))
        return redirect("notices:detail", pk=objection.notice_id)
    return render(request, "reviews/notice/confirm.html", context)


@require_http_methods(["GET", "POST"])
def publish(request, call_pk):
    require_perm(request.user, MANAGE)
    call = get_object_or_404(Call, pk=call_pk)
    form = PublishNoticeForm(request.POST or None, initial=PublishNoticeForm.initial_for(call))
    context = {"call": call, "form": form, "proposals": notice_services.proposals_awaiting_notice(call=call)}
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, _("Check the form: the notice was not published."))
            return render(request, "reviews/notice/publish.html", context, status=400)
        try:
            notice = notice_services.publish_notice(call=call, published_by=request.user, **form.cleaned_data)
        except DomainError as exc:
            return render_domain_error(request, exc, "reviews/notice/publish.html", context)
        messages.success(request, _("The notice is published and open for objections."))
        return redirect("notices:manage", pk=notice.pk)
    return render(request, "reviews/notice/publish.html", context)


def _manage_context(notice, bound=None):
    objections = list(notice_objections(notice=notice))
    for objection in objections:
        prefix = f"objection-{objection.pk}"
        objection.form = bound if bound is not None and bound.prefix == prefix else ResolveObjectionForm(prefix=prefix)
    return {"notice": notice, "entries": notice_entries(notice=notice), "objections": objections,
            "open_objections": sum(o.status == ObjectionStatus.OPEN for o in objections),
            "unconfirmed": objection_counts(notice=notice)}


def manage(request, pk):
    require_perm(request.user, MANAGE)
    notice = _notice(pk)
    return render(request, "reviews/notice/manage.html", _manage_context(notice))


@require_POST
def resolve(request, pk):
    require_perm(request.user, MANAGE)
    objection = get_object_or_404(objections_for_resolving(), pk=pk)
    notice = objection.notice
    form = ResolveObjectionForm(request.POST, prefix=f"objection-{objection.pk}")
    if not form.is_valid():
        messages.error(request, _("Choose a decision and write the resolution."))
        return render(request, "reviews/notice/manage.html", _manage_context(notice, bound=form), status=400)
    upheld = form.cleaned_data["decision"] == "uphold"
    try:
        notice_services.resolve_objection(objection=objection, upheld=upheld, resolution=form.cleaned_data["resolution"],
                                          resolved_by=request.user)
    except DomainError as exc:
        return render_domain_error(request, exc, "reviews/notice/manage.html", _manage_context(notice, bound=form))
    messages.success(request, _("Objection upheld: the proposal is off the list and back with the panel.") if upheld
                     else _("Objection dismissed."))
    return redirect("notices:manage", pk=notice.pk)
