"""A researcher, in Chinese, in a real browser: registers, opens the activation link mailed to her, starts
a proposal on the open call, uploads a PDF and submits."""

from decimal import Decimal

from django.conf import settings
from django.core import mail
from django.urls import reverse

from forms.enums import QuestionKind
from proposals.enums import ProposalStatus
from proposals.models import Proposal
from tests.browser.conftest import field, zh
from tests.factories import CallFactory, CriterionFactory, FormDefinitionFactory, QuestionFactory
from tests.forms.samples import PDF


def test_a_researcher_registers_drafts_uploads_a_pdf_and_submits_in_chinese(open_browser, tmp_path):
    # arrange: an open call whose form asks for a plan and a PDF
    form_definition = FormDefinitionFactory()
    call = CallFactory(form=form_definition)
    CriterionFactory(call=call, weight=Decimal("100"))
    QuestionFactory(form=form_definition, kind=QuestionKind.LONG_TEXT, required=True, label_zh="技术方案",
                    label_en="Technical plan")
    QuestionFactory(form=form_definition, kind=QuestionKind.FILE, required=True, file_types=["pdf"],
                    label_zh="项目计划书", label_en="Project plan")
    pdf = tmp_path / "计划书.pdf"
    pdf.write_bytes(PDF)
    researcher = open_browser("researcher")
    page = researcher.page

    # registers
    researcher.goto(reverse("accounts:register"), "register")
    field(page, "username").fill("liwei")
    field(page, "E-mail").fill("liwei@example.edu.cn")
    field(page, "Full name").fill("李伟")
    field(page, "Institution").fill("清华大学")
    field(page, "password").fill("Perovskite-2026!")
    field(page, "Password confirmation").fill("Perovskite-2026!")
    page.get_by_role("button", name=zh("Create account")).click()
    page.wait_for_url(f"**{reverse('accounts:registered')}")
    researcher.check("registered")

    # opens the activation link from the mail
    [activation] = mail.outbox
    link = activation.body.split(settings.SITE_URL, 1)[1].split()[0]
    researcher.goto(link, "activate")
    page.get_by_role("button", name=zh("Activate")).click()
    page.wait_for_url(f"{researcher.base}{reverse('home')}")
    researcher.check("activated-home")

    # starts a proposal on the call
    researcher.goto(reverse("proposals:call", args=[call.pk]), "call")
    page.get_by_role("link", name=zh("Start a proposal")).click()
    page.wait_for_url(f"**{reverse('proposals:new', args=[call.pk])}")
    researcher.check("new-proposal")
    field(page, "title").fill("钙钛矿叠层电池中试验证")
    field(page, "abstract").fill("面向光伏产业的概念验证。")
    field(page, "requested amount").fill("300000.00")
    page.get_by_role("button", name=zh("Save draft")).click()
    page.wait_for_url("**/edit**")
    researcher.check("draft-saved")
    proposal = Proposal.objects.get(applicant__username="liwei")
    assert proposal.status == ProposalStatus.DRAFT
    proposal_url = reverse("proposals:detail", args=[proposal.pk])

    # answers, uploads the plan and submits
    page.get_by_label("技术方案").fill("三阶段中试方案")
    page.get_by_label("项目计划书").set_input_files(str(pdf))
    page.get_by_role("button", name=zh("Save and submit")).click()
    page.wait_for_url(f"**{proposal_url}")
    researcher.check("submitted")

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED
    assert proposal.answers.get(question__kind=QuestionKind.FILE).file_name == "计划书.pdf"
    assert page.get_by_text(str(ProposalStatus.SUBMITTED.label), exact=True).first.is_visible()
