"""Accessible markup in every template: a role on a list replaces its list semantics and leaves its items
orphaned (axe-core's serious `listitem` violation), so live regions wrap lists instead."""

import re
from pathlib import Path

from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
LIST_WITH_ROLE = re.compile(r"<(ul|ol)\b[^>]*\brole=", re.I)


def templates():
    return [p for p in ROOT.rglob("*.html") if ".venv" not in p.parts and "var" not in p.parts
            and "node_modules" not in p.parts]


def test_no_template_puts_a_role_on_a_list():
    offenders = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in templates()
                 for m in LIST_WITH_ROLE.finditer(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_an_announced_answer_is_a_list_inside_a_live_region(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("decisions:verify"), {"sha256": "0" * 64}, follow=True)
    html = response.content.decode()
    assert re.search(r'<div role="(status|alert)"><ul class="messages"><li', html)  # the answer, announced
