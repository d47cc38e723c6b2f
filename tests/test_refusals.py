"""A repeated or illegal transition from a view is an answer (409 with the message), never a 500."""

import pytest
from django.urls import reverse

from proposals.enums import ProposalStatus as S

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
