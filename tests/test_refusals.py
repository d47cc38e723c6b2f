"""A repeated or illegal transition from a view is an answer (409 with the message), never a 500."""

import pytest
from django.urls import reverse

from proposals.enums import ProposalStatus as S
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

COMPLETE = {"title": "钙钛矿叠层电池", "language": "zh-hans", "abstract": "摘要", "field": "other",
            "ip_status": "none", "requested_amount": "100000.00"}


def test_submitting_twice_answers_409_the_second_time_and_changes_nothing(client, world):
    proposal = world.proposal()
    proposal.applicant.language = "en"
    proposal.applicant.save(update_fields=["language"])
    client.force_login(proposal.applicant)
    url = reverse("workflows:submit", args=[proposal.pk])

    first = client.post(url, COMPLETE)
    proposal.refresh_from_db()
    audit_rows = proposal.audit_entries.count()
    second = client.post(url, COMPLETE)  # a double click, or a stale tab

    assert first.status_code == 302 and proposal.status == S.SUBMITTED
    assert second.status_code == 409
    assert "can only be edited while it is a draft or returned for revision" in second.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == S.SUBMITTED and proposal.audit_entries.count() == audit_rows


def test_a_superuser_opening_another_researchers_draft_is_refused_403_not_500(client, world):
    proposal = world.proposal()
    admin = UserFactory(is_superuser=True, is_staff=True, language="en")
    client.force_login(admin)
    url = reverse("proposals:edit", args=[proposal.pk])
    before = (proposal.title, proposal.audit_entries.count())

    page = client.get(url)
    saved = client.post(url, {**COMPLETE, "title": "管理员改的标题"})
    submitted = client.post(reverse("workflows:submit", args=[proposal.pk]), COMPLETE)

    # only the applicant edits and submits a draft: the page is not offered, and nothing changes
    assert (page.status_code, saved.status_code, submitted.status_code) == (403, 403, 403)
    proposal.refresh_from_db()
    assert (proposal.title, proposal.audit_entries.count(), proposal.status) == (*before, S.DRAFT)
