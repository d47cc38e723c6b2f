"""Issued documents are shown in the admin but can never be added, changed or deleted."""

import pytest
from django.urls import reverse

from decisions.models import Document

pytestmark = pytest.mark.django_db


@pytest.fixture
def document():
    return Document.objects.create(kind="approval_letter", language="zh-hans", template_version="letter-1",
                                   sha256="a" * 64, size=10, file="documents/aa/" + "a" * 64 + ".pdf")


def test_admin_lists_documents(admin_client, document):
    response = admin_client.get(reverse("admin:decisions_document_changelist"))
    assert response.status_code == 200
    assert document.sha256 in response.content.decode()


def test_admin_cannot_delete_a_document(admin_client, document):
    response = admin_client.post(reverse("admin:decisions_document_delete", args=[document.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Document.objects.filter(pk=document.pk).count() == 1


def test_admin_cannot_change_a_document(admin_client, document):
    response = admin_client.post(reverse("admin:decisions_document_change", args=[document.pk]), {"kind": "rejection_letter"})
    assert response.status_code == 403
    document.refresh_from_db()
    assert document.kind == "approval_letter"
