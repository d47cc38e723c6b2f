"""403, 404, 400 and 500 answer in the house design, in the reader's language, with a way back; viewflow's
stock "Access Forbidden … log in as another user" page never shows."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.loader import get_template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from core import error_pages
from pocflow import urls
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VIEWFLOW_STOCK = ("Access Forbidden", "LOG IN AS ANOTHER USER", "Log in as another user", "mdc-")


def signed_in(user, language):
    user.language = language
    user.save(update_fields=["language"])
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(request=HttpRequest(), username=user.username, password="pw-secret-123")
    return client


def test_a_page_the_role_may_not_open_answers_403_in_chinese_with_a_way_back():
    client = signed_in(UserFactory(role=Role.RESEARCHER), "zh-hans")
    came_from = "http://testserver" + reverse("proposals:mine")
    response = client.get(reverse("proposals:all"), HTTP_REFERER=came_from)
    html = response.content.decode()
    assert response.status_code == 403
    assert '<h1 id="error-heading">您无权打开此页面</h1>' in html
    assert f'<a class="button" href="{came_from}">返回上一页</a>' in html
    assert f'href="{reverse("home")}">前往首页</a>' in html
    assert [s for s in VIEWFLOW_STOCK if s in html] == []
    assert '<aside class="sidebar">' in html  # the page keeps the layout and the reader's menu


def test_a_403_in_english_and_a_foreign_referer_is_not_offered_as_the_way_back():
    client = signed_in(UserFactory(role=Role.EXPERT), "en")
    response = client.get(reverse("funding:funds"), HTTP_REFERER="https://evil.example/phish")
    html = response.content.decode()
    assert response.status_code == 403
    assert '<h1 id="error-heading">You may not open this page</h1>' in html
    assert "evil.example" not in html
    assert f'<a class="button" href="{reverse("home")}">Go to the home page</a>' in html


def test_an_unknown_address_answers_404_in_chinese_with_the_home_link():
    client = signed_in(UserFactory(role=Role.RESEARCHER), "zh-hans")
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<h1 id="error-heading">页面不存在</h1>' in html
    assert f'<a class="button" href="{reverse("home")}">前往首页</a>' in html


def test_an_anonymous_visitor_gets_the_404_page_too():
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/no-such-page/")
    assert response.status_code == 404
    assert '<h1 id="error-heading">Page not found</h1>' in response.content.decode()


@pytest.mark.urls("tests.design.error_urls")
def test_a_bug_answers_500_with_the_static_page_in_the_readers_language():
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", raise_request_exception=False)
    response = client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert '<h1 id="error-heading">出错了</h1>' in html
    assert '<a class="button" href="/">前往首页</a>' in html
    assert [s for s in VIEWFLOW_STOCK if s in html] == []


def test_the_500_page_renders_without_a_request_context_or_database(django_assert_num_queries):
    request = RequestFactory().get("/")  # no user, no session, no middleware
    with translation.override("en"), django_assert_num_queries(0):
        response = error_pages.server_error(request)
    assert response.status_code == 500
    assert '<h1 id="error-heading">Something went wrong</h1>' in response.content.decode()


def test_the_handlers_are_the_house_pages():
    assert (urls.handler400, urls.handler403, urls.handler404, urls.handler500) == (
        "core.error_pages.bad_request", "core.error_pages.permission_denied",
        "core.error_pages.page_not_found", "core.error_pages.server_error")


def test_the_stock_403_template_is_ours_not_viewflows(rf):
    """Whatever renders "403.html" by name (Django's default handler, viewflow) gets the house page."""
    request = rf.get("/")
    request.user = UserFactory(role=Role.RESEARCHER)
    with translation.override("en"):
        html = get_template("403.html").render({"request": request}, request)
    assert '<h1 id="error-heading">You may not open this page</h1>' in html
    assert [s for s in VIEWFLOW_STOCK if s in html] == []


def test_a_refusal_raised_inside_a_view_uses_the_house_403(rf):
    request = rf.get("/x/", HTTP_REFERER="http://testserver/proposals/mine/")
    request.user = UserFactory(role=Role.RESEARCHER)
    with translation.override("en"):
        response = error_pages.permission_denied(request, PermissionDenied())
    html = response.content.decode()
    assert response.status_code == 403
    assert '<a class="button" href="http://testserver/proposals/mine/">Back to the previous page</a>' in html
