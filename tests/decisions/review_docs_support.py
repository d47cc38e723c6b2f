"""A call reviewed through the real services, for the review documents (engineer F).

Three experts score two proposals; a fourth declares a conflict on the first one and is
replaced, so the sheet lists them as recused. Weighted totals on the first proposal
(criteria weighted 60 / 40, maxima 10 / 5):

    李评审       (8, 4)      -> (0.8*60 + 0.8*40)          = 80.00
    赵专家       (5, 2)      -> (0.5*60 + 0.4*40)          = 46.00   veto
    Jane Reviewer (N/A, 5)   -> market only, renormalised   = 100.00
    mean 75.33, trimmed mean 75.33 (three reviews), median 80.00
    innovation: mean 6.50, 1 of 2 at or above 6 -> not passed; market: mean 3.67, 2 of 3 at or above 3 -> passed
"""

from decimal import Decimal

from accounts.enums import Role
from accounts.models import Organisation
from reviews.models import ExpertProfile
from reviews.services.panel import record_panel_recommendation
from tests.factories import CallFactory, ChecklistItemFactory, CriterionFactory, UserFactory
from tests.helpers import BaseWorld
from workflows import services

D = Decimal
# the (criterion 1, criterion 2) scores of the three experts on the second proposal
SECOND_PANEL_SCORES = ((D("6"), D("3")), (D("3"), D("1")), (D("9"), D("5")))

# name, type, institution, scores on the first proposal, recommendation, opinion, confidential note
EXPERTS = [
    ("李评审", "academic", "北京评审研究院", (D("8"), D("4")), "support",
     "创新性突出，但市场分析不足。", "机密：团队负责人与我曾有合作纠纷。"),
    ("赵专家", "investor", "上海投资咨询公司", (D("5"), D("2")), "do_not_support",
     "技术路线尚不成熟，建议补充中试数据。", "机密：估值明显偏高。"),
    ("Jane Reviewer", "entrepreneur", "Oxford Review Lab", ("na", D("5")), "strongly_support",
     "Strong team; the budget needs detail.", "CONFIDENTIAL: the founder is a friend of a friend."),
]
RECUSED = ("钱回避", "academic", "复旦大学")
TOTALS = ["80.00", "46.00", "100.00"]
MEAN, TRIMMED, MEDIAN = "75.33", "75.33", "80.00"
VETO_REASON = "不属于本次征集支持的领域。"
FEEDBACK = "专家组认为项目的产业化路径尚需论证。"
RATIONALE = "组长意见：市场验证不足，建议下轮再申报。"
DECLINE_REASON = "本人与申报团队同属一个课题组。"


class ReviewDocsWorld(BaseWorld):
    def __init__(self):
        self.call = CallFactory()
        self.innovation = CriterionFactory(call=self.call, name_zh="创新性", name_en="Innovation", weight=D("60"),
                                           max_score=D("10"), pass_mark=D("6"), na_allowed=True)
        self.market = CriterionFactory(call=self.call, name_zh="市场前景", name_en="Market potential", weight=D("40"),
                                       max_score=D("5"), pass_mark=D("3"))
        self.criteria = [self.innovation, self.market]
        self.checklist = [ChecklistItemFactory(call=self.call)]
        self.officer = UserFactory(role=Role.PROGRAM_OFFICER, full_name="孙秘书")
        self.chair = UserFactory(role=Role.PANEL_CHAIR, full_name="周组长")
        self.experts = [self.expert(name, kind, org) for name, kind, org, *_rest in EXPERTS]
        self.recused = self.expert(*RECUSED)

    def expert(self, name, expert_type, institution):
        user = UserFactory(role=Role.EXPERT, full_name=name, organisation=Organisation.objects.create(name=institution))
        ExpertProfile.objects.create(user=user, expert_type=expert_type, institution=institution)
        return user

    def submit(self, review, values, recommendation, opinion, note, *, veto=False, veto_reason=""):
        return services.submit_review(
            review=review, expert=review.expert, scores={c.pk: v for c, v in zip(self.criteria, values)},
            opinion=opinion, panel_note=note, recommendation=recommendation, confidence="high",
            veto=veto, veto_reason=veto_reason,
        )

    def in_panel(self, **kwargs):
        """The first proposal: the recused expert declines and is replaced; the others submit."""
        proposal = self.screened(**kwargs)
        first, second, declined = services.assign_experts(
            proposal=proposal, officer=self.officer, experts=[self.experts[0], self.experts[1], self.recused])
        services.decline_review(review=declined, expert=self.recused, reason=DECLINE_REASON)
        third = services.replace_expert(review=declined, new_expert=self.experts[2], officer=self.officer)
        for review, (_name, _type, _org, values, recommendation, opinion, note) in zip((first, second, third), EXPERTS):
            veto = review.expert == self.experts[1]
            self.submit(review, values, recommendation, opinion, note, veto=veto, veto_reason=VETO_REASON if veto else "")
        proposal.refresh_from_db()
        return proposal

    def second_in_panel(self, values=SECOND_PANEL_SCORES, **kwargs):
        """Another proposal scored by the same three experts (so the calibration has something to fit)."""
        proposal = self.screened(**kwargs)
        reviews = services.assign_experts(proposal=proposal, officer=self.officer, experts=self.experts)
        for review, scores in zip(reviews, values):
            self.submit(review, scores, "support", f"意见 {review.pk}", f"机密 {review.pk}")
        proposal.refresh_from_db()
        return proposal

    def recommend(self, proposal, recommendation="reject", rationale=RATIONALE):
        return record_panel_recommendation(proposal=proposal, chair=self.chair, recommendation=recommendation,
                                           rationale=rationale)

    def decide(self, proposal, outcome="reject", feedback=FEEDBACK):
        decision = services.decide_panel(proposal=proposal, officer=self.officer, outcome=outcome, feedback=feedback)
        proposal.refresh_from_db()
        return decision
