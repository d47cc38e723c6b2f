"""Arrange helpers for the expert pool and conflict tests (profiles are plain data: made directly)."""

import codecs

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.test import Client

from accounts.enums import Role
from reviews.models import ExpertProfile, ExpertRelation
from reviews.signals import conflict_recorded
from tests.factories import UserFactory


def signed_in(user):
    client = Client()
    assert client.login(request=HttpRequest(), username=user.username, password="pw-secret-123")
    return client


def make_expert(*, name, institution="", expert_type="academic", relations=(), user=None, **profile):
    """An expert account with a profile; relations are (kind, name, institution, until_year) tuples."""
    user = user or UserFactory(role=Role.EXPERT, full_name=name)
    made = ExpertProfile.objects.create(user=user, institution=institution, expert_type=expert_type, **profile)
    for kind, rel_name, rel_inst, until in relations:
        ExpertRelation.objects.create(profile=made, kind=kind, name=rel_name, institution=rel_inst, until_year=until)
    return made


def csv_upload(text, *, name="experts.csv", encoding="utf-8", bom=False):
    data = text.encode(encoding)
    if bom:
        data = codecs.BOM_UTF8 + data
    return SimpleUploadedFile(name, data, content_type="text/csv")


def file_upload(data: bytes, *, name):
    return SimpleUploadedFile(name, data)


class SignalLog:
    """Records every `conflict_recorded` signal while connected (use as a context manager)."""

    def __init__(self):
        self.conflicts = []

    def __call__(self, sender, conflict, **kwargs):
        self.conflicts.append(conflict)

    def __enter__(self):
        conflict_recorded.connect(self, dispatch_uid="tests-conflict-log")
        return self

    def __exit__(self, *exc):
        conflict_recorded.disconnect(dispatch_uid="tests-conflict-log")
