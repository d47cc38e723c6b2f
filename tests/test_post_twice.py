"""Every POST endpoint, posted twice in a row, answers without a 5xx: a double click, a resubmitted
form, a stale tab. A crawler signs in as each demo user over the seeded demo (every stage reached),
walks every page reachable from their home page, and posts each form it finds exactly as a browser would
render it, twice in a row; then it posts an empty body twice to every URL it has seen. Whatever the
answer (302 after success, 409 for the repeat, 400 for an incomplete form, 403, 405), it is never 5xx."""

import datetime as dt
from collections import Counter
from decimal import Decimal
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from accounts.models import User
from core.models import Delivery
from demo import seed as demo
from incubation.enums import AgreementStatus
from incubation.models import Agreement, BudgetLine, Kpi, Project
from incubation.services.agreement import issue_agreement
from incubation.services.reports import request_due_reports
from tests.e2e.html import forms_in
from tests.factories import CallFactory
from tests.helpers import World

pytestmark = pytest.mark.django_db

PER_NAME = 6  # distinct URLs visited per URL name and user: enough to reach every form, bounded
# the demo holds a proposal at every stage: a staff member reaches the ones with letters only past the first six
PER_NAME_FOR = {"proposals:detail": 14}
SKIPPED = ("/static/", "/media/", "/admin/", "/metrics", "/accounts/logout/")  # Django's admin has its own tests

# The POST endpoints of pocflow (resolver names). The crawl must post a rendered form to each of them, so
# a new endpoint that no page offers, or a page that stops offering one, fails here until it is listed.
POST_ENDPOINTS = {
    "login", "password_change", "password_reset", "set_language",
    "accounts:profile", "accounts:create_user",
    "proposals:edit", "proposals:call_edit", "proposals:call_new", "proposals:call_step", "proposals:call_open",
    "proposals:new",
    "workflows:claim", "workflows:submit", "workflows:withdraw", "workflows:screen", "workflows:assign_experts",
    "workflows:panel", "workflows:funding", "workflows:review", "workflows:decline",
    "workflows:retry_failed_deliveries",
    "reviews:rubric",
    "pool:create", "pool:me", "pool:import", "pool:detect_call", "pool:edit",
    "assignment:call",
    "panel:roadshow_criterion_add", "panel:roadshow_judge_add", "panel:roadshow_slot_add",
    "notices:detail", "notices:publish",
    "funding:eligibility_rules", "funding:commissions",
    "incubation:agreement_terms", "incubation:agreement_milestones", "incubation:agreement_budget",
    "incubation:agreement_tranches", "incubation:agreement_issue", "incubation:agreement_upload_signed",
    "incubation:kpi_actuals", "incubation:report_save", "incubation:change_new", "incubation:record_company",
    "incubation:record_round", "incubation:record_patent", "incubation:record_contract", "incubation:record_figure",
    "incubation:assign_tech_manager", "incubation:release_tranche", "incubation:milestone_accept",
    "decisions:verify", "decisions:reissue_letter", "decisions:panel_sheet", "decisions:project_documents",
    "accounts:register", "accounts:two_factor", "funding:commission_rule", "funding:deactivate_commission_rule",
    "funding:pay_commission", "incubation:acceptance", "incubation:close", "incubation:midterm", "incubation:progress",
    "incubation:remove_tech_manager", "panel:call", "panel:proposal", "pool:declare_conflict", "workflows:retry_delivery",
}


@pytest.fixture
def demo_world(django_capture_on_commit_callbacks):
    """The demo (every stage reached), plus the moments whose forms the finished demo no longer shows:
    a draft to submit, an expert with a review to score, a panel to decide, an open public notice, a
    funding decision to make, a roadshow to plan, a delivery given up."""
    with django_capture_on_commit_callbacks(execute=True):
        result = demo.seed_demo()
        demo.seed_demo_story(call=result["call"])
        CallFactory(draft=True, title_zh="草稿批次")  # a call being set up: its preview offers to open it
        world = World()
        world.call.roadshow_enabled = True
        world.call.save(update_fields=["roadshow_enabled"])
        # first, as funding closes the notices due: a draft agreement (its budget, milestone, terms and
        # tranche forms) and an issued one waiting for the signed copy
        world.incubating()
        issued = Agreement.objects.get(project=world.incubating())
        BudgetLine.objects.create(agreement=issued, category="equipment", amount=issued.amount)
        issue_agreement(agreement=issued, actor=world.incubator)
        draft = world.proposal()
        world.in_funding()
        world.approved()
        world.publish()
        world.approved()  # waits for the next notice
        world.in_panel()
        world.assigned()
    signed = Project.objects.filter(agreement__status=AgreementStatus.SIGNED).select_related("agreement")
    for project in signed:  # an indicator to report on, and the quarterly reports that are due
        Kpi.objects.create(project=project, name="样机", unit="台", target=Decimal("3"))
    request_due_reports(today=max(p.agreement.signed_on for p in signed) + dt.timedelta(days=200))
    Delivery.objects.create(kind="mail.user", key="post-twice-given-up", next_attempt_at=timezone.now(),
                            attempts=8, failed_at=timezone.now(), last_error="SMTP refused")
    # staff first: an applicant's withdrawal (posted twice like every form) would take tasks off their lists
    staff = User.objects.filter(username__in=[name for name, *_rest in demo.DEMO_USERS]).exclude(username="researcher")
    return [*staff.order_by("pk"), world.officer, world.experts[0], world.fund_manager,
            User.objects.get(username="researcher"), draft.applicant, None]


def own_path(base, href):
    """The site-relative path of a link or form action, or None for another site, a fragment or a mail."""
    if not href or href.startswith(("#", "mailto:", "javascript:")):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.netloc not in ("", "testserver"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if parts.path.startswith(SKIPPED) else path


def name_of(path):
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return None


class Crawl:
    def __init__(self, client):
        self.client = client
        self.seen: set[str] = set()
        self.per_name: Counter = Counter()
        self.forms: dict[tuple, tuple[str, dict]] = {}  # (action, control names) -> (action, data)
        self.answers: list[tuple[str, str, int]] = []  # (method, path, status)
        self.pages: dict[str, str] = {}  # path -> the HTML of every page read with 200

    def walk(self, *starts):
        queue = list(starts)
        while queue:
            path = queue.pop(0)
            name = name_of(path)
            if path in self.seen or name is None or self.per_name[name] >= PER_NAME_FOR.get(name, PER_NAME):
                continue
            self.seen.add(path)
            self.per_name[name] += 1
            response = self.client.get(path)
            self.answers.append(("GET", path, response.status_code))
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            html = response.content.decode()
            self.pages[path] = html
            queue.extend(p for p in (own_path(path, href) for href in _links(html)) if p and p not in self.seen)
            for form in forms_in(response):
                action = own_path(path, form.action or path)
                if form.method != "post" or action is None:
                    continue
                for button in form.buttons or [None]:  # each submit button: its own action and value
                    target = own_path(path, button.formaction) if button and button.formaction else action
                    if target is None:
                        continue
                    data = dict(form.data())
                    if button and button.name:
                        data[button.name] = button.value
                    key = (urlsplit(target).path, tuple(sorted(form.names)), button.name if button else None)
                    self.forms.setdefault(key, (target, data))

    def post_twice(self, path, data):
        for _ in range(2):
            response = self.client.post(path, data)
            self.answers.append(("POST", path, response.status_code))

    def failures(self):
        return [answer for answer in self.answers if answer[2] >= 500]


def _links(html):
    from html.parser import HTMLParser  # noqa: PLC0415 — reason: only the crawler needs it

    found = []

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "a":
                found.extend(v for k, v in attrs if k == "href")

    Links().feed(html)
    return found


def top_pages():
    """Every page without arguments (the menu's lists and forms): where a user starts."""
    paths = []
    for name in url_names(get_resolver().url_patterns):
        try:
            paths.append(reverse(name))
        except NoReverseMatch:
            continue
    return sorted(p for p in set(paths) if not p.startswith(SKIPPED))


def url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from url_names(pattern.url_patterns, namespace + (f"{pattern.namespace}:" if pattern.namespace else ""))
        elif pattern.name:
            yield namespace + pattern.name


def crawl_as(user, rounds=2):
    """Walk, post every form found twice; walk again (a claimed task, a saved draft open new forms) and
    post the new ones; then post an empty body twice to every URL seen."""
    client = Client()
    if user is not None:
        client.force_login(user)
    crawl = Crawl(client)
    posted = set()
    for _ in range(rounds):
        crawl.seen.clear()
        crawl.per_name.clear()
        crawl.walk(*top_pages())
        for key, (action, data) in list(crawl.forms.items()):
            if key not in posted:
                posted.add(key)
                crawl.post_twice(action, data)
    for path in sorted(crawl.seen):
        crawl.post_twice(path, {})
    return crawl


def test_every_form_posted_twice_and_every_url_posted_empty_twice_answers_without_a_5xx(demo_world):
    posted_names: set[str] = set()
    failures = []
    for user in demo_world:
        crawl = crawl_as(user)
        failures += [(getattr(user, "username", None), *answer) for answer in crawl.failures()]
        posted_names |= {name_of(path) for _key, (path, _data) in crawl.forms.items()}
    assert failures == []
    # the crawl reached every POST endpoint through a form some page renders
    missing = sorted(POST_ENDPOINTS - posted_names)
    assert missing == [], " ".join(missing)
