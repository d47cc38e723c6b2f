"""Demo data: one account per role, a fund and an open call with a Chinese rubric, and (seed_demo_story)
a few proposals driven through the real services so every stage has something to show. Idempotent."""

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.enums import Role
from accounts.models import Organisation, User
from accounts.roles import ensure_role_groups, grant_role
from demo.plain_pdf import one_page_pdf
from forms.builder import build_answer_form
from forms.enums import QuestionKind
from forms.models import FormDefinition, Question
from funding.enums import CommissionBasis, CommissionKind, EligibilityKind
from funding.models import CommissionRule, EligibilityRule, Fund
from funding.services.eligibility import record_eligibility_facts
from incubation.enums import ContractKind
from incubation.models import Agreement, Milestone, Tranche
from incubation.services import record_progress
from incubation.services.agreement import issue_agreement, record_signed_copy, save_budget, update_terms
from incubation.services.commissions import assign_tech_manager
from incubation.services.money import release_tranche
from incubation.services.outcomes import record_company, record_contract
from incubation.services.reports import request_due_reports, save_report
from proposals.enums import ScreeningOutcome
from proposals.models import Call, Proposal, ScreeningChecklistItem
from proposals.services.answers import save_answers
from proposals.services.submission import create_proposal
from reviews.enums import Band, ExpertType
from reviews.models import CompositionRule, Criterion, CriterionBand, ExpertProfile
from reviews.services.notice import close_due_notices, publish_notice
from reviews.services.panel import record_panel_recommendation
from workflows import services

DEMO_PASSWORD = "pocflow-demo"
DEMO_CALL_TITLE = "2026年度高校科技成果概念验证项目"
DEMO_USERS = [
    ("researcher", "王喆", Role.RESEARCHER, "清华大学"),
    ("officer", "李珺", Role.PROGRAM_OFFICER, "概念验证中心"),
    ("expert1", "张堃", Role.EXPERT, "北京大学"),
    ("expert2", "陈昇", Role.EXPERT, "红杉资本"),
    ("expert3", "刘玥", Role.EXPERT, "创新工场"),
    ("chair", "赵敏", Role.PANEL_CHAIR, "概念验证中心"),
    ("fundmanager", "孙立", Role.FUND_MANAGER, "天使投资引导基金"),
    ("fundmanager2", "钱程", Role.FUND_MANAGER, "天使投资引导基金"),  # the second approver (four eyes)
    ("incubator", "周航", Role.INCUBATION_MANAGER, "概念验证中心"),
    ("techmanager", "吴昊", Role.TECHNOLOGY_MANAGER, "技术转移中心"),
    ("admin", "系统管理员", Role.ADMINISTRATOR, "概念验证中心"),
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
    call = Call.objects.filter(title_zh=DEMO_CALL_TITLE).first()
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
            # names the people: experts of a blind call do not see it (the plan and the business plan they do)
            Question(form=form, order=4, kind=QuestionKind.LONG_TEXT, label_zh="团队介绍与主要成员简历",
                     label_en="Team and members' CVs", required=False, max_length=5000, hide_in_blind_review=True),
        ])
        now = timezone.now()
        call = Call.objects.create(
            title_zh=DEMO_CALL_TITLE, title_en="2026 University Proof-of-Concept Call",
            description_zh="支持高校院所科技成果开展概念验证，推动成果转化和企业孵化。",
            description_en="Supports proof-of-concept work on university research results on the way to a company.",
            opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=60),
            form=form, fund=fund, max_request=Decimal("1000000.00"), experts_per_proposal=expert_count,
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


# ---------------------------------------------------------------------------------------------
# The story: proposals of the demo researcher at every stage, built only through the services the
# web uses (never by setting a status). Each item is keyed by its title and built in its own
# transaction, so a second run adds nothing and a failed item leaves nothing half-built; the
# documents (letters, agreement, tranche notice) are rendered after each item commits.

STORY_SCREENING = "基于深度学习的病理切片智能辅助诊断系统"
STORY_REVIEW = "面向工业互联网的边缘计算安全网关"
STORY_FUNDED = "柔性钙钛矿太阳能电池中试验证"
STORY_INVEST_FIRST = "硫化物固态电解质规模化制备技术"
STORY_DRAFT = "基于微流控芯片的即时检测平台"
STORY_RETURNED = "高通量单细胞测序文库构建试剂盒"
STORY_TO_ASSIGN = "水下机器人自主导航与避障系统"
STORY_PANEL = "可降解镁合金骨科植入物"
STORY_FUNDING = "钠离子电池层状氧化物正极材料"
STORY_FOUR_EYES = "氢燃料电池膜电极国产化制备"
STORY_TITLES = (STORY_SCREENING, STORY_REVIEW, STORY_FUNDED, STORY_INVEST_FIRST, STORY_DRAFT, STORY_RETURNED,
                STORY_TO_ASSIGN, STORY_PANEL, STORY_FUNDING, STORY_FOUR_EYES)

PROPOSALS = {
    STORY_SCREENING: {
        "abstract": "利用深度学习对数字病理切片进行自动分割与分级，辅助病理医生提高诊断效率和一致性。"
                    "本项目将在三家合作医院完成回顾性验证，形成可注册的软件原型。",
        "keywords": "数字病理, 深度学习, 辅助诊断", "field": "biomed", "trl": 4, "ip_status": "filed",
        "team": "王喆, 清华大学, 项目负责人\n林晓, 清华大学, 算法工程师",
        "application_scenario": "三甲医院病理科及第三方病理诊断中心。",
        "requested_amount": Decimal("350000.00"), "partner": "no",
        "plan": "第一阶段完善标注数据集；第二阶段在合作医院开展回顾性验证；第三阶段完成软件原型与注册检验准备。",
    },
    STORY_REVIEW: {
        "abstract": "研制面向工业互联网的边缘计算安全网关，在设备侧实现协议深度解析和异常流量检测，"
                    "解决中小制造企业工控网络缺乏防护的问题。",
        "keywords": "工业互联网, 边缘计算, 网络安全", "field": "it", "trl": 5, "ip_status": "software",
        "team": "王喆, 清华大学, 项目负责人\n何静, 清华大学, 嵌入式工程师",
        "application_scenario": "离散制造企业车间网络、园区能源站。",
        "requested_amount": Decimal("400000.00"), "partner": "yes",
        "plan": "完成网关硬件定型与检测算法移植，在两家合作工厂部署试点并完成第三方安全测评。",
    },
    STORY_FUNDED: {
        "abstract": "在实验室效率 21% 的柔性钙钛矿电池基础上，开展卷对卷涂布工艺放大与组件封装验证，"
                    "建成小试线并完成 1000 片组件试产，验证其在建筑光伏一体化场景的可靠性。",
        "keywords": "钙钛矿, 柔性光伏, 中试", "field": "energy", "trl": 5, "ip_status": "granted",
        "team": "王喆, 清华大学, 项目负责人\n郑可, 清华大学, 工艺工程师\n许然, 清华大学, 可靠性测试",
        "application_scenario": "建筑光伏一体化（BIPV）、便携式电源和车载光伏。",
        "requested_amount": Decimal("450000.00"), "partner": "yes",
        "plan": "第一阶段定型封装工艺；第二阶段在中试线试产 1000 片组件；第三阶段完成第三方认证测试和用户试用。",
    },
    STORY_INVEST_FIRST: {
        "abstract": "开发低成本硫化物固态电解质的液相合成工艺，实现百公斤级制备，"
                    "并与电池企业联合验证全固态电池样品的循环寿命。",
        "keywords": "固态电池, 硫化物电解质, 规模化制备", "field": "materials", "trl": 4, "ip_status": "filed",
        "team": "王喆, 清华大学, 项目负责人\n韩磊, 清华大学, 材料合成",
        "application_scenario": "动力电池与储能电池企业的固态电池产线。",
        "requested_amount": Decimal("300000.00"), "partner": "yes",
        "plan": "建成百公斤级电解质中试线，与合作电池企业完成样品循环寿命测试，并启动首轮市场化融资。",
    },
}

def _more(title, abstract, keywords, field, trl, amount, plan, partner="no"):
    PROPOSALS[title] = {
        "abstract": abstract, "keywords": keywords, "field": field, "trl": trl, "ip_status": "filed",
        "team": "王喆, 清华大学, 项目负责人", "application_scenario": "合作企业生产线与示范应用场景。",
        "requested_amount": Decimal(amount), "partner": partner, "plan": plan,
    }


_more(STORY_DRAFT, "基于微流控芯片实现传染病标志物的十五分钟即时检测，面向基层医疗机构。",
      "微流控, 即时检测, 体外诊断", "biomed", 3, "280000.00", "完成芯片结构优化与样机试制。")
_more(STORY_RETURNED, "开发高通量单细胞测序文库构建试剂盒，降低单细胞测序成本。",
      "单细胞测序, 试剂盒, 基因组学", "biomed", 4, "320000.00", "完成试剂配方定型与三家用户试用。")
_more(STORY_TO_ASSIGN, "研制水下机器人自主导航与避障系统，服务海上风电与港口设施巡检。",
      "水下机器人, 自主导航, 巡检", "manufacturing", 5, "420000.00", "完成样机湖试与海试，形成巡检服务方案。", "yes")
_more(STORY_PANEL, "开发可降解镁合金骨科植入物，术后无需二次手术取出。",
      "镁合金, 可降解, 骨科植入物", "materials", 4, "480000.00", "完成动物实验与注册检验样品制备。", "yes")
_more(STORY_FUNDING, "开展钠离子电池层状氧化物正极材料的吨级制备工艺验证。",
      "钠离子电池, 正极材料, 储能", "energy", 5, "380000.00", "建成吨级中试线并完成电芯验证。", "yes")
_more(STORY_FOUR_EYES, "实现氢燃料电池膜电极的国产化批量制备，降低燃料电池系统成本。",
      "燃料电池, 膜电极, 氢能", "energy", 5, "800000.00", "建成膜电极中试线并通过整车企业台架测试。", "yes")

# the funded proposals' three reviews: (share of each criterion's maximum, opinion, recommendation, confidence)
GOOD_REVIEWS = [
    ("0.9", "技术路线成熟，中试目标明确，团队具备工艺放大经验。", "support", "high"),
    ("0.85", "市场空间清晰，建议尽早与下游企业签订试用协议。", "support", "medium"),
    ("0.8", "预算安排合理，需关注组件长期稳定性数据。", "support", "high"),
]


def _signed_copy_pdf() -> bytes:
    """A plain one-page PDF (no scripts) standing in for the scanned signed agreement."""
    return one_page_pdf(b"Funding agreement - signed copy (pocflow demo)")


class _Story:
    """The demo users and the call, and one method per stage (each calls the services in order)."""

    def __init__(self, call):
        users = {u.username: u for u in User.objects.filter(username__in=[name for name, *_rest in DEMO_USERS])}
        self.call = call
        self.researcher, self.officer, self.chair = users["researcher"], users["officer"], users["chair"]
        self.fund_manager, self.incubator = users["fundmanager"], users["incubator"]
        self.second_fund_manager = users["fundmanager2"]
        self.tech_manager = users["techmanager"]
        self.experts = [users[f"expert{i}"] for i in (1, 2, 3)]
        self.criteria = list(call.criteria.order_by("order", "pk"))
        self.today = timezone.localdate()

    # the researcher

    def submitted(self, title):
        spec = PROPOSALS[title]
        fields = ("abstract", "keywords", "field", "trl", "ip_status", "team", "application_scenario", "requested_amount")
        proposal = create_proposal(call=self.call, applicant=self.researcher, data={
            "title": title, "institution": "清华大学", **{name: spec[name] for name in fields}})
        questions = list(self.call.form.questions.all()) if self.call.form_id else []
        data = {}
        for question in questions:
            if question.kind == QuestionKind.LONG_TEXT and question.required:
                data[question.field_name] = spec["plan"]
            elif question.kind == QuestionKind.SINGLE_CHOICE and question.choices:
                values = [choice["value"] for choice in question.choices]
                data[question.field_name] = spec["partner"] if spec["partner"] in values else values[0]
        form = build_answer_form(questions=questions, data=data, files={}, answers={}, require=True)
        save_answers(proposal=proposal, form=form, actor=self.researcher)
        services.submit_proposal(proposal=proposal, actor=self.researcher)
        proposal.refresh_from_db()
        return proposal

    # the programme office and the experts

    def in_review(self, title):
        proposal = self.submitted(title)
        services.screen_proposal(proposal=proposal, officer=self.officer, outcome=ScreeningOutcome.PASS,
                                 checklist={str(item.pk): True for item in self.call.checklist_items.all()})
        reviews = services.assign_experts(proposal=proposal, officer=self.officer, experts=self.experts)
        proposal.refresh_from_db()
        return proposal, reviews

    def score(self, review, share, opinion, recommendation, confidence):
        scores = {c.pk: (c.max_score * Decimal(share)).quantize(Decimal("0.1")) for c in self.criteria}
        services.submit_review(review=review, expert=review.expert, scores=scores, opinion=opinion,
                               panel_note="团队执行力较强，可重点支持。", recommendation=recommendation,
                               confidence=confidence)

    def reviewed(self, title):
        """In review, and every expert has scored: the panel chair's turn."""
        proposal, reviews = self.in_review(title)
        for review, (share, opinion, recommendation, confidence) in zip(reviews, GOOD_REVIEWS, strict=True):
            self.score(review, share, opinion, recommendation, confidence)
        proposal.refresh_from_db()
        return proposal

    def funded(self, title, *, instrument="grant", facts=None):
        """Reviewed, recommended by the chair, approved by the panel, through the public notice, funded."""
        proposal = self.awaiting_funding(title, facts=facts)
        services.decide_funding(proposal=proposal, manager=self.fund_manager, approve=True,
                                amount=proposal.requested_amount, instrument=instrument,
                                reasons="基金投资决策委员会审议通过。")
        proposal.refresh_from_db()
        return proposal

    def awaiting_funding(self, title, *, facts=None):
        """Recommended by the chair, approved by the panel, through the public notice: the fund manager's turn."""
        proposal = self.reviewed(title)
        record_panel_recommendation(proposal=proposal, chair=self.chair, recommendation="approve",
                                    rationale="专家评审意见一致，建议立项支持。")
        services.decide_panel(proposal=proposal, officer=self.officer, outcome="approve",
                              feedback="同意立项。请在任务书中细化中试阶段的验收指标。")
        proposal.refresh_from_db()
        if self.call.notice_days:  # 公示: publish, and let the period end with no objection
            notice = publish_notice(call=self.call, published_by=self.officer,
                                    title_zh=f"{self.call.title_zh}拟立项项目公示")
            close_due_notices(now=notice.ends_at)
            proposal.refresh_from_db()
        if facts:
            record_eligibility_facts(proposal=proposal, actor=self.fund_manager, **facts)
        return proposal

    def incubating(self, proposal, milestones, budget):
        """The project started with its milestones, and the draft agreement's budget filled in."""
        project = services.start_incubation(proposal=proposal, manager=self.incubator, milestones=[
            {"title": name, "due_date": self.today + dt.timedelta(days=days)} for name, days in milestones])
        agreement = Agreement.objects.get(project=project)
        save_budget(agreement=agreement, actor=self.incubator, lines=[
            {"category": category, "amount": Decimal(amount), "note": note} for category, amount, note in budget])
        return project, Agreement.objects.get(pk=agreement.pk)


def _story_screening(story):
    proposal = story.submitted(STORY_SCREENING)
    return f"{proposal.reference} {proposal.title}: submitted, waiting for formal screening (officer)"


def _story_review(story):
    proposal, reviews = story.in_review(STORY_REVIEW)
    story.score(reviews[0], "0.75", "方案可行，建议补充试点企业的部署计划。", "support", "medium")
    return (f"{proposal.reference} {proposal.title}: in review, "
            f"{reviews[0].expert.username} has scored, {len(reviews) - 1} reviews open")


def _story_funded(story):
    today = story.today
    proposal = story.funded(STORY_FUNDED)
    project, agreement = story.incubating(proposal, milestones=[
        ("柔性组件封装工艺定型", 90), ("中试线试产1000片组件", 210), ("第三方认证测试与用户试用", 330),
    ], budget=[
        ("equipment", "180000.00", "卷对卷涂布设备改造"), ("materials", "120000.00", "钙钛矿前驱体与封装材料"),
        ("testing", "90000.00", "第三方可靠性与认证测试"), ("personnel", "60000.00", "中试线工艺人员劳务"),
    ])
    issue_agreement(agreement=agreement, actor=story.incubator)
    # signed a quarter ago, so the first quarterly report is due and the team has sent it in
    signed_on = today - dt.timedelta(days=100)
    record_signed_copy(agreement=agreement, actor=story.incubator, signed_on=signed_on,
                       uploaded_file=SimpleUploadedFile("任务书-签署版.pdf", _signed_copy_pdf(), "application/pdf"))
    first = Tranche.objects.filter(agreement=agreement).order_by("order").first()
    reference = f"BOC-{today:%Y%m%d}-0001"
    tranche, _released = release_tranche(tranche=first, actor=story.fund_manager, reference=reference)
    milestone = Milestone.objects.filter(project=project).order_by("due_date", "pk").first()
    record_progress(project=project, author=story.incubator, milestone=milestone, milestone_status="in_progress",
                    note="封装工艺已完成三轮试验，水汽透过率达到设计指标。")
    for stage in ("scouting", "incubation", "transfer"):
        assign_tech_manager(project=project, manager=story.tech_manager, stage=stage, actor=story.incubator)
    company = record_company(project=project, actor=story.tech_manager, name="北京柔光新能源科技有限公司",
                             founded_on=today - dt.timedelta(days=30), registered_capital=Decimal("2000000.00"),
                             credit_code="91110108MA01XK7P3F")
    contract = record_contract(project=project, actor=story.tech_manager, kind=ContractKind.LICENCE,
                               counterparty="江苏华晟光伏材料有限公司", amount=Decimal("800000.00"),
                               signed_on=today - dt.timedelta(days=10), registered_on=today - dt.timedelta(days=3),
                               registration_number=f"{today:%Y}110108000{proposal.pk:05d}")
    request_due_reports(today=today)
    report = project.reports.order_by("period_start").first()
    save_report(report=report, actor=story.researcher, summary="完成封装工艺三轮试验，水汽透过率达到设计指标。",
                problems="部分封装材料供货周期较长。", next_steps="启动中试线组件试产。", spent=Decimal("126000.00"),
                submit=True)
    return (f"{proposal.reference} {proposal.title}: funded {agreement.amount:,.2f} {agreement.currency} (grant), "
            f"quarterly report submitted (incubator reviews it), agreement signed, tranche 1 of {tranche.amount:,.2f} released ({reference}), company {company.name}, "
            f"licence {contract.amount:,.2f} registered (commission accrued to {story.tech_manager.username})")


def _story_invest_first(story):
    today = story.today
    proposal = story.funded(STORY_INVEST_FIRST, instrument="invest_first", facts={
        "company_name": "锂固新材料（北京）有限公司", "company_founded_on": today - dt.timedelta(days=400),
        "project_budget": Decimal("600000.00"), "founders_paid_in": Decimal("120000.00")})
    _project, agreement = story.incubating(proposal, milestones=[
        ("百公斤级电解质中试线建成", 120), ("全固态电池样品循环寿命测试", 270), ("完成首轮市场化融资", 365),
    ], budget=[
        ("equipment", "120000.00", "惰性气氛合成与干燥设备"), ("materials", "80000.00", "硫化锂等原材料"),
        ("outsourcing", "60000.00", "电池样品委托试制"), ("personnel", "40000.00", "研究生与工艺人员劳务"),
    ])
    update_terms(agreement=agreement, actor=story.incubator, starts_on=agreement.starts_on, ends_on=agreement.ends_on,
                 concession_pct=Decimal("20"), conversion_deadline=today + dt.timedelta(days=3 * 365),
                 deadline_action="write_off")
    issue_agreement(agreement=agreement, actor=story.incubator)
    record_signed_copy(agreement=agreement, actor=story.incubator, signed_on=today,
                       uploaded_file=SimpleUploadedFile("任务书-签署版.pdf", _signed_copy_pdf(), "application/pdf"))
    return (f"{proposal.reference} {proposal.title}: funded {agreement.amount:,.2f} {agreement.currency} "
            f"(invest first, 先投后股), agreement signed, tranche 1 waiting for release (fund manager)")


def _story_draft(story):
    spec = PROPOSALS[STORY_DRAFT]
    fields = ("abstract", "keywords", "field", "trl", "ip_status", "team", "application_scenario", "requested_amount")
    proposal = create_proposal(call=story.call, applicant=story.researcher, data={
        "title": STORY_DRAFT, "institution": "清华大学", **{name: spec[name] for name in fields}})
    return f"{proposal.title}: a draft (researcher)"


def _story_returned(story):
    proposal = story.submitted(STORY_RETURNED)
    services.screen_proposal(proposal=proposal, officer=story.officer, outcome=ScreeningOutcome.RETURN,
                             checklist={str(item.pk): False for item in story.call.checklist_items.all()},
                             message="请补充单位推荐意见，并在实施方案中写明各阶段的考核指标。")
    return f"{proposal.reference} {proposal.title}: returned for revision (researcher)"


def _story_to_assign(story):
    proposal = story.submitted(STORY_TO_ASSIGN)
    services.screen_proposal(proposal=proposal, officer=story.officer, outcome=ScreeningOutcome.PASS,
                             checklist={str(item.pk): True for item in story.call.checklist_items.all()})
    return f"{proposal.reference} {proposal.title}: screened, waiting for expert assignment (officer)"


def _story_panel(story):
    proposal = story.reviewed(STORY_PANEL)
    return f"{proposal.reference} {proposal.title}: every review in, waiting for the panel chair (chair)"


def _story_funding(story):
    proposal = story.awaiting_funding(STORY_FUNDING)
    return f"{proposal.reference} {proposal.title}: waiting for the funding decision (fund manager)"


def _story_four_eyes(story):
    proposal = story.awaiting_funding(STORY_FOUR_EYES)
    services.decide_funding(proposal=proposal, manager=story.second_fund_manager, approve=True,
                            amount=proposal.requested_amount, instrument="grant",
                            reasons="投资决策委员会初审通过，金额超过双人审批限额，请另一位基金经理复核。")
    return (f"{proposal.reference} {proposal.title}: {proposal.requested_amount:,.2f} approved by fundmanager2, "
            f"waiting for a second approver (fundmanager)")


STORY = [(STORY_SCREENING, _story_screening), (STORY_REVIEW, _story_review), (STORY_FUNDED, _story_funded),
         (STORY_INVEST_FIRST, _story_invest_first), (STORY_DRAFT, _story_draft), (STORY_RETURNED, _story_returned),
         (STORY_TO_ASSIGN, _story_to_assign), (STORY_PANEL, _story_panel), (STORY_FUNDING, _story_funding),
         (STORY_FOUR_EYES, _story_four_eyes)]


def seed_demo_story(*, call=None) -> dict:
    """Drive the demo researcher's proposals to every stage (see STORY). Call it after seed_demo and
    outside a transaction so each item commits and its documents are rendered. Returns
    {"created": [summary line, ...], "existing": count, "skipped": reason or ""}."""
    call = call or Call.objects.filter(title_zh=DEMO_CALL_TITLE).first()
    if call is None:
        return {"created": [], "existing": 0, "skipped": "the demo call does not exist; run seed_demo first"}
    researcher = User.objects.get(username="researcher")
    existing = set(Proposal.objects.filter(call=call, applicant=researcher, title__in=STORY_TITLES)
                   .values_list("title", flat=True))
    todo = [(title, build) for title, build in STORY if title not in existing]
    if todo and not call.is_open():
        return {"created": [], "existing": len(existing), "skipped": "the demo call is closed for submissions"}
    story = _Story(call) if todo else None
    created = []
    for _title, build in todo:
        with transaction.atomic():
            created.append(build(story))
    return {"created": created, "existing": len(existing), "skipped": ""}
