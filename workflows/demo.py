"""Demo data: one account per role, a fund and an open call with a Chinese rubric. Idempotent."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.enums import Role
from accounts.models import Organisation, User
from accounts.roles import ensure_role_groups, grant_role
from forms.enums import QuestionKind
from forms.models import FormDefinition, Question
from funding.enums import CommissionBasis, CommissionKind, EligibilityKind
from funding.models import CommissionRule, EligibilityRule, Fund
from proposals.models import Call, ScreeningChecklistItem
from reviews.enums import Band, ExpertType
from reviews.models import CompositionRule, Criterion, CriterionBand, ExpertProfile

DEMO_PASSWORD = "pocflow-demo"
DEMO_USERS = [
    ("researcher", "王喆", Role.RESEARCHER, "清华大学"),
    ("officer", "李珺", Role.PROGRAM_OFFICER, "概念验证中心"),
    ("expert1", "张堃", Role.EXPERT, "北京大学"),
    ("expert2", "陈昇", Role.EXPERT, "红杉资本"),
    ("expert3", "刘玥", Role.EXPERT, "创新工场"),
    ("chair", "赵敏", Role.PANEL_CHAIR, "概念验证中心"),
    ("fundmanager", "孙立", Role.FUND_MANAGER, "天使投资引导基金"),
    ("incubator", "周航", Role.INCUBATION_MANAGER, "概念验证中心"),
    ("techmanager", "吴昊", Role.TECHNOLOGY_MANAGER, "技术转移中心"),
    ("admin", "Administrator", Role.ADMINISTRATOR, "概念验证中心"),
]
RUBRIC = [
    ("技术创新性与先进性", "Technical novelty", "30", "10"),
    ("市场前景与应用场景", "Market potential", "25", "10"),
    ("团队能力", "Team", "20", "10"),
    ("知识产权状况", "IP position", "15", "10"),
    ("实施方案与预算合理性", "Plan and budget", "10", "10"),
]
# username -> (type, fields zh, fields en, keywords zh, keywords en)
EXPERT_PROFILES = {
    "expert1": (ExpertType.ACADEMIC, "材料科学, 纳米材料, 柔性电子", "materials science, nanomaterials, flexible electronics",
                "石墨烯, 传感器, 薄膜", "graphene, sensors, thin films"),
    "expert2": (ExpertType.INVESTOR, "早期投资, 硬科技, 医疗器械", "early-stage investment, deep tech, medical devices",
                "天使轮, 估值, 商业模式", "angel round, valuation, business model"),
    "expert3": (ExpertType.ENTREPRENEUR, "人工智能, 软件产品, 创业", "artificial intelligence, software products, start-ups",
                "机器学习, 产品化, 市场", "machine learning, productisation, go-to-market"),
}
# (band, share of the maximum from, to, description zh, en)
BANDS = [
    (Band.A, "0.85", "1", "优秀：明显领先，证据充分", "Excellent: clearly ahead, well evidenced"),
    (Band.B, "0.70", "0.84", "良好：有优势，个别不足", "Good: strong with minor gaps"),
    (Band.C, "0.60", "0.69", "一般：基本可行，存在明显不足", "Fair: feasible with clear weaknesses"),
    (Band.D, "0", "0.59", "较差：不具备可行性", "Poor: not feasible"),
]
CHECKLIST = [
    ("申报材料齐全", "All documents provided"),
    ("已签署科研诚信承诺书", "Research integrity pledge signed"),
    ("申报金额不超过上限", "Requested amount within the limit"),
]


@transaction.atomic
def seed_demo(*, users=None, expert_count=3):
    ensure_role_groups()
    created = []
    for username, name, role, org_name in DEMO_USERS:
        org, _ = Organisation.objects.get_or_create(name=org_name)
        user, made = User.objects.get_or_create(
            username=username, defaults={"full_name": name, "email": f"{username}@pocflow.local", "organisation": org}
        )
        if made:
            user.set_password(DEMO_PASSWORD)
            if role == Role.ADMINISTRATOR:
                user.is_staff = user.is_superuser = True
            user.save()
        grant_role(user, role)
        if username in EXPERT_PROFILES:
            kind, fzh, fen, kzh, ken = EXPERT_PROFILES[username]
            ExpertProfile.objects.get_or_create(user=user, defaults={
                "expert_type": kind, "institution": org_name, "fields_zh": fzh, "fields_en": fen,
                "keywords_zh": kzh, "keywords_en": ken, "max_load": 10,
            })
        created.append((username, role))
    fund, _ = Fund.objects.get_or_create(
        name_zh="概念验证种子基金", defaults={"name_en": "Proof-of-Concept Seed Fund", "size": Decimal("20000000.00")}
    )
    call = Call.objects.filter(title_zh="2026年度高校科技成果概念验证项目").first()
    if call is None:
        form = FormDefinition.objects.create(name="2026 PoC application form")
        Question.objects.bulk_create([
            Question(form=form, order=1, kind=QuestionKind.LONG_TEXT, label_zh="概念验证实施方案", label_en="PoC plan",
                     required=True, max_length=5000),
            Question(form=form, order=2, kind=QuestionKind.SINGLE_CHOICE, label_zh="是否已有合作企业",
                     label_en="Industrial partner already?", required=True,
                     choices=[{"value": "yes", "zh": "是", "en": "Yes"}, {"value": "no", "zh": "否", "en": "No"}]),
            Question(form=form, order=3, kind=QuestionKind.FILE, label_zh="商业计划书（PDF）", label_en="Business plan (PDF)",
                     required=False, file_types=["pdf", "docx"], max_file_mb=20),
        ])
        now = timezone.now()
        call = Call.objects.create(
            title_zh="2026年度高校科技成果概念验证项目", title_en="2026 University Proof-of-Concept Call",
            description_zh="支持高校院所科技成果开展概念验证，推动成果转化和企业孵化。",
            description_en="Supports proof-of-concept work on university research results on the way to a company.",
            opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=60),
            form=form, fund=fund, max_request=Decimal("500000.00"), experts_per_proposal=expert_count,
        )
        criteria = Criterion.objects.bulk_create([
            Criterion(call=call, order=i, name_zh=zh, name_en=en, weight=Decimal(w), max_score=Decimal(m),
                      pass_mark=Decimal(m) * Decimal("0.6"), na_allowed=(i == 4))
            for i, (zh, en, w, m) in enumerate(RUBRIC, 1)
        ])
        CriterionBand.objects.bulk_create([
            CriterionBand(criterion=c, band=band, min_score=(c.max_score * Decimal(lo)).quantize(Decimal("0.01")),
                          max_score=(c.max_score * Decimal(hi)).quantize(Decimal("0.01")), description_zh=zh, description_en=en)
            for c in criteria for band, lo, hi, zh, en in BANDS
        ])
        CompositionRule.objects.bulk_create([
            CompositionRule(call=call, expert_type=ExpertType.ACADEMIC, min_count=1),
            CompositionRule(call=call, expert_type=ExpertType.INVESTOR, min_count=1),
        ])
        ScreeningChecklistItem.objects.bulk_create([
            ScreeningChecklistItem(call=call, order=i, text_zh=zh, text_en=en) for i, (zh, en) in enumerate(CHECKLIST, 1)
        ])
    # 先投后股 and equity need a young company whose founders put in their own cash
    for kind, threshold in ((EligibilityKind.COMPANY_AGE_MAX_YEARS, Decimal("5")),
                            (EligibilityKind.FOUNDERS_PAID_IN_MIN_PCT, Decimal("10"))):
        EligibilityRule.objects.get_or_create(call=call, kind=kind,
                                              defaults={"threshold": threshold, "instruments": ["invest_first", "equity"]})
    CommissionRule.objects.get_or_create(
        fund=fund, name="技术经理人佣金（分阶段）", defaults={
            "kind": CommissionKind.STAGED, "basis": CommissionBasis.BOTH, "rate_pct": Decimal("3"),
            "stages": {"scouting": "30", "incubation": "40", "transfer": "30"}})
    return {"users": created, "fund": fund, "call": call}
