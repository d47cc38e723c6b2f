"""Drive N proposals through every stage with the services the web uses (seeded randomness)."""

import random
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from accounts.roles import grant_role
from core.errors import DomainError
from decisions.models import Document
from demo.seed import seed_demo
from forms.builder import build_answer_form
from proposals.enums import ProposalStatus as S, ScreeningOutcome
from proposals.models import Proposal
from proposals.services.answers import save_answers
from proposals.services.submission import create_proposal
from reviews.enums import PanelOutcome
from reviews.selectors.scoring import proposal_summary
from reviews.services.notice import close_due_notices, publish_notice
from workflows import services

FIELDS = ["biomed", "it", "materials", "energy", "manufacturing", "agri"]
TITLES = ["钙钛矿叠层电池", "靶向纳米药物递送", "工业视觉缺陷检测", "固态电池电解质", "智能农业传感器", "手术机器人力反馈"]


def _user(username, role, name):
    user, made = User.objects.get_or_create(username=username, defaults={"full_name": name, "email": f"{username}@pocflow.local"})
    if made:
        user.set_unusable_password()
        user.save()
    grant_role(user, role)
    return user


def _answer_form_data(call):
    data = {}
    for q in call.form.questions.all() if call.form_id else []:
        if q.kind == "long_text":
            data[q.field_name] = "分三阶段完成样机研制、中试验证和用户测试。"
        elif q.kind == "short_text":
            data[q.field_name] = "是"
        elif q.kind == "single_choice" and q.choices:
            data[q.field_name] = q.choices[0]["value"]
        elif q.kind == "multiple_choice" and q.choices:
            data[q.field_name] = [q.choices[0]["value"]]
        elif q.kind == "number":
            data[q.field_name] = str(q.min_value or 1)
    return data


def run_pipeline(*, count: int, out_dir: Path, seed: int = 2026, stdout=None) -> Counter:
    rng = random.Random(seed)
    demo = seed_demo()
    call = demo["call"]
    officer = User.objects.get(username="officer")
    fund_manager = User.objects.get(username="fundmanager")
    incubator = User.objects.get(username="incubator")
    experts = [User.objects.get(username=f"expert{i}") for i in (1, 2, 3)]
    criteria = list(call.criteria.all())
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    proposals = []

    for i in range(count):
        applicant = _user(f"pipeline-researcher-{seed}-{i}", Role.RESEARCHER, f"研究员{i}")
        proposal = create_proposal(call=call, applicant=applicant, data={
            "title": f"{rng.choice(TITLES)}概念验证（{i + 1}）",
            "abstract": "本项目面向产业需求开展概念验证。",
            "keywords": "概念验证, 成果转化",
            "field": rng.choice(FIELDS),
            "institution": "清华大学",
            "requested_amount": Decimal(rng.randrange(100, 500)) * 1000,
            "language": rng.choice(["zh-hans", "zh-hans", "en"]),
        })
        with transaction.atomic():
            form = build_answer_form(questions=list(call.form.questions.all()), data=_answer_form_data(call), files={}, answers={}, require=True)
            form.is_valid()
            save_answers(proposal=proposal, form=form, actor=applicant)
        services.submit_proposal(proposal=proposal, actor=applicant)
        proposals.append(proposal)

    for proposal in proposals:
        checklist = {str(item.pk): True for item in call.checklist_items.all()}
        roll = rng.random()
        if roll < 0.1:
            services.screen_proposal(proposal=proposal, officer=officer, outcome=ScreeningOutcome.INELIGIBLE,
                                     checklist=checklist, message="不符合申报条件：申报单位不在支持范围内。")
            continue
        if roll < 0.2:
            services.screen_proposal(proposal=proposal, officer=officer, outcome=ScreeningOutcome.RETURN,
                                     checklist=checklist, message="请补充预算明细。")
            services.submit_proposal(proposal=proposal, actor=proposal.applicant)
        services.screen_proposal(proposal=proposal, officer=officer, outcome=ScreeningOutcome.PASS, checklist=checklist)
        reviews = services.assign_experts(proposal=proposal, officer=officer, experts=experts)
        quality = rng.uniform(0.45, 0.95)
        for review in reviews:
            scores = {c.pk: (c.max_score * Decimal(str(min(1.0, max(0.0, rng.gauss(quality, 0.08)))))).quantize(Decimal("0.1"))
                      for c in criteria}
            services.submit_review(review=review, expert=review.expert, scores=scores,
                                   opinion="技术路线清晰，建议加强市场验证。", panel_note="团队执行力较强。")
        mean = proposal_summary(proposal=proposal)["mean"]
        outcome = PanelOutcome.APPROVE if mean >= 70 else PanelOutcome.INVITE_RESUBMISSION if mean >= 60 else PanelOutcome.REJECT
        services.decide_panel(proposal=proposal, officer=officer, outcome=outcome, feedback=f"专家组平均分 {mean}。")
        proposal.refresh_from_db()
        if proposal.status == S.APPROVED:  # public notice (公示): publish it and let the period pass unobjected
            notice = publish_notice(call=call, published_by=officer, title_zh=f"{call.title_zh}拟立项项目公示")
            close_due_notices(now=notice.ends_at)
            proposal.refresh_from_db()
        if proposal.status != S.FUNDING:
            continue
        try:
            services.decide_funding(proposal=proposal, manager=fund_manager, approve=True, amount=proposal.requested_amount)
        except DomainError:
            services.decide_funding(proposal=proposal, manager=fund_manager, approve=False, reasons="基金余额不足。")
            continue
        today = timezone.localdate()
        services.start_incubation(proposal=proposal, manager=incubator, milestones=[
            {"title": "样机完成", "due_date": today.replace(year=today.year + 1)},
        ])

    for doc in Document.objects.filter(proposal__in=proposals).select_related("proposal"):
        with doc.file.open("rb") as src, open(out_dir / doc.filename, "wb") as dst:
            shutil.copyfileobj(src, dst)
    return Counter(Proposal.objects.filter(pk__in=[p.pk for p in proposals]).values_list("status", flat=True))
