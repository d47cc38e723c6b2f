from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"


def entries(po_path):
    """(msgid, msgstr) pairs of a .po file; continuation lines are joined."""
    pairs, current, key = [], {}, None
    for line in po_path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if current:
                pairs.append((current.get("msgid", ""), current.get("msgstr", current.get("msgstr[0]", ""))))
            current, key = {}, None
        elif line.startswith("#"):
            continue
        elif line.startswith('"') and key:
            current[key] += line[1:-1]
        else:
            key, _, rest = line.partition(" ")
            current[key] = rest[1:-1]
    return [(i, s) for i, s in pairs if i]


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_catalog_translates_every_message(lang):
    pairs = entries(LOCALE / lang / "LC_MESSAGES" / "django.po")
    assert len(pairs) > 500
    assert [i for i, s in pairs if not s] == []


@pytest.mark.django_db
def test_login_page_follows_the_chosen_language(client):
    zh = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    en = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "登录" in zh.content.decode()
    assert "Log in to pocflow" in en.content.decode()
