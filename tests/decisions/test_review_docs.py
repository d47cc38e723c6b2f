"""The review documents (issue #3 item 10): the applicant's anonymised review summary and the
panel score sheet (专家组汇总表), rendered from the real results of a call reviewed through the
real services (tests/decisions/review_docs_support.py)."""

import datetime as dt
import hashlib
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from core.errors import NotPermitted
from decisions.enums import DocumentKind
from decisions.models import Document
from decisions.pdf import FONT_FAMILY, FONT_POSTSCRIPT_NAME, MissingGlyphError, render_pdf
from decisions.services import review_contexts
from decisions.services.review_documents import UnknownDocumentLanguage, issue_panel_sheet, issue_review_summary
from proposals.models import AuditEntry, Proposal
from proposals.signals import proposal_transitioned
from reviews.enums import ExpertType
from reviews.models import Conflict, Review
from reviews.services.conflicts import declare_conflict
from reviews.services.results import CallResults, CriterionFigures, ProposalResult, ReviewFigures, call_results
from tests.decisions.pdfutil import embedded_fonts, pdf_text, squash
from tests.decisions.review_docs_support import (
    DECLINE_REASON,
    EXPERTS,
    FEEDBACK,
    MEAN,
    MEDIAN,
    RATIONALE,
    RECUSED,
    TOTALS,
    TRIMMED,
    VETO_REASON,
    ReviewDocsWorld,
)
from tests.factories import CallFactory, CriterionFactory, ProposalFactory, UserFactory

SUMMARY = DocumentKind.REVIEW_SUMMARY
SHEET = DocumentKind.PANEL_SHEET
BUNDLED_ONLY = {(FONT_FAMILY.replace(" ", "-"), True, FONT_POSTSCRIPT_NAME)}


def read(document: Document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def font_set(pdf: bytes) -> set:
    return {(f["pdf_name"], f["embedded"], f["postscript_name"]) for f in embedded_fonts(pdf)}


def assert_nothing_identifies_the_experts(text: str, world: ReviewDocsWorld, language: str):
    for name, expert_type, institution, _scores, _rec, _opinion, note in EXPERTS:
        assert squash(name) not in text
        assert squash(institution) not in text
        assert squash(note) not in text
        with translation.override(language):
            assert squash(str(ExpertType(expert_type).label)) not in text
    assert squash(RECUSED[0]) not in text and squash(DECLINE_REASON) not in text
    assert squash(RATIONALE) not in text  # the chair's rationale is the panel's
    assert squash(world.chair.full_name) not in text and squash(world.officer.full_name) not in text


@pytest.fixture
def world(db):
    return ReviewDocsWorld()


@pytest.fixture
def decided(world, django_capture_on_commit_callbacks):
    """An English proposal rejected by the panel, its summary issued after commit."""
    proposal = world.in_panel(language="en", reference="POC-2026-0101", title="Perovskite 喆堃 tandem cells")
    world.recommend(proposal)
    with django_capture_on_commit_callbacks(execute=True):
        world.decide(proposal)
    return proposal


# -- the anonymised review summary -----------------------------------------------------------


def test_panel_decision_issues_an_anonymous_english_review_summary_with_the_figures(world, decided):
    document = Document.objects.get(proposal=decided, kind=SUMMARY)

    pdf = read(document)
    text = pdf_text(pdf)
    for expected in ("Summary of the expert review", "POC-2026-0101", "Perovskite 喆堃 tandem cells",
                     "2026 Proof-of-Concept Call", "Panel decision", "Reject", FEEDBACK, "Reviews3",
                     f"{MEAN}{TRIMMED}{MEDIAN}",  # mean, trimmed mean, median in one row
                     "Innovation60106.5061/2Notpassed", "Marketpotential4053.6732/3Passed",
                     "Pass marks on every criterion: Not passed", "Veto (一票否决)", VETO_REASON):
        assert squash(expected) in text, expected
    # each expert by number, in submission order: one table of criteria × experts (N/A shown as N/A) with the
    # weighted totals, then each expert's recommendation and opinion
    cells = (("8.00", "4.00"), ("5.00", "2.00"), ("N/A", "5.00"))
    matrix = ("CriterionMaximumscoreExpert1Expert2Expert3"
              + "Innovation10" + "".join(c[0] for c in cells) + "Marketpotential5" + "".join(c[1] for c in cells)
              + "Weightedtotal(0–100)100" + "".join(str(t) for t in TOTALS))
    assert matrix in text
    for number, ((_name, _type, _org, _scores, _rec, opinion, _note), recommendation) in enumerate(zip(
        EXPERTS, ("Support", "Do not support", "Strongly support"),
    ), start=1):
        heading = re.escape(f"Expert{number}") + "." + re.escape(squash(f"Overall recommendation: {recommendation}"))
        assert re.search(heading + re.escape(squash(opinion)), text), number
    assert "Expert4" not in text
    assert_nothing_identifies_the_experts(text, world, "en")
    assert font_set(pdf) == BUNDLED_ONLY
    assert (document.language, document.template_version, document.call) == ("en", "review-summary-v1", None)
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()


def test_applicant_is_mailed_a_link_to_the_summary(world, decided):
    document = Document.objects.get(proposal=decided, kind=SUMMARY)

    summary_mails = [m for m in mail.outbox if f"/documents/{document.pk}/download/" in m.body]
    assert [m.to for m in summary_mails] == [[decided.applicant.email]]


def test_chinese_review_summary_uses_the_bundled_font_and_numbers_the_experts(world, django_capture_on_commit_callbacks):
    proposal = world.in_panel(reference="POC-2026-0102", title="王喆堃昇珺玥团队的钙钛矿概念验证")
    with django_capture_on_commit_callbacks(execute=True):
        world.decide(proposal, outcome="invite_resubmission")

    document = Document.objects.get(proposal=proposal, kind=SUMMARY)

    pdf = read(document)
    text = pdf_text(pdf)
    for expected in ("王喆堃昇珺玥团队的钙钛矿概念验证", "2026年度概念验证项目申报", "创新性", "市场前景", FEEDBACK,
                     "专家1", "专家2", "专家3", *TOTALS, MEAN, MEDIAN, "6.50", "3.67", VETO_REASON,
                     *(opinion for *_rest, opinion, _note in EXPERTS)):
        assert squash(expected) in text, expected
    assert "专家4" not in text
    assert_nothing_identifies_the_experts(text, world, "zh-hans")
    assert font_set(pdf) == BUNDLED_ONLY
    assert document.language == "zh-hans"


def test_review_summary_is_issued_again_only_when_its_content_changes(world, decided):
    first = Document.objects.get(proposal=decided, kind=SUMMARY)

    again = issue_review_summary(proposal=decided)
    Proposal.objects.filter(pk=decided.pk).update(title="A new title")
    decided.refresh_from_db()
    changed = issue_review_summary(proposal=decided)

    assert again.pk == first.pk
    assert changed.pk != first.pk and changed.sha256 != first.sha256
    assert "Anewtitle" in pdf_text(read(changed))
    assert list(AuditEntry.objects.filter(proposal=decided, action="document.issued", data__kind="review_summary")
                .order_by("pk").values_list("data__sha256", flat=True)) == [first.sha256, changed.sha256]


def test_a_summary_issued_before_the_decision_is_for_staff_only(world, client, django_capture_on_commit_callbacks):
    proposal = world.in_panel(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        preview = issue_review_summary(proposal=proposal)
    url = reverse("decisions:download", args=[preview.pk])
    mailed_before = [m for m in mail.outbox if "/documents/" in m.body]

    client.force_login(proposal.applicant)
    refused_before = client.get(url).status_code
    client.force_login(world.officer)
    allowed = client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        world.decide(proposal)
    released = Document.objects.filter(proposal=proposal, kind=SUMMARY).exclude(pk=preview.pk).get()
    client.force_login(proposal.applicant)
    refused_after = client.get(url).status_code
    released_response = client.get(reverse("decisions:download", args=[released.pk]))

    assert "Panel decision" not in pdf_text(read(preview))
    assert "Paneldecision" in pdf_text(read(released))
    assert (refused_before, refused_after) == (403, 403)
    assert allowed.status_code == 200 and b"".join(allowed.streaming_content) == read(preview)
    assert released_response.status_code == 200
    assert mailed_before == []  # the applicant hears of the summary only once it is theirs
    assert [m.to for m in mail.outbox if f"/documents/{released.pk}/download/" in m.body] == [[proposal.applicant.email]]


def test_applicant_downloads_their_summary_after_the_decision(world, decided, client):
    document = Document.objects.get(proposal=decided, kind=SUMMARY)

    client.force_login(decided.applicant)
    response = client.get(reverse("decisions:download", args=[document.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="review_summary-POC-2026-0101.pdf"'
    assert b"".join(response.streaming_content) == read(document)


@pytest.mark.parametrize("who", ["other_researcher", "reviewing_expert", "recused_expert", "other_expert"])
def test_summary_is_refused_to_everyone_but_the_applicant_and_staff(world, decided, client, who):
    user = {
        "other_researcher": lambda: UserFactory(role=Role.RESEARCHER),
        "reviewing_expert": lambda: world.experts[0],
        "recused_expert": lambda: world.recused,
        "other_expert": lambda: UserFactory(role=Role.EXPERT),
    }[who]()
    document = Document.objects.get(proposal=decided, kind=SUMMARY)

    client.force_login(user)
    response = client.get(reverse("decisions:download", args=[document.pk]))

    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.FUND_MANAGER, Role.PANEL_CHAIR, Role.INCUBATION_MANAGER])
def test_staff_download_a_summary(world, decided, client, role):
    document = Document.objects.get(proposal=decided, kind=SUMMARY)

    client.force_login(UserFactory(role=role))
    response = client.get(reverse("decisions:download", args=[document.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("to_state", ["panel", "funding", "funded", "withdrawn"])
def test_transitions_other_than_the_panel_decision_issue_no_summary(world, decided, to_state,
                                                                    django_capture_on_commit_callbacks):
    before = set(Document.objects.filter(kind=SUMMARY).values_list("pk", flat=True))  # documents are never deleted

    with django_capture_on_commit_callbacks(execute=True):
        proposal_transitioned.send(sender=Proposal, proposal=decided, transition="x", from_state="approved",
                                   to_state=to_state, actor=None, note="")

    assert set(Document.objects.filter(kind=SUMMARY).values_list("pk", flat=True)) == before


def test_approval_without_a_recorded_panel_decision_issues_no_summary(db, django_capture_on_commit_callbacks):
    proposal = ProposalFactory()

    with django_capture_on_commit_callbacks(execute=True):
        proposal_transitioned.send(sender=Proposal, proposal=proposal, transition="approve", from_state="panel",
                                   to_state="approved", actor=None, note="")

    assert Document.objects.count() == 0


def test_summary_context_never_carries_names_types_notes_or_calibration(db):
    call = CallFactory()
    criterion = CriterionFactory(call=call, name_en="Innovation", max_score=Decimal("10"))
    proposal = ProposalFactory(call=call, language="en", reference="POC-1")
    review = ReviewFigures(
        review_id=1, expert_id=7, expert_name="SECRET-NAME", expert_type="investor", weighted_total=Decimal("61.50"),
        calibrated_total=Decimal("12.34"), criterion_scores={criterion.pk: None}, recommendation="support",
        confidence="low", veto=True, veto_reason="out of scope", offset=Decimal("49.16"), opinion="For you.",
        panel_note="SECRET-NOTE",
    )
    result = ProposalResult(
        proposal_id=proposal.pk, reference="POC-1", title=proposal.title, reviews=[review], mean=Decimal("61.50"),
        trimmed_mean=Decimal("61.50"), trimmed=False, median=Decimal("61.50"), calibrated=Decimal("12.34"),
        criteria=[CriterionFigures(criterion.pk, "Innovation", None, None, 0, 0, None)], all_criteria_passed=None,
        veto=True, spread=Decimal("0"), group_means={"investor": Decimal("61.50")}, disagreement=True,
        disagreement_reasons=["SECRET-REASON"], roadshow=None, expert_score=Decimal("61.50"),
        final_score=Decimal("61.50"), rank=3, computed_rank=2,
    )

    with translation.override("en"):
        context = review_contexts.review_summary_context(
            proposal=proposal, result=result, criteria=[criterion], decision=None, language="en",
            issued_on=dt.date(2026, 3, 5), issuer="Fund", verify_url="https://example.org/verify/",
        )

    flat = repr(context)
    for secret in ("SECRET-NAME", "SECRET-NOTE", "SECRET-REASON", "Investor", "investor", "12.34", "49.16", "low"):
        assert secret not in flat
    assert context["experts"] == [{
        "number": 1, "scores": [{"name": "Innovation", "value": "N/A", "max_score": "10"}], "total": "61.50",
        "recommendation": "Support", "opinion": "For you.",
    }]
    assert (context["veto"], context["veto_reasons"]) == (True, ["out of scope"])


# -- the panel score sheet -------------------------------------------------------------------


def test_sheet_template_prints_the_roadshow_the_chair_order_and_the_methods_from_the_results(db):
    call = CallFactory(roadshow_enabled=True, roadshow_weight=Decimal("0.30"))
    criterion = CriterionFactory(call=call, name_en="Innovation", weight=Decimal("100"), max_score=Decimal("10"))
    review = ReviewFigures(
        review_id=1, expert_id=7, expert_name="Ada Expert", expert_type="investor", weighted_total=Decimal("70.00"),
        calibrated_total=Decimal("66.50"), criterion_scores={criterion.pk: Decimal("7")}, recommendation="support",
        confidence="medium", veto=False, veto_reason="",
    )
    result = ProposalResult(
        proposal_id=1, reference="POC-9", title="Roadshow proposal", reviews=[review], mean=Decimal("70.00"),
        trimmed_mean=Decimal("70.00"), trimmed=False, median=Decimal("70.00"), calibrated=Decimal("66.50"),
        criteria=[CriterionFigures(criterion.pk, "Innovation", Decimal("7.00"), None, 0, 1, None)],
        all_criteria_passed=None, veto=False, spread=Decimal("0.00"), group_means={"investor": Decimal("70.00")},
        disagreement=False, disagreement_reasons=[], roadshow=Decimal("90.00"), expert_score=Decimal("70.00"),
        final_score=Decimal("76.00"), rank=1, computed_rank=2,
    )
    results = CallResults(call_id=call.pk, methods={"calibration": "offset-als-1", "final_score": "final-1"},
                          ranking_basis="trimmed_mean", expert_offsets={7: Decimal("3.50")}, proposals=[result],
                          tie_break_rules=["Higher final score"])

    with translation.override("en"):
        context = review_contexts.panel_sheet_context(
            call=call, results=results, criteria=[criterion], recusals={}, language="en",
            as_of=dt.datetime(2026, 3, 5, 1, 30, tzinfo=dt.UTC), issuer="Fund",
            verify_url="https://example.org/verify/",
        )
    text = pdf_text(render_pdf(template_name="decisions/panel_sheet.html", context=context, language="en"))

    for expected in ("Scores and recommendations as of 2026-03-05 09:30 (China Standard Time, UTC+8)",
                     "Trimmed mean; combined with the roadshow score at weight 0.3",
                     "calibration offset-als-1; final_score final-1",
                     "1 2 POC-9 Roadshow proposal 70.00 70.00 70.00 66.50 90.00 76.00",  # rank, computed rank, figures
                     "Ada Expert Investor 7.00 70.00 66.50 Support Medium",
                     "66.50 (raw mean 70.00; offset-als-1)", "Roadshow 90.00", "Final score 76.00",
                     "Ada Expert +3.50", "Ties are broken by, in order: 1. Higher final score"):
        assert squash(expected) in text, expected


@pytest.fixture
def panel(world):
    """Two proposals in the panel, the first with a chair's recommendation."""
    first = world.in_panel(reference="POC-2026-0201", title="钙钛矿叠层电池")
    second = world.second_in_panel(reference="POC-2026-0202", title="固态电池隔膜")
    world.recommend(first)
    return first, second


def test_english_panel_sheet_names_every_expert_with_scores_aggregates_flags_ranking_and_rationale(world, panel):
    first, second = panel
    results = call_results(world.call)
    by_id = {p.proposal_id: p for p in results.proposals}

    document = issue_panel_sheet(call=world.call, language="en", issued_by=world.chair)

    pdf = read(document)
    text = pdf_text(pdf)
    for expected in ("Panel score sheet (专家组汇总表)", "2026 Proof-of-Concept Call", "Trimmed mean",
                     "Innovation60106Yes", "Marketpotential4053No",  # the rubric
                     "calibration offset-als-1", "ranking rank-1", "weighted_total wt-1",
                     RATIONALE, "Reject", VETO_REASON, "Panel chair (signature)", "Date"):
        assert squash(expected) in text, expected
    for (name, expert_type, _org, _scores, _rec, _opinion, _note), review, total in zip(
            EXPERTS, by_id[first.pk].reviews, TOTALS):
        calibrated = f"{review.calibrated_total:.2f}"
        assert squash(f"{name}{expert_type.capitalize()}") in text
        assert squash(f"{total}{calibrated}") in text  # raw and calibrated side by side
    assert squash(f"赵专家: {VETO_REASON}") in text  # the sheet names who vetoed
    assert squash(f"{RECUSED[0]}Academic Recused (conflict of interest: Declared by the expert); no scores counted") in text
    assert squash("The reviews differ by 54.00 points (more than 20.00).") in text
    for result in results.proposals:  # ranking rows: rank, computed rank, reference, title, figures
        assert squash(f"{result.rank}{result.computed_rank}{result.reference}{result.title}{result.mean:.2f}"
                      f"{result.trimmed_mean:.2f}{result.median:.2f}{result.calibrated:.2f}{result.final_score:.2f}") in text
    assert squash(f"{MEAN} / {TRIMMED} / {MEDIAN}") in text
    assert font_set(pdf) == BUNDLED_ONLY
    assert (document.kind, document.call, document.proposal, document.language, document.template_version) == (
        SHEET, world.call, None, "en", "panel-sheet-v1")


def test_chinese_panel_sheet_prints_names_and_figures_in_the_bundled_font(world, panel):
    document = issue_panel_sheet(call=world.call, language="zh-hans", issued_by=world.officer)

    pdf = read(document)
    text = pdf_text(pdf)
    for expected in ("2026年度概念验证项目申报", "创新性", "市场前景", "钙钛矿叠层电池", "固态电池隔膜", RATIONALE,
                     *(name for name, *_rest in EXPERTS), RECUSED[0], *TOTALS, MEAN, MEDIAN):
        assert squash(expected) in text, expected
    assert font_set(pdf) == BUNDLED_ONLY
    assert document.language == "zh-hans"


def test_regenerating_the_sheet_with_unchanged_inputs_returns_the_same_document(world, panel):
    first, second = panel
    sheet = issue_panel_sheet(call=world.call, language="en", issued_by=world.officer)

    again = issue_panel_sheet(call=world.call, language="en", issued_by=world.chair)
    world.recommend(second, recommendation="approve", rationale="值得支持。")
    changed = issue_panel_sheet(call=world.call, language="en", issued_by=world.chair)

    assert again.pk == sheet.pk
    assert changed.pk != sheet.pk
    assert Document.objects.filter(call=world.call, kind=SHEET).count() == 2
    audits = AuditEntry.objects.filter(action="document.issued", data__kind="panel_sheet").order_by("pk")
    assert [(a.actor, a.proposal, a.data["sha256"], a.data["call"]) for a in audits] == [
        (world.officer, None, sheet.sha256, world.call.pk), (world.chair, None, changed.sha256, world.call.pk)]


def test_a_review_withdrawn_for_a_conflict_after_submission_is_left_out_of_both_documents(world, panel):
    _first, second = panel
    withdrawn = Review.objects.get(proposal=second, expert=world.experts[2])
    declare_conflict(review=withdrawn, expert=world.experts[2], reason="后来发现与团队有合作。")

    summary_text = pdf_text(read(issue_review_summary(proposal=second)))
    sheet_text = pdf_text(read(issue_panel_sheet(call=world.call, language="en", issued_by=world.officer)))

    assert squash(withdrawn.opinion) not in summary_text
    assert "专家2" in summary_text and "专家3" not in summary_text
    first_section, second_section = sheet_text.split("Rank1:POC-2026-0201", 1)[1].split("Rank2:POC-2026-0202", 1)
    assert "JaneReviewerEntrepreneurN/A5.00" in first_section
    assert squash("Jane Reviewer Entrepreneur Recused (conflict of interest: Declared by the expert)") in second_section
    assert "JaneReviewerEntrepreneur9.00" not in second_section  # her scores (9, 5) are not shown


def test_sheet_service_refuses_a_fund_manager_and_an_unknown_language(world, panel):
    with pytest.raises(NotPermitted):
        issue_panel_sheet(call=world.call, language="en", issued_by=UserFactory(role=Role.FUND_MANAGER))
    with pytest.raises(UnknownDocumentLanguage):
        issue_panel_sheet(call=world.call, language="fr", issued_by=world.officer)
    assert Document.objects.filter(kind=SHEET).count() == 0


def test_character_outside_the_font_refuses_the_sheet_and_stores_nothing(world, panel):
    world.experts[0].full_name = "𠮷田"
    world.experts[0].save(update_fields=["full_name"])

    with pytest.raises(MissingGlyphError) as excinfo:
        issue_panel_sheet(call=world.call, language="en", issued_by=world.officer)

    assert excinfo.value.characters == ["𠮷"]
    assert Document.objects.filter(kind=SHEET).count() == 0
    assert not AuditEntry.objects.filter(action="document.issued").exists()


# -- the panel sheet page ---------------------------------------------------------------------


def sheet_url(call, **query):
    url = reverse("decisions:panel_sheet", args=[call.pk])
    return f"{url}?lang={query['lang']}" if "lang" in query else url


@pytest.mark.parametrize("role", [Role.PROGRAM_OFFICER, Role.PANEL_CHAIR])
def test_staff_generate_the_sheet_by_post_and_download_the_latest_by_get(world, panel, client, role):
    client.force_login(UserFactory(role=role))

    generated = client.post(sheet_url(world.call), {"lang": "en"})
    document = Document.objects.get(call=world.call, kind=SHEET)
    downloaded = client.get(sheet_url(world.call, lang="en"))

    assert generated.status_code == 302
    assert generated["Location"] == reverse("decisions:download", args=[document.pk])
    assert downloaded.status_code == 200
    assert downloaded["Content-Disposition"] == (
        f'attachment; filename="panel_sheet-call{world.call.pk}-en-{document.pk}.pdf"')
    assert b"".join(downloaded.streaming_content) == read(document)
    assert document.language == "en"


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.EXPERT, Role.FUND_MANAGER, Role.INCUBATION_MANAGER])
def test_panel_sheet_is_refused_to_everyone_but_the_programme_office_and_the_chair(world, panel, client, role):
    sheet = issue_panel_sheet(call=world.call, language="en", issued_by=world.officer)
    client.force_login(UserFactory(role=role))

    responses = [
        client.get(sheet_url(world.call)),
        client.get(sheet_url(world.call, lang="en")),
        client.post(sheet_url(world.call), {"lang": "zh-hans"}),
        client.get(reverse("decisions:download", args=[sheet.pk])),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    assert list(Document.objects.filter(kind=SHEET)) == [sheet]


def test_applicant_and_reviewing_expert_may_not_download_the_sheet(world, panel, client):
    first, _second = panel
    sheet = issue_panel_sheet(call=world.call, language="en", issued_by=world.officer)

    statuses = []
    for user in (first.applicant, world.experts[0]):
        client.force_login(user)
        statuses.append(client.get(reverse("decisions:download", args=[sheet.pk])).status_code)

    assert statuses == [403, 403]


def test_a_chair_with_a_conflict_in_the_call_may_not_see_the_sheet(world, panel, client):
    first, _second = panel
    Conflict.objects.create(proposal=first, expert=world.chair, source="manual", reason="同一课题组",
                            recorded_by=world.officer)
    sheet = issue_panel_sheet(call=world.call, language="en", issued_by=world.officer)
    client.force_login(world.chair)

    page = client.get(sheet_url(world.call))
    download = client.get(reverse("decisions:download", args=[sheet.pk]))

    assert (page.status_code, download.status_code) == (403, 403)
    with pytest.raises(NotPermitted):
        issue_panel_sheet(call=world.call, language="zh-hans", issued_by=world.chair)


@pytest.mark.parametrize("method", ["get", "post"])
def test_sheet_language_must_be_chinese_or_english(world, client, method):
    world.officer.language = "en"  # the signed-in user's language wins over Accept-Language
    world.officer.save(update_fields=["language"])
    client.force_login(world.officer)

    if method == "get":
        response = client.get(sheet_url(world.call, lang="fr"), HTTP_ACCEPT_LANGUAGE="en")
    else:
        response = client.post(sheet_url(world.call), {"lang": "fr"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.context["form"].errors == {"lang": ["Choose Chinese or English for the panel score sheet."]}
    assert Document.objects.count() == 0
    assert not AuditEntry.objects.filter(action="document.issued").exists()


def test_downloading_a_sheet_never_generated_says_so(world, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language chosen in the switcher wins
    client.force_login(world.officer)

    response = client.get(sheet_url(world.call, lang="zh-hans"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert [str(m) for m in response.context["messages"]] == [
        "No panel score sheet has been generated in this language yet."]


def test_unprintable_name_is_reported_on_the_page_and_nothing_is_stored(world, panel, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language chosen in the switcher wins
    world.experts[1].full_name = "𠮷野"
    world.experts[1].save(update_fields=["full_name"])
    client.force_login(world.officer)

    response = client.post(sheet_url(world.call), {"lang": "en"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert [str(m) for m in response.context["messages"]] == [
        "The sheet contains characters the PDF font cannot print: 𠮷. Correct the names or texts concerned and "
        "generate it again."]
    assert Document.objects.filter(kind=SHEET).count() == 0


@pytest.mark.parametrize("rows", [1, 3])
def test_sheet_page_lists_the_issued_sheets_in_constant_queries(world, client, django_assert_num_queries, rows):
    for n in range(rows):
        Document.objects.create(call=world.call, kind=SHEET, language="en", template_version="panel-sheet-v1",
                                sha256=f"{n:064x}", size=1, file=f"documents/{n}.pdf")
    client.force_login(world.officer)

    with django_assert_num_queries(6):
        response = client.get(sheet_url(world.call))

    assert response.status_code == 200
    assert len(response.context["sheets"]) == rows


# -- verification, and the links on the proposal and call pages -------------------------------


def test_both_documents_are_verifiable_by_their_hash_on_the_public_page(world, decided, client):
    summary = Document.objects.get(proposal=decided, kind=SUMMARY)
    sheet = issue_panel_sheet(call=world.call, language="en", issued_by=world.officer)

    checked = []
    for document in (summary, sheet):
        upload = SimpleUploadedFile("document.pdf", read(document), content_type="application/pdf")
        checked.append(client.post(reverse("decisions:verify"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="en"))
    by_hash = client.post(reverse("decisions:verify"), {"sha256": sheet.sha256}, HTTP_ACCEPT_LANGUAGE="en")

    assert [r.context["document"] for r in checked] == [summary, sheet]
    assert by_hash.context["document"] == sheet
    summary_page, sheet_page = (r.content.decode() for r in checked)
    assert "Authentic" in summary_page and "POC-2026-0101" in summary_page and "Anonymised review summary" in summary_page
    assert "Authentic" in sheet_page and "2026 Proof-of-Concept Call" in sheet_page and "Panel score sheet" in sheet_page
    for name, *_rest in EXPERTS:  # the content is never disclosed
        assert name not in summary_page and name not in sheet_page


def test_applicant_finds_the_summary_on_their_proposal_page(world, decided, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language chosen in the switcher wins
    document = Document.objects.get(proposal=decided, kind=SUMMARY)
    client.force_login(decided.applicant)

    response = client.get(reverse("proposals:detail", args=[decided.pk]), HTTP_ACCEPT_LANGUAGE="en")

    assert reverse("decisions:download", args=[document.pk]) in response.content.decode()
    assert "Download the review summary (PDF)" in response.content.decode()


def test_applicant_is_told_the_summary_comes_after_the_decision(world, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language chosen in the switcher wins
    proposal = world.in_panel()
    issue_review_summary(proposal=proposal)  # a staff preview exists, but the decision is not out
    client.force_login(proposal.applicant)

    response = client.get(reverse("proposals:detail", args=[proposal.pk]), HTTP_ACCEPT_LANGUAGE="en")

    content = response.content.decode()
    assert "will be available here once the panel has decided" in content
    assert "Download the review summary (PDF)" not in content


@pytest.mark.parametrize(("role", "shown"), [(Role.PROGRAM_OFFICER, True), (Role.PANEL_CHAIR, True),
                                             (Role.FUND_MANAGER, False), (Role.RESEARCHER, False)])
def test_call_page_links_the_panel_sheet_for_the_programme_office_and_the_chair(world, client, role, shown):
    client.force_login(UserFactory(role=role))

    response = client.get(reverse("proposals:call", args=[world.call.pk]))

    assert (reverse("decisions:panel_sheet", args=[world.call.pk]) in response.content.decode()) is shown
