"""One proposal's whole life through the web pages, each role at its own browser."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.enums import Role
from accounts.models import User
from decisions.enums import DocumentKind
from decisions.models import Document
from forms.enums import QuestionKind
from incubation.models import Project
from proposals.enums import ProposalStatus as S
from proposals.models import Answer, Proposal
from reviews.enums import ReviewStatus
from reviews.models import PublicNotice
from tests.e2e.html import page_form
from tests.factories import (
    CallFactory,
    ChecklistItemFactory,
    CriterionFactory,
    FormDefinitionFactory,
    QuestionFactory,
    UserFactory,
)
from tests.forms.samples import PDF  # a one-page PDF that qpdf opens without repairing
from workflows.flows import ProposalFlow

pytestmark = pytest.mark.django_db

PASSWORD = "pw-secret-123"


def log_in(user):
    """A browser of its own for `user`, signed in through the login page."""
    client = Client()
    page = client.get(reverse("login"))
    form = page_form(page, has="username")
    response = client.post(reverse("login"), form.data(username=user.username, password=PASSWORD))
    assert response.status_code == 302
    assert response.url == reverse("home")
    return client


def open_task(proposal, node):
    return Task.objects.get(process_id=proposal.process.pk, flow_task=node,
                            status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED])


def test_a_researchers_proposal_goes_from_registration_to_incubation_through_the_web_pages(
    django_capture_on_commit_callbacks,
):
    # arrange: an open call with a rubric, a checklist and a two-question form, and the staff
    form_definition = FormDefinitionFactory()
    call = CallFactory(form=form_definition, title_en="2026 Proof-of-Concept Call")
    criteria = [CriterionFactory(call=call, weight=Decimal("60"), max_score=Decimal("10")),
                CriterionFactory(call=call, weight=Decimal("40"), max_score=Decimal("5"))]
    check = ChecklistItemFactory(call=call)
    plan = QuestionFactory(form=form_definition, kind=QuestionKind.LONG_TEXT, required=True,
                           label_en="Technical plan", label_zh="技术方案")
    attachment = QuestionFactory(form=form_definition, kind=QuestionKind.FILE, required=False, file_types=["pdf"],
                                 label_en="Supporting document", label_zh="附件")
    officer = UserFactory(role=Role.PROGRAM_OFFICER, language="en")
    experts = [UserFactory(role=Role.EXPERT, language="en") for _ in range(3)]
    fund_manager = UserFactory(role=Role.FUND_MANAGER, language="en")
    incubator = UserFactory(role=Role.INCUBATION_MANAGER, language="en")

    # a researcher registers, opens the activation link mailed to her and is signed in
    researcher = Client()
    page = researcher.get(reverse("accounts:register"))
    with django_capture_on_commit_callbacks(execute=True):
        response = researcher.post(reverse("accounts:register"), page_form(page, has="username").data(
            username="liwei", email="liwei@example.edu.cn", full_name="李伟", language="en",
            password1="Perovskite-2026!", password2="Perovskite-2026!", organisation_name="清华大学",
        ))
    assert response.status_code == 302
    assert response.url == reverse("accounts:registered")
    [activation] = mail.outbox
    link = activation.body.split(settings.SITE_URL, 1)[1].split()[0]
    page = researcher.get(link)
    response = researcher.post(link, page_form(page, action="").data())
    assert response.status_code == 302
    assert response.url == reverse("home")
    mail.outbox.clear()
    applicant = User.objects.get(username="liwei")
    assert applicant.groups.filter(name=Role.RESEARCHER).exists()

    # opens the call and starts a proposal
    page = researcher.get(reverse("proposals:call", args=[call.pk]))
    assert page.status_code == 200
    assert f'href="{reverse("proposals:new", args=[call.pk])}"' in page.content.decode()
    page = researcher.get(reverse("proposals:new", args=[call.pk]))
    response = researcher.post(reverse("proposals:new", args=[call.pk]), page_form(page, has="title").data(
        title="钙钛矿叠层电池", abstract="概念验证摘要", keywords="钙钛矿, 光伏", field="energy",
        institution="清华大学", requested_amount="300000.00",
    ))
    proposal = Proposal.objects.get(applicant=applicant)
    assert response.status_code == 302
    assert response.url == reverse("proposals:edit", args=[proposal.pk])

    # submits with the required answer missing: refused, but the title and the upload are kept
    page = researcher.get(reverse("proposals:edit", args=[proposal.pk]))
    form = page_form(page, action=reverse("proposals:edit", args=[proposal.pk]))
    [submit_button] = [b for b in form.buttons if b.formaction]
    assert submit_button.formaction == reverse("workflows:submit", args=[proposal.pk])
    response = researcher.post(submit_button.formaction, form.data(**{
        "title": "钙钛矿叠层电池中试验证",
        plan.field_name: "",
        attachment.field_name: SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
    }))
    html = response.content.decode()
    proposal.refresh_from_db()
    assert response.status_code == 400
    assert 'value="钙钛矿叠层电池中试验证"' in html
    assert "<li>plan.pdf</li>" in html
    assert proposal.status == S.DRAFT
    assert Answer.objects.get(proposal=proposal, question=attachment).file_name == "plan.pdf"

    # fills in the answer and submits
    form = page_form(response, action=reverse("proposals:edit", args=[proposal.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        response = researcher.post(submit_button.formaction, form.data(**{plan.field_name: "三阶段中试方案"}))
    proposal.refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("proposals:detail", args=[proposal.pk])
    assert proposal.status == S.SUBMITTED
    receipts = [m for m in mail.outbox if m.to == ["liwei@example.edu.cn"]]
    assert [m.subject for m in receipts] == [f"[pocflow] Proposal received: {proposal.reference}"]

    # the program officer claims the screening from the queue and screens
    staff = log_in(officer)
    screening = open_task(proposal, ProposalFlow.screen)
    home = staff.get(reverse("home"))
    claim_url = reverse("workflows:claim", args=[screening.pk])
    page_form(home, action=claim_url)
    response = staff.post(claim_url)
    assert response.status_code == 302
    assert response.url == reverse("workflows:screen", args=[proposal.pk])
    page = staff.get(reverse("workflows:screen", args=[proposal.pk]))
    response = staff.post(reverse("workflows:screen", args=[proposal.pk]), page_form(page, has="outcome").data(
        outcome="pass", **{f"check_{check.pk}": "on"}))
    proposal.refresh_from_db()
    assert response.status_code == 302
    assert proposal.status == S.IN_REVIEW

    # assigns three experts
    page = staff.get(reverse("workflows:assign_experts", args=[proposal.pk]))
    response = staff.post(reverse("workflows:assign_experts", args=[proposal.pk]), page_form(page, has="experts").data(
        experts=[str(e.pk) for e in experts]))
    assert response.status_code == 302
    assert response.url == reverse("workflows:assign_experts", args=[proposal.pk])
    assert sorted(proposal.reviews.values_list("expert_id", flat=True)) == sorted(e.pk for e in experts)

    # each expert finds the review in their list and scores it
    for n, expert in enumerate(experts):
        browser = log_in(expert)
        review = proposal.reviews.get(expert=expert)
        listing = browser.get(reverse("reviews:mine"))
        assert f'href="{reverse("workflows:review", args=[review.pk])}"' in listing.content.decode()
        page = browser.get(reverse("workflows:review", args=[review.pk]))
        form = page_form(page, has="opinion")
        response = browser.post(reverse("workflows:review", args=[review.pk]), form.data(**{
            f"score_{criteria[0].pk}": "8", f"score_{criteria[1].pk}": "4",
            "opinion": f"技术路线清晰 {n}", "panel_note": f"机密 {n}", "recommendation": "support", "confidence": "high",
        }) | form.press("submit"))
        confirm = page_form(response, has="confirmed")  # check and submit: what will be sent, then confirm
        response = browser.post(reverse("workflows:review", args=[review.pk]), confirm.data() | confirm.press("submit"))
        review.refresh_from_db()
        assert response.status_code == 302
        assert response.url == reverse("reviews:mine")
        assert review.status == ReviewStatus.SUBMITTED
    proposal.refresh_from_db()
    assert proposal.status == S.PANEL

    # the officer records the panel's approval
    page = staff.get(reverse("workflows:panel", args=[proposal.pk]))
    response = staff.post(reverse("workflows:panel", args=[proposal.pk]), page_form(page, has="outcome").data(
        outcome="approve", feedback="同意立项"))
    proposal.refresh_from_db()
    assert response.status_code == 302
    assert proposal.status == S.APPROVED

    # the officer publishes the call's approved list from the public-notice page (公示)
    listing = staff.get(reverse("notices:list"))
    publish_url = reverse("notices:publish", args=[call.pk])
    assert f'href="{publish_url}"' in listing.content.decode()
    response = staff.post(publish_url, page_form(staff.get(publish_url), has="title_zh").data())
    notice = PublicNotice.objects.get(call=call)
    assert response.status_code == 302
    assert response.url == reverse("notices:manage", args=[notice.pk])
    assert list(notice.entries.values_list("proposal_id", flat=True)) == [proposal.pk]

    # anyone can read it without an account
    public = Client().get(reverse("notices:detail", args=[notice.pk]))
    assert public.status_code == 200
    assert f"<td>{proposal.reference}</td><td>钙钛矿叠层电池中试验证</td>" in public.content.decode()

    # the period ends with no objection: the sweep makes the approval final and opens the funding decision
    PublicNotice.objects.filter(pk=notice.pk).update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    call_command("run_timers", stdout=StringIO())
    proposal.refresh_from_db()
    assert proposal.status == S.FUNDING

    # the fund manager approves the funding; the approval letter is issued
    funder = log_in(fund_manager)
    page = funder.get(reverse("workflows:funding", args=[proposal.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        response = funder.post(reverse("workflows:funding", args=[proposal.pk]), page_form(page, has="decision").data(
            decision="approve", amount="250000.00", instrument="grant", reasons="分两期拨付"))
    proposal.refresh_from_db()
    assert response.status_code == 302
    assert proposal.status == S.FUNDED

    # the researcher sees the outcome and downloads the letter
    page = researcher.get(reverse("proposals:detail", args=[proposal.pk]))
    letter = Document.objects.get(proposal=proposal, kind=DocumentKind.APPROVAL_LETTER)
    download_url = reverse("decisions:download", args=[letter.pk])
    assert page.status_code == 200
    assert '<span class="status">Funded</span>' in page.content.decode()
    assert f'href="{download_url}"' in page.content.decode()
    download = researcher.get(download_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    # the incubation manager starts the project with one milestone
    incubation = log_in(incubator)
    url = reverse("workflows:start_incubation", args=[proposal.pk])
    page = incubation.get(url)
    response = incubation.post(url, page_form(page, has="m-TOTAL_FORMS").data(**{
        "m-0-title": "中试样机", "m-0-due_date": "2027-06-30"}))
    project = Project.objects.get(proposal=proposal)
    assert response.status_code == 302
    assert response.url == reverse("incubation:project", args=[project.pk])
    assert incubation.get(response.url).status_code == 200
    assert list(project.milestones.values_list("title", "due_date")) == [("中试样机", dt.date(2027, 6, 30))]
    proposal.refresh_from_db()
    assert proposal.status == S.FUNDED
    assert Task.objects.filter(process_id=proposal.process.pk, status__in=[STATUS.NEW, STATUS.ASSIGNED]).count() == 0


def test_starting_a_proposal_on_the_call_page_saves_a_draft_and_opens_the_editor():
    # regression: create_proposal once got `language` twice (argument and form data) → TypeError, 500
    # arrange
    call = CallFactory()
    researcher = UserFactory(role=Role.RESEARCHER)
    browser = log_in(researcher)
    url = reverse("proposals:new", args=[call.pk])
    form = page_form(browser.get(url), has="title")
    # act
    response = browser.post(url, form.data(title="钙钛矿叠层电池", abstract="概念验证摘要", requested_amount="300000.00"))
    # assert
    proposal = Proposal.objects.get(applicant=researcher)
    assert response.status_code == 302
    assert response.url == reverse("proposals:edit", args=[proposal.pk])
    assert (proposal.status, proposal.title, proposal.language) == (S.DRAFT, "钙钛矿叠层电池", "zh-hans")
