"""Researcher-side writes: drafts, submission checks."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import IllegalTransition, InvalidInput, NotPermitted
from proposals.enums import EDITABLE_STATES
from proposals.models import Call, ExpertAvoidance, Proposal
from proposals.services.answers import missing_required_answers
from proposals.services.audit import record_audit


def create_proposal(*, call: Call, applicant, data: dict) -> Proposal:
    if not call.is_open():
        raise InvalidInput(_("This call is not open for proposals."))
    data = {"language": applicant.language or "zh-hans", **data}
    proposal = Proposal(call=call, applicant=applicant, **data)
    with transaction.atomic():
        proposal.save()
        record_audit(action="proposal.created", proposal=proposal, actor=applicant, to_state=proposal.status)
    return proposal


def update_proposal(*, proposal: Proposal, actor, data: dict) -> Proposal:
    if proposal.applicant_id != actor.pk:
        raise NotPermitted()
    if proposal.status not in EDITABLE_STATES:
        raise IllegalTransition(_("A proposal can only be edited while it is a draft or returned for revision."))
    for key, value in data.items():
        setattr(proposal, key, value)
    proposal.save()
    return proposal


def set_avoid_requests(*, proposal: Proposal, actor, rows: list[dict]) -> list[ExpertAvoidance]:
    """Replace the applicant's "experts to avoid" list: at most the call's limit, each with a reason."""
    if proposal.applicant_id != actor.pk:
        raise NotPermitted()
    if proposal.status not in EDITABLE_STATES:
        raise IllegalTransition(_("A proposal can only be edited while it is a draft or returned for revision."))
    limit = proposal.call.max_avoid_requests
    if len(rows) > limit:
        raise InvalidInput(_("This call lets you name at most %(num)s experts to avoid.") % {"num": limit})
    new = [((r.get("name") or "").strip(), (r.get("institution") or "").strip(), (r.get("reason") or "").strip()) for r in rows]
    if any(not name or not reason for name, _inst, reason in new):
        raise InvalidInput(_("Give the name of each expert to avoid and your reason."))
    current = list(proposal.avoid_requests.all())
    if [(a.name, a.institution, a.reason) for a in current] == new:
        return current
    with transaction.atomic():
        proposal.avoid_requests.all().delete()
        created = ExpertAvoidance.objects.bulk_create(
            [ExpertAvoidance(proposal=proposal, name=n, institution=i, reason=r) for n, i, r in new])
        record_audit(action="proposal.avoid_list", proposal=proposal, actor=actor,
                     data={"experts": [{"name": n, "institution": i} for n, i, _r in new]})
    return created


def submission_problems(*, proposal: Proposal, at=None) -> list[str]:
    """Why this proposal cannot be submitted now (empty list when it can)."""
    problems = []
    at = at or timezone.now()
    call = proposal.call
    if at >= call.closes_at:
        problems.append(_("The call closed on %(time)s; submissions are no longer accepted.") % {
            "time": timezone.localtime(call.closes_at).strftime("%Y-%m-%d %H:%M %Z")})
    elif at < call.opens_at:
        problems.append(_("The call is not open yet."))
    if not proposal.title.strip():
        problems.append(_("The title is missing."))
    if not proposal.abstract.strip():
        problems.append(_("The abstract is missing."))
    if proposal.requested_amount is None:
        problems.append(_("The requested amount is missing."))
    elif proposal.requested_amount > call.max_request:
        problems.append(_("The requested amount exceeds the call's maximum of %(max)s %(currency)s.") % {
            "max": f"{call.max_request:,.2f}", "currency": call.currency})
    for question in missing_required_answers(proposal=proposal):
        problems.append(_("Required question not answered: %(label)s") % {"label": question.label})
    return problems
