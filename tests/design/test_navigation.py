"""The menu by role: each role sees exactly the pages it may open, every one of them opens, and the
current page is marked."""

import re

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from accounts.enums import Role
from tests.factories import UserFactory
from workflows import navigation
from workflows.navigation import MENU

pytestmark = pytest.mark.django_db

SIDEBAR = re.compile(r'<aside class="sidebar">(.*?)</aside>', re.S)
LINK = re.compile(r'<a href="([^"]+)"( aria-current="page")?>')


def signed_in(user):
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(request=HttpRequest(), username=user.username, password="pw-secret-123")
    return client


def menu_links(html):
    sidebar = SIDEBAR.search(html)
    assert sidebar, "the page has a side menu"
    return [(href, bool(current)) for href, current in LINK.findall(sidebar.group(1))]


def expected_urls(user):
    urls = []
    for group in MENU:
        for entry in group.entries:
            allowed = (user.has_perm(entry.perm) if entry.perm else True) and (entry.check is None or entry.check(user))
            if allowed:
                urls.append(reverse(entry.url_name))
    return urls


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_exactly_the_pages_it_may_open_and_each_opens(role):
    user = UserFactory(role=role)
    client = signed_in(user)
    html = client.get(reverse("home")).content.decode()
    links = [href for href, _ in menu_links(html)]
    assert links == expected_urls(user)
    every_entry = [reverse(e.url_name) for g in MENU for e in g.entries]
    hidden = [url for url in every_entry if url not in links]
    for url in hidden:  # what the role must not see is absent from the whole page's menus
        assert f'href="{url}"' not in SIDEBAR.search(html).group(1)
    for url in links:
        response = client.get(url)
        assert (url, response.status_code) == (url, 200)


@pytest.mark.parametrize("role", list(Role))
def test_the_menus_permission_answer_is_the_views(role):
    user = UserFactory(role=role)
    for entry in (e for g in MENU for e in g.entries if e.perm):
        assert (entry.perm, navigation.has_perm(user, entry.perm)) == (entry.perm, user.has_perm(entry.perm))


def test_a_superuser_sees_every_page_and_the_administration():
    user = UserFactory(is_staff=True, is_superuser=True)
    html = signed_in(user).get(reverse("home")).content.decode()
    assert [href for href, _ in menu_links(html)] == [reverse(e.url_name) for g in MENU for e in g.entries]


def test_the_researchers_menu_has_no_staff_pages_and_roles_groups_are_named():
    user = UserFactory(role=Role.RESEARCHER)
    html = signed_in(user).get(reverse("home")).content.decode()
    links = [href for href, _ in menu_links(html)]
    assert links == [reverse("home"), reverse("proposals:mine"), reverse("proposals:calls"), reverse("api:tokens"),
                     reverse("notices:list")]
    assert re.findall(r'<p class="nav-heading">([^<]+)</p>', SIDEBAR.search(html).group(1)) == ["Work", "Review"]


def test_the_current_page_and_the_pages_below_it_are_marked_current():
    user = UserFactory(role=Role.PROGRAM_OFFICER)
    client = signed_in(user)
    on_list = menu_links(client.get(reverse("pool:list")).content.decode())
    assert [href for href, current in on_list if current] == [reverse("pool:list")]
    on_new = menu_links(client.get(reverse("pool:create")).content.decode())  # a page under the pool
    assert [href for href, current in on_new if current] == [reverse("pool:list")]
    on_home = menu_links(client.get(reverse("home")).content.decode())
    assert [href for href, current in on_home if current] == [reverse("home")]


def test_an_anonymous_visitor_sees_only_the_public_pages():
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("notices:list")).content.decode()
    assert [href for href, _ in menu_links(html)] == [reverse("notices:list")]
    assert reverse("login") in html


def test_on_a_phone_the_same_menu_is_behind_a_menu_button_that_works_without_javascript():
    user = UserFactory(role=Role.FUND_MANAGER)
    html = signed_in(user).get(reverse("home")).content.decode()
    phone = re.search(r'<details class="menu-toggle">\s*<summary>Menu</summary>(.*?)</details>', html, re.S)
    assert phone, "a <details> toggles the menu"
    assert LINK.findall(phone.group(1)) == LINK.findall(SIDEBAR.search(html).group(1))


def test_the_header_names_the_center_from_the_settings(settings):
    settings.POCFLOW_CENTER_NAME = "清华大学概念验证中心"
    html = signed_in(UserFactory(role=Role.RESEARCHER)).get(reverse("home")).content.decode()
    assert '<span class="brand-name">清华大学概念验证中心</span>' in html
    assert "<title>" in html and "· 清华大学概念验证中心</title>" in html
