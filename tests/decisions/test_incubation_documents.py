"""The incubation documents (issue #4 item 10): the funding agreement (任务书), tranche release
notices (拨付通知), the acceptance certificate (验收证书) and the conversion notice (转股通知):
issued from incubation's signals after commit, stored with their SHA-256, verifiable on the public
page, downloadable by whoever may see the project, and generated in the other language on demand."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.enums import Role
from core.errors import NotPermitted
from decisions.enums import DocumentKind
from decisions.models import Document
from decisions.pdf import FONT_FAMILY, FONT_POSTSCRIPT_NAME
from decisions.services.incubation_documents import (
    NoDocumentForRecord,
    OutdatedSubject,
    agreement_subject,
    issue_acceptance_certificate,
    issue_agreement_document,
    issue_conversion_notice,
    issue_for_subject,
    issue_tranche_notice,
)
from incubation.enums import AcceptanceOutcome, SettlementKind
from incubation.models import Agreement, BudgetLine, Kpi, Settlement, TechManagerAssignment
from incubation.services.acceptance import record_acceptance
from incubation.services.agreement import issue_agreement
from incubation.services.outcomes import record_financing_round
from incubation.signals import acceptance_recorded, agreement_issued, settlement_recorded, tranche_released
from proposals.models import AuditEntry, Proposal
from tests.decisions.incubation_docs_support import KPI_NAME, RARE_NAME, DocsWorld
from tests.decisions.pdfutil import embedded_fonts, pdf_text, squash
from tests.factories import UserFactory

AGREEMENT = DocumentKind.FUNDING_AGREEMENT
NOTICE = DocumentKind.TRANCHE_NOTICE
CERTIFICATE = DocumentKind.ACCEPTANCE_CERTIFICATE
CONVERSION = DocumentKind.CONVERSION_NOTICE
BUNDLED_ONLY = {(FONT_FAMILY.replace(" ", "-"), True, FONT_POSTSCRIPT_NAME)}


def read(document: Document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def text_of(document: Document) -> str:
    return pdf_text(read(document))


def assert_stored_faithfully(document: Document):
    data = read(document)
    assert hashlib.sha256(data).hexdigest() == document.sha256
    assert document.size == len(data)
    assert {(f["pdf_name"], f["embedded"], f["postscript_name"]) for f in embedded_fonts(data)} == BUNDLED_ONLY


@pytest.fixture
def w(db):
    return DocsWorld()


@pytest.fixture
def grant(w, django_capture_on_commit_callbacks):
    """A Chinese grant project whose agreement was issued and signed (its PDF issued after commit)."""
    project = w.project()
    with django_capture_on_commit_callbacks(execute=True):
        w.signed(project)
    return project


# -- 1. the funding agreement ------------------------------------------------------------------


def test_issuing_the_agreement_issues_its_chinese_pdf_with_every_term(w, grant):
    agreement = Agreement.objects.get(project=grant)

    document = Document.objects.get(kind=AGREEMENT)

    assert (document.proposal_id, document.language, document.template_version, document.subject) == (
        grant.proposal_id, "zh-hans", "funding-agreement-v1", agreement_subject(agreement))
    assert document.subject.startswith(f"agreement:{agreement.pk}:")
    text = text_of(document)
    fund = grant.proposal.call.fund
    for expected in [
        fund.name_zh, RARE_NAME, "清华大学", grant.proposal.reference, grant.proposal.title,
        "人民币200,000.00元",  # amount, budget total and tranche total
        "样机完成", "中试验证", KPI_NAME, "25.5",
        "60%人民币120,000.00元", "30%人民币60,000.00元", "10%人民币20,000.00元", "100%人民币200,000.00元",
        "设备费",
    ]:
        assert squash(expected) in text, expected
    assert text.count("人民币200,000.00元") == 4  # amount, budget line, budget total, tranche total
    assert_stored_faithfully(document)
    audit = AuditEntry.objects.get(action="document.issued", proposal=grant.proposal)
    assert audit.data["sha256"] == document.sha256


def test_the_team_is_told_once_that_the_agreement_is_ready_to_sign(w, grant):
    document = Document.objects.get(kind=AGREEMENT)
    ready = [m for m in mail.outbox if grant.proposal.reference in m.subject]

    assert [m.to for m in ready] == [[grant.proposal.applicant.email]]
    assert reverse("decisions:download", args=[document.pk]) in ready[0].body


def test_english_invest_first_agreement_states_the_conversion_terms(w, django_capture_on_commit_callbacks):
    project = w.project(language="en", instrument="invest_first")
    with django_capture_on_commit_callbacks(execute=True):
        w.signed(project, concession_pct=Decimal("20"), conversion_deadline=dt.date(2028, 6, 30),
                 deadline_action="buy_back", buyback_rate_pct=Decimal("3.5"))

    document = Document.objects.get(kind=AGREEMENT)

    assert document.language == "en"
    text = text_of(document)
    for expected in [
        "Invest first, equity later (先投后股)", "200,000.00 CNY",
        "Conversion trigger", "The company's first market financing round",
        "with a concession of 20 % to the team", "Conversion deadline", "June 30, 2028",
        "bought back by the team at cost plus simple interest of 3.5 % a year",
        "60 %", "120,000.00 CNY", "On signature of this agreement", "After the mid-term check (中期检查) is passed",
        "After final acceptance (验收) is passed", "Total", "100 %",
        "The fund (Party A)", "Project lead (Party B)", "Host institution", "Signature and seal",
    ]:
        assert squash(expected) in text, expected
    assert_stored_faithfully(document)


def test_equity_agreement_states_the_valuation_and_the_resulting_stake(w, django_capture_on_commit_callbacks):
    project = w.project(language="en", instrument="equity")
    with django_capture_on_commit_callbacks(execute=True):
        w.signed(project, pre_money_valuation=Decimal("800000.00"))

    text = text_of(Document.objects.get(kind=AGREEMENT))

    # 200,000 / (800,000 + 200,000) = 20 %
    for expected in ["Pre-money valuation", "800,000.00 CNY", "Resulting stake", "20 %"]:
        assert squash(expected) in text, expected


def test_the_same_signal_twice_issues_one_document(w, django_capture_on_commit_callbacks):
    project = w.project()
    agreement = Agreement.objects.get(project=project)
    with django_capture_on_commit_callbacks(execute=True):
        w.signed(project)
    first = Document.objects.get(kind=AGREEMENT)
    mails = len(mail.outbox)

    agreement.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        agreement_issued.send(sender=Agreement, agreement=agreement, actor=w.incubator)
        agreement_issued.send(sender=Agreement, agreement=agreement, actor=w.incubator)

    assert list(Document.objects.filter(kind=AGREEMENT)) == [first]
    assert issue_agreement_document(agreement=agreement) == first
    assert len(mail.outbox) == mails


def test_reissued_agreement_gets_a_new_document_and_the_latest_is_shown(w, django_capture_on_commit_callbacks, client):
    project = w.project()
    agreement = Agreement.objects.get(project=project)

    BudgetLine.objects.create(agreement=agreement, category="equipment", amount=agreement.amount)
    with django_capture_on_commit_callbacks(execute=True):
        issue_agreement(agreement=agreement, actor=w.incubator)
    first = Document.objects.get(kind=AGREEMENT)
    with django_capture_on_commit_callbacks(execute=True):
        issue_agreement(agreement=agreement, actor=w.incubator)

    documents = list(Document.objects.filter(kind=AGREEMENT).order_by("pk"))
    assert len(documents) == 2 and documents[0] == first
    agreement.refresh_from_db()
    assert documents[1].subject == agreement_subject(agreement) != first.subject
    client.force_login(w.incubator)
    response = client.get(reverse("decisions:project_documents", args=[project.pk]))
    rows = response.context["rows"]
    assert [(r.subject, r.superseded) for r in rows] == [(documents[1].subject, False), (first.subject, True)]
    rendered = Template("{% load project_documents %}{% latest_agreement_document project as doc %}{{ doc.pk }}")
    request = RequestFactory().get("/")
    request.user = project.proposal.applicant
    assert rendered.render(Context({"request": request, "project": project})) == str(documents[1].pk)


# -- 2. tranche release notices ----------------------------------------------------------------


def test_releasing_tranches_issues_notices_with_the_running_totals(w, grant, django_capture_on_commit_callbacks):
    first, second, _third = w.tranches(grant)
    with django_capture_on_commit_callbacks(execute=True):
        w.release(first, "BANK-001")
    w.midterm_passed(grant)
    with django_capture_on_commit_callbacks(execute=True):
        w.release(second, "BANK-002")

    notices = {d.subject: d for d in Document.objects.filter(kind=NOTICE)}

    assert set(notices) == {f"tranche:{first.pk}", f"tranche:{second.pk}"}
    one, two = text_of(notices[f"tranche:{first.pk}"]), text_of(notices[f"tranche:{second.pk}"])
    assert squash("第1笔资金（共3笔）") in one and squash("第2笔资金（共3笔）") in two
    assert "BANK-001" in one and "BANK-002" in two
    # notice 1: 120,000 paid, 80,000 to pay; notice 2: 60,000 more, 180,000 paid, 20,000 to pay
    assert [squash(s) in one for s in ("60%", "人民币120,000.00元", "人民币80,000.00元")] == [True] * 3
    assert [squash(s) in two for s in ("30%", "人民币60,000.00元", "人民币180,000.00元", "人民币20,000.00元")] == [True] * 4
    assert "人民币200,000.00元" in one  # the agreement's total
    for notice in notices.values():
        assert notice.language == "zh-hans" and notice.template_version == "tranche-notice-v1"
        assert_stored_faithfully(notice)


def test_english_notice_names_the_gate_and_when_it_was_met(w, django_capture_on_commit_callbacks):
    project = w.project(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        agreement = w.signed(project)
        first = w.tranches(project)[0]
        w.release(first, "WIRE-7")

    text = text_of(Document.objects.get(kind=NOTICE))

    with translation.override("en"):
        signed_on = formats.date_format(agreement.signed_on, "DATE_FORMAT")
    for expected in ["Tranche release notice", "1 of 3", "120,000.00 CNY", "On signature of this agreement",
                     "Condition met on", signed_on, "WIRE-7", "Paid to date, this tranche included", "Still to pay",
                     "80,000.00 CNY"]:
        assert squash(expected) in text, expected


def test_a_repeated_release_issues_one_notice(w, grant, django_capture_on_commit_callbacks):
    first = w.tranches(grant)[0]
    with django_capture_on_commit_callbacks(execute=True):
        w.release(first, "BANK-001")
        w.release(first, "BANK-001")
    first.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        tranche_released.send(sender=type(first), tranche=first, actor=w.fund_manager)

    assert Document.objects.filter(kind=NOTICE).count() == 1


def test_a_planned_tranche_has_no_notice(w, grant):
    with pytest.raises(NoDocumentForRecord):
        issue_tranche_notice(tranche=w.tranches(grant)[0])

    assert not Document.objects.filter(kind=NOTICE).exists()


# -- 3. the acceptance certificate -------------------------------------------------------------


def test_pass_after_rectification_gets_a_certificate_saying_so(w, grant):
    Kpi.objects.filter(project=grant).update(actual=Decimal("26.10"))
    w.acceptance(grant, outcome=AcceptanceOutcome.RECTIFY, round=1)
    passed = w.acceptance(grant, outcome=AcceptanceOutcome.PASS, round=2, findings="整改已完成，同意通过验收。")

    zh = issue_acceptance_certificate(acceptance=passed)
    en = issue_acceptance_certificate(acceptance=passed, language="en")

    assert (zh.subject, zh.language, en.subject, en.language) == (
        f"acceptance:{passed.pk}", "zh-hans", f"acceptance:{passed.pk}", "en")
    zh_text, en_text = text_of(zh), text_of(en)
    for text in (zh_text, en_text):
        for expected in [grant.proposal.title, "整改已完成，同意通过验收。", KPI_NAME, "25.5", "26.1",
                         w.incubator.display_name, RARE_NAME]:
            assert squash(expected) in text, expected
    assert squash("Passed after rectification (整改后通过)") in en_text
    assert squash("Met") in en_text
    assert "整改后通过" in zh_text
    assert_stored_faithfully(zh)
    assert_stored_faithfully(en)


def test_a_first_round_pass_is_not_called_after_rectification(w, grant):
    passed = w.acceptance(grant, outcome=AcceptanceOutcome.PASS)

    text = text_of(issue_acceptance_certificate(acceptance=passed, language="en"))

    assert squash("Passed (通过)") in text and "rectification" not in text


@pytest.mark.parametrize("outcome", [AcceptanceOutcome.RECTIFY, AcceptanceOutcome.REREVIEW, AcceptanceOutcome.FAIL])
def test_only_a_pass_gets_a_certificate(w, grant, outcome, django_capture_on_commit_callbacks):
    acceptance = w.acceptance(grant, outcome=outcome)
    with django_capture_on_commit_callbacks(execute=True):
        acceptance_recorded.send(sender=type(acceptance), acceptance=acceptance, actor=w.incubator)

    assert not Document.objects.filter(kind=CERTIFICATE).exists()
    with pytest.raises(NoDocumentForRecord):
        issue_acceptance_certificate(acceptance=acceptance)


def test_a_passing_round_signal_issues_the_certificate_once(w, grant, django_capture_on_commit_callbacks):
    passed = w.acceptance(grant, outcome=AcceptanceOutcome.PASS)
    with django_capture_on_commit_callbacks(execute=True):
        acceptance_recorded.send(sender=type(passed), acceptance=passed, actor=w.incubator)
        acceptance_recorded.send(sender=type(passed), acceptance=passed, actor=w.incubator)

    certificate = Document.objects.get(kind=CERTIFICATE)
    assert (certificate.subject, certificate.language) == (f"acceptance:{passed.pk}", "zh-hans")


# -- 4. the conversion notice ------------------------------------------------------------------


def test_conversion_notice_states_the_round_the_stake_and_the_formula(w, django_capture_on_commit_callbacks):
    project = w.project(language="en", instrument="invest_first")
    settlement = w.conversion(project)
    with django_capture_on_commit_callbacks(execute=True):
        settlement_recorded.send(sender=Settlement, settlement=settlement, actor=w.fund_manager)

    document = Document.objects.get(kind=CONVERSION)

    assert (document.subject, document.language) == (f"settlement:{settlement.pk}", "en")
    text = text_of(document)
    for expected in ["Conversion notice (转股通知)", "1,000,000.00 CNY", "天使轮", "June 30, 2026", "5,000,000.00 CNY",
                     "20,000,000.00 CNY", "20 %", "3.076923 %",
                     "1,000,000 ÷ (20,000,000 + 5,000,000 + 1,000,000) × (1 - 20 %) × 100 = 3.076923 %"]:
        assert squash(expected) in text, expected
    assert_stored_faithfully(document)


def test_conversion_notice_in_chinese_carries_the_same_figures(w):
    project = w.project(instrument="invest_first")
    settlement = w.conversion(project)

    text = text_of(issue_conversion_notice(settlement=settlement))

    for expected in ["人民币1,000,000.00元", "天使轮", "2026年6月30日", "人民币5,000,000.00元", "人民币20,000,000.00元",
                     "3.076923%"]:
        assert squash(expected) in text, expected


def test_a_stake_computed_otherwise_is_printed_without_a_formula_that_would_not_match(w):
    project = w.project(language="en", instrument="invest_first")
    settlement = w.conversion(project, stake=Decimal("4.000000"))

    text = text_of(issue_conversion_notice(settlement=settlement))

    assert squash("4 %") in text and "÷" not in text and squash("post-money-v1") in text


@pytest.mark.parametrize("kind", [SettlementKind.WRITTEN_OFF, SettlementKind.BOUGHT_BACK])
def test_money_written_off_or_bought_back_gets_no_conversion_notice(w, kind, django_capture_on_commit_callbacks):
    project = w.project(instrument="invest_first")
    settlement = Settlement.objects.create(project=project, kind=kind, amount=Decimal("120000.00"),
                                           decided_by=w.fund_manager)
    with django_capture_on_commit_callbacks(execute=True):
        settlement_recorded.send(sender=Settlement, settlement=settlement, actor=w.fund_manager)

    assert not Document.objects.filter(kind=CONVERSION).exists()


# -- through the acceptance and conversion services -------------------------------------------


def test_recording_a_passing_acceptance_issues_the_certificate(w, grant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        acceptance = record_acceptance(project=grant, actor=w.incubator, outcome=AcceptanceOutcome.PASS,
                                       findings="同意通过验收。")

    certificate = Document.objects.get(kind=CERTIFICATE)
    assert (certificate.subject, certificate.language) == (f"acceptance:{acceptance.pk}", "zh-hans")
    assert squash("同意通过验收。") in text_of(certificate)


def test_the_first_market_round_issues_the_conversion_notice(w, django_capture_on_commit_callbacks):
    project = w.project(language="en", instrument="invest_first")
    with django_capture_on_commit_callbacks(execute=True):
        w.signed(project, concession_pct=Decimal("20"), conversion_deadline=dt.date(2099, 1, 1),
                 deadline_action="write_off")
        w.release(w.tranches(project)[0], "BANK-001")  # 120,000 paid
    with django_capture_on_commit_callbacks(execute=True):
        _round, settlement = record_financing_round(
            project=project, actor=w.incubator, name="Angel", closed_on=timezone.localdate(),
            amount=Decimal("5000000.00"), investors="Some Ventures", pre_money_valuation=Decimal("20000000.00"))

    notice = Document.objects.get(kind=CONVERSION)
    assert notice.subject == f"settlement:{settlement.pk}"
    # 120,000 / (20,000,000 + 5,000,000 + 120,000) × 0.8 × 100 = 0.382166 %
    text = text_of(notice)
    for expected in ["120,000.00 CNY", "Angel", "5,000,000.00 CNY", "20,000,000.00 CNY", f"{settlement.stake_pct} %",
                     "120,000 ÷ (20,000,000 + 5,000,000 + 120,000)"]:
        assert squash(expected) in text, expected


# -- verification ------------------------------------------------------------------------------


def _upload(data: bytes):
    return SimpleUploadedFile("document.pdf", data, content_type="application/pdf")


@pytest.mark.parametrize("language,label", [("en", "Funding agreement (任务书)"), ("zh-hans", "任务书")])
def test_the_verification_page_names_an_authentic_agreement(w, grant, client, language, label):
    document = Document.objects.get(kind=AGREEMENT)

    response = client.post(reverse("decisions:verify"), {"file": _upload(read(document))},
                            HTTP_ACCEPT_LANGUAGE=language)

    assert (response.context["checked"], response.context["document"]) == (True, document)
    content = response.content.decode()
    assert label in content and grant.proposal.reference in content
    assert RARE_NAME not in content  # the content is never disclosed


def test_an_altered_byte_makes_every_incubation_document_fail_verification(w, grant, client):
    passed = w.acceptance(grant, outcome=AcceptanceOutcome.PASS)
    released = w.release(w.tranches(grant)[0], "BANK-001")
    project = w.project(instrument="invest_first")
    documents = [
        Document.objects.get(kind=AGREEMENT),
        issue_tranche_notice(tranche=released),
        issue_acceptance_certificate(acceptance=passed),
        issue_conversion_notice(settlement=w.conversion(project)),
    ]

    for document in documents:
        data = bytearray(read(document))
        authentic = client.post(reverse("decisions:verify"), {"file": _upload(bytes(data))})
        data[len(data) // 2] ^= 0x01
        altered = client.post(reverse("decisions:verify"), {"file": _upload(bytes(data))},
                              HTTP_ACCEPT_LANGUAGE="en")

        assert authentic.context["document"] == document
        assert (altered.context["checked"], altered.context["document"]) == (True, None)
        assert "Not authentic" in altered.content.decode()


# -- downloads ---------------------------------------------------------------------------------


def _download(client, user, document):
    client.force_login(user)
    return client.get(reverse("decisions:download", args=[document.pk]))


def test_the_team_and_staff_download_the_projects_documents(w, grant, client):
    document = Document.objects.get(kind=AGREEMENT)

    for user in (grant.proposal.applicant, w.incubator, w.fund_manager, w.officer):
        response = _download(client, user, document)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == read(document)
    assert response["Content-Disposition"] == (
        f'attachment; filename="funding_agreement-{grant.proposal.reference}-{document.pk}-zh-hans.pdf"')


def test_an_assigned_technology_manager_downloads_only_their_projects_documents(w, grant, client):
    document = Document.objects.get(kind=AGREEMENT)
    assigned, other = UserFactory(role=Role.TECHNOLOGY_MANAGER), UserFactory(role=Role.TECHNOLOGY_MANAGER)
    TechManagerAssignment.objects.create(project=grant, manager=assigned, stage="incubation", assigned_by=w.incubator)

    assert _download(client, assigned, document).status_code == 200
    assert _download(client, other, document).status_code == 403


@pytest.mark.parametrize("role", [Role.EXPERT, Role.RESEARCHER, Role.PANEL_CHAIR])
def test_experts_and_other_researchers_may_not_download(w, grant, client, role):
    document = Document.objects.get(kind=AGREEMENT)

    assert _download(client, UserFactory(role=role), document).status_code == 403


# -- the project's documents page and the other language ---------------------------------------


def _page(client, user, project, data=None, **extra):
    client.force_login(user)
    url = reverse("decisions:project_documents", args=[project.pk])
    return client.post(url, data, **extra) if data is not None else client.get(url, **extra)


def test_staff_generate_the_agreement_in_english_once(w, grant, client):
    chinese = Document.objects.get(kind=AGREEMENT)

    response = _page(client, w.incubator, grant, {"subject": chinese.subject, "lang": "en"})
    again = _page(client, w.fund_manager, grant, {"subject": chinese.subject, "lang": "en"})

    assert response.status_code == 302 and again.status_code == 302
    english = Document.objects.get(kind=AGREEMENT, language="en")
    assert english.subject == chinese.subject and english.template_version == chinese.template_version
    text = text_of(english)
    for expected in ["Funding agreement (任务书)", "200,000.00 CNY", "120,000.00 CNY", "Grant (无偿资助)", KPI_NAME]:
        assert squash(expected) in text, expected
    assert Document.objects.filter(kind=AGREEMENT).count() == 2
    page = _page(client, w.incubator, grant)
    assert [(r.chinese, r.english) for r in page.context["rows"]] == [(chinese, english)]


def test_the_team_sees_the_documents_but_may_not_generate(w, grant, client):
    chinese = Document.objects.get(kind=AGREEMENT)

    page = _page(client, grant.proposal.applicant, grant)
    refused = _page(client, grant.proposal.applicant, grant, {"subject": chinese.subject, "lang": "en"})

    assert page.status_code == 200 and page.context["can_generate"] is False
    assert reverse("decisions:download", args=[chinese.pk]) in page.content.decode()
    assert 'name="lang"' not in page.content.decode()
    assert refused.status_code == 403
    assert not Document.objects.filter(language="en").exists()


@pytest.mark.parametrize("role", [Role.EXPERT, Role.RESEARCHER, Role.TECHNOLOGY_MANAGER])
def test_others_may_not_open_the_documents_page(w, grant, client, role):
    user = UserFactory(role=role)
    chinese = Document.objects.get(kind=AGREEMENT)

    assert _page(client, user, grant).status_code == 403
    assert _page(client, user, grant, {"subject": chinese.subject, "lang": "en"}).status_code == 403
    assert Document.objects.count() == 1


def test_the_service_refuses_someone_who_may_not_generate(w, grant):
    chinese = Document.objects.get(kind=AGREEMENT)

    with pytest.raises(NotPermitted):
        issue_for_subject(project=grant, subject=chinese.subject, language="en", actor=grant.proposal.applicant)


@pytest.mark.parametrize("data,message", [
    ({"subject": "", "lang": "en"}, "Choose the document to generate."),
    ({"subject": "agreement:1:x", "lang": "fr"}, "Choose Chinese or English for the document."),
    ({"subject": "tranche:999999", "lang": "en"}, "This project has no such document."),
    ({"subject": "nonsense", "lang": "en"}, "This project has no such document."),
])
def test_bad_generation_requests_are_refused_with_a_message_and_create_nothing(w, grant, client, data, message):
    w.incubator.language = "en"
    w.incubator.save()

    response = _page(client, w.incubator, grant, data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert [str(m) for m in response.context["messages"]] == [message]
    assert list(Document.objects.values_list("kind", "language")) == [(AGREEMENT, "zh-hans")]


def test_another_projects_document_cannot_be_generated_from_this_page(w, grant, client, django_capture_on_commit_callbacks):
    other = w.project()
    with django_capture_on_commit_callbacks(execute=True):
        w.signed(other)
    foreign = Document.objects.get(kind=AGREEMENT, proposal=other.proposal)
    w.incubator.language = "en"
    w.incubator.save()

    response = _page(client, w.incubator, grant, {"subject": foreign.subject, "lang": "en"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert [str(m) for m in response.context["messages"]] == ["This project has no such document."]
    assert not Document.objects.filter(language="en").exists()


def test_a_superseded_agreement_cannot_be_generated_in_the_other_language(w, grant, django_capture_on_commit_callbacks):
    project = w.project()
    agreement = Agreement.objects.get(project=project)
    BudgetLine.objects.create(agreement=agreement, category="equipment", amount=agreement.amount)
    with django_capture_on_commit_callbacks(execute=True):
        issue_agreement(agreement=agreement, actor=w.incubator)
    old = Document.objects.get(kind=AGREEMENT, proposal=project.proposal)
    with django_capture_on_commit_callbacks(execute=True):
        issue_agreement(agreement=agreement, actor=w.incubator)

    with pytest.raises(OutdatedSubject):
        issue_for_subject(project=project, subject=old.subject, language="en", actor=w.incubator)
    assert not Document.objects.filter(language="en").exists()


def test_a_character_the_font_lacks_is_refused_with_a_message(w, grant, client):
    chinese = Document.objects.get(kind=AGREEMENT)
    Proposal.objects.filter(pk=grant.proposal_id).update(title="概念验证 \U00020000")
    w.incubator.language = "en"
    w.incubator.save()

    response = _page(client, w.incubator, grant, {"subject": chinese.subject, "lang": "en"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    message = [str(m) for m in response.context["messages"]][0]
    assert message.startswith("The document contains characters the PDF font cannot print: \U00020000")
    assert Document.objects.count() == 1


@pytest.mark.parametrize("notices", [1, 3])
def test_documents_page_query_count_does_not_grow_with_the_documents(w, grant, client, notices,
                                                                     django_assert_num_queries):
    tranches = w.tranches(grant)
    w.midterm_passed(grant)
    passed = w.acceptance(grant, outcome=AcceptanceOutcome.PASS)
    for tranche in tranches[:notices]:
        tranche = w.release(tranche, f"BANK-{tranche.order}")
        issue_tranche_notice(tranche=tranche)
        issue_tranche_notice(tranche=tranche, language="en")
    issue_acceptance_certificate(acceptance=passed)
    client.force_login(w.incubator)
    url = reverse("decisions:project_documents", args=[grant.pk])
    # session, user, project, roles, the documents, tranche orders, acceptance rounds, permissions (2),
    # and the records that call for documents: agreement, released tranches, passed rounds, conversion
    with django_assert_num_queries(11):
        response = client.get(url)

    assert len(response.context["rows"]) == notices + 2


def test_the_project_page_partial_lists_the_documents_for_the_team_only(w, grant):
    document = Document.objects.get(kind=AGREEMENT)
    partial = Template('{% include "decisions/_project_documents.html" %}')

    def render(user):
        request = RequestFactory().get("/")
        request.user = user
        return partial.render(Context({"request": request, "project": grant}))

    assert reverse("decisions:download", args=[document.pk]) in render(grant.proposal.applicant)
    assert render(UserFactory(role=Role.EXPERT)).strip() == ""


def test_a_document_whose_render_failed_is_listed_as_missing_and_staff_can_generate_it(w, grant, client):
    first = w.tranches(grant)[0]
    w.release(first, "BANK-001")  # after-commit callbacks never run here: as if the render had failed
    client.force_login(w.incubator)
    url = reverse("decisions:project_documents", args=[grant.pk])

    rows = client.get(url).context["rows"]
    missing = [row for row in rows if row.missing]
    assert [(row.kind, row.subject, row.number) for row in missing] == [(NOTICE, f"tranche:{first.pk}", 1)]

    response = client.post(url, {"subject": f"tranche:{first.pk}", "lang": "zh-hans"})

    assert response.status_code in (200, 302)
    notice = Document.objects.get(kind=NOTICE, subject=f"tranche:{first.pk}")
    assert notice.language == "zh-hans"
    assert not [row for row in client.get(url).context["rows"] if row.missing]
