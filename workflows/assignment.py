"""Applying an automatic assignment run through the flow.

Each proposal's "assign experts" task is performed with the run's experts (which creates every
expert's scoring task in their inbox), all in one transaction: if one proposal fails, nothing is
applied and the message names it.
"""

from collections import defaultdict

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError, IllegalTransition, InvalidInput, NotPermitted
from reviews.enums import AssignmentRunStatus, AssignmentRunTransition, CandidateRole
from reviews.models import AssignmentCandidate, AssignmentRun
from reviews.rules import can_assign_experts
from reviews.services.auto_assign import open_load
from reviews.services.states import transition_assignment_run
from workflows import services

REFUSALS = {
    AssignmentRunStatus.INFEASIBLE: lambda: _("This assignment is infeasible and cannot be applied. Relax the constraints shown and propose a new one."),
    AssignmentRunStatus.APPLIED: lambda: _("This assignment has already been applied."),
    AssignmentRunStatus.DISCARDED: lambda: _("This assignment was discarded and cannot be applied."),
}


def apply_assignment_run(*, run, user) -> int:
    """Assign every proposal of a proposed run its planned experts; return the number of reviews created."""
    if not can_assign_experts(user):
        raise NotPermitted()
    with transaction.atomic():
        run = AssignmentRun.objects.select_for_update().select_related("call").get(pk=run.pk)
        if run.status != AssignmentRunStatus.PROPOSED:
            raise IllegalTransition(REFUSALS[run.status]())
        plan = defaultdict(list)
        proposals = {}
        candidates = (
            AssignmentCandidate.objects.filter(run=run, role=CandidateRole.ASSIGNED)
            .select_related("proposal", "proposal__call", "expert", "expert__expert_profile")
            .order_by("proposal_id", "rank", "pk")
        )
        for c in candidates:
            plan[c.proposal_id].append(c.expert)
            proposals[c.proposal_id] = c.proposal
        _check_load(plan)
        created = 0
        for proposal_id, experts in plan.items():
            proposal = proposals[proposal_id]
            try:
                created += len(services.assign_experts(proposal=proposal, officer=user, experts=experts))
            except DomainError as exc:
                raise InvalidInput(
                    _("“%(proposal)s” could not be assigned: %(reason)s Nothing was applied; propose a new assignment.")
                    % {"proposal": proposal, "reason": exc}
                ) from exc
        transition_assignment_run(run=run, transition=AssignmentRunTransition.APPLY, actor=user,
                                  data={"proposals": len(plan), "reviews": created}, transition_kwargs={"by": user})
    return created


def _check_load(plan):
    """An expert's load may have grown since the run was proposed: refuse rather than overload them."""
    new = defaultdict(int)
    experts = {}
    for members in plan.values():
        for expert in members:
            new[expert.pk] += 1
            experts[expert.pk] = expert
    load = open_load(expert_ids=new)
    for pk, n in new.items():
        expert = experts[pk]
        limit = expert.expert_profile.max_load
        if load.get(pk, 0) + n > limit:
            raise InvalidInput(
                _("%(name)s now has %(open)s open reviews; %(n)s more would exceed their limit of %(max)s. "
                  "Nothing was applied; propose a new assignment.")
                % {"name": expert.display_name, "open": load.get(pk, 0), "n": n, "max": limit}
            )

