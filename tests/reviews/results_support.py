"""A call with a configurable rubric and typed experts, reached through the real services (engineer D)."""

from decimal import Decimal

from accounts.enums import Role
from reviews.services import scoring
from tests.factories import CallFactory, ChecklistItemFactory, CriterionFactory, ExpertProfileFactory, UserFactory
from tests.helpers import BaseWorld
from workflows import services

D = Decimal


class PanelWorld(BaseWorld):
    """`criteria`: (weight, max_score, pass_mark, na_allowed) per criterion; `expert_types` one per expert."""

    def __init__(self, *, criteria=((60, 10, None, False), (40, 5, None, False)), expert_types=("academic",) * 3,
                 **call_kwargs):
        self.call = CallFactory(**call_kwargs)
        self.criteria = [
            CriterionFactory(call=self.call, weight=D(w), max_score=D(m),
                             pass_mark=None if pm is None else D(pm), na_allowed=na)
            for w, m, pm, na in criteria
        ]
        self.checklist = [ChecklistItemFactory(call=self.call)]
        self.officer = UserFactory(role=Role.PROGRAM_OFFICER)
        self.chair = UserFactory(role=Role.PANEL_CHAIR)
        self.experts = [self.expert(t) for t in expert_types]

    def expert(self, expert_type="academic", **kwargs):
        user = UserFactory(role=Role.EXPERT, **kwargs)
        if expert_type:
            ExpertProfileFactory(user=user, expert_type=expert_type)
        return user

    def assigned(self, experts=None, **kwargs):
        p = self.screened(**kwargs)
        reviews = services.assign_experts(proposal=p, officer=self.officer, experts=experts or self.experts)
        p.refresh_from_db()
        return p, reviews

    def submit(self, review, values, *, veto=False, veto_reason="", recommendation="support", confidence="high",
               opinion=None, panel_note=None):
        """Submit through the review task, as the expert does; values: one per criterion, "na" for N/A."""
        task = services.review_task(review=review)
        with services.perform(task, review.expert):
            review.refresh_from_db()
            return scoring.save_review(
                review=review, expert=review.expert,
                scores={c.pk: (v if v == "na" else D(str(v))) for c, v in zip(self.criteria, values)},
                opinion=opinion if opinion is not None else f"意见 {review.pk}",
                panel_note=panel_note if panel_note is not None else f"机密 {review.pk}",
                recommendation=recommendation, confidence=confidence, veto=veto,
                veto_reason=veto_reason if veto else "", submit=True,
            )

    def reviewed(self, values_per_expert, *, experts=None, vetoes=(), **kwargs):
        """A proposal whose experts submitted `values_per_expert` (a row per expert, in order)."""
        experts = experts or self.experts[: len(values_per_expert)]
        p, reviews = self.assigned(experts=experts, **kwargs)
        by_expert = {r.expert_id: r for r in reviews}
        for i, (expert, values) in enumerate(zip(experts, values_per_expert)):
            veto = i in vetoes
            self.submit(by_expert[expert.pk], values, veto=veto, veto_reason="超出范围" if veto else "")
        p.refresh_from_db()
        return p
