"""The statistics page: who may see it, the table and the SVG charts, the filter, CSV and XLSX exports."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from funding.enums import LedgerKind
from funding.models import LedgerEntry
from incubation.models import Company, FinancingRound, Project, TechContract
from incubation.selectors.statistics import COLUMNS, GROUPS
from proposals.enums import Field
from proposals.models import Proposal
from tests.factories import CallFactory, ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("statistics:funnel")
SHANGHAI = ZoneInfo("Asia/Shanghai")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EN_HEADERS = ["Call", "Entered (入库)", "Passed formal screening", "Reached the panel", "Approved (立项)", "Funded",
              "Amount committed", "Amount paid", "Projects graduated", "Companies founded", "Financing raised",
              "Registered contract value"]


def signed_in(user, language="en"):
    user.language = language
    user.save()
    client = Client()
    assert client.login(request=HttpRequest(), username=user.username, password="pw-secret-123")
    return client


def submitted(call, when, **kwargs):
    """Plain data: the funnel logic itself is tested on proposals moved by the services."""
    proposal = ProposalFactory(call=call, **kwargs)
    Proposal.objects.filter(pk=proposal.pk).update(submitted_at=when)
    return proposal


def project_with_outcomes(proposal, *, committed, paid, financing, contract, number):
    user = UserFactory()
    LedgerEntry.objects.create(fund=proposal.call.fund, kind=LedgerKind.COMMITMENT, amount=committed, proposal=proposal)
    LedgerEntry.objects.create(fund=proposal.call.fund, kind=LedgerKind.RELEASE, amount=paid, proposal=proposal)
    project = Project.objects.create(proposal=proposal)
    Company.objects.create(project=project, name="星辰科技有限公司", founded_on=dt.date(2026, 1, 5),
                           registered_capital=Decimal("1000000.00"), recorded_by=user)
    FinancingRound.objects.create(project=project, name="天使轮", closed_on=dt.date(2026, 5, 1), amount=financing,
                                  investors="某基金", recorded_by=user)
    TechContract.objects.create(project=project, kind="licence", counterparty="某企业", amount=contract,
                                signed_on=dt.date(2026, 6, 1), registration_number=number,
                                registered_on=dt.date(2026, 6, 5), recorded_by=user)


@pytest.fixture
def data():
    older = CallFactory(title_zh="2025年度概念验证", title_en="2025 PoC call",
                        opens_at=dt.datetime(2025, 1, 1, tzinfo=SHANGHAI))
    newer = CallFactory(title_zh="2026年度概念验证", title_en="2026 PoC call",
                        opens_at=dt.datetime(2026, 1, 1, tzinfo=SHANGHAI))
    p = submitted(newer, dt.datetime(2026, 2, 1, 10, tzinfo=SHANGHAI), field=Field.IT)
    submitted(newer, dt.datetime(2026, 2, 2, 10, tzinfo=SHANGHAI), field=Field.IT)
    submitted(older, dt.datetime(2025, 3, 1, 10, tzinfo=SHANGHAI), field=Field.BIOMED)
    project_with_outcomes(p, committed=Decimal("1234567.89"), paid=Decimal("740740.73"),
                          financing=Decimal("3000000.00"), contract=Decimal("800000.50"), number="2026060500001")
    return older, newer


def staff_client():
    return signed_in(UserFactory(role=Role.INCUBATION_MANAGER))


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.EXPERT, Role.TECHNOLOGY_MANAGER, Role.PANEL_CHAIR])
def test_roles_outside_the_centre_staff_are_refused(role, data):
    client = signed_in(UserFactory(role=role))

    assert [client.get(URL, {"format": fmt}).status_code for fmt in ("html", "csv", "xlsx")] == [403, 403, 403]


@pytest.mark.parametrize("role", [Role.INCUBATION_MANAGER, Role.FUND_MANAGER, Role.PROGRAM_OFFICER, Role.ADMINISTRATOR])
def test_centre_staff_see_the_funnel_table(role, data):
    older, newer = data
    response = signed_in(UserFactory(role=role)).get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert [(row.label, row.values()) for row in response.context["funnel"].rows] == [
        ("2026 PoC call", [2, 0, 0, 0, 0, Decimal("1234567.89"), Decimal("740740.73"), 0, 1, Decimal("3000000.00"),
                           Decimal("800000.50")]),
        ("2025 PoC call", [1, 0, 0, 0, 0, Decimal("0.00"), Decimal("0.00"), 0, 0, Decimal("0.00"), Decimal("0.00")]),
    ]
    assert ('<tr><th scope="row">2026 PoC call</th><td class="num">2</td><td class="num">0</td><td class="num">0</td>'
            '<td class="num">0</td><td class="num">0</td><td class="num">1,234,567.89</td>'
            '<td class="num">740,740.73</td><td class="num">0</td><td class="num">1</td>'
            '<td class="num">3,000,000.00</td><td class="num">800,000.50</td></tr>') in html
    assert '<tfoot><tr><th scope="row">Total</th><td class="num">3</td>' in html


def test_the_charts_are_inline_svg_with_title_description_and_numbers(data):
    response = staff_client().get(URL)

    html = response.content.decode()
    assert re.findall(r"<script[^>]*>", html) == [  # the charts need no script: only the layout's deferred ones
        '<script src="/static/vendor/htmx/htmx.min.js" defer>', '<script src="/static/js/pocflow.js" defer>']
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') == 2
    assert '<title id="funnel-chart-title">Funnel (all groups)</title>' in html
    assert ('<desc id="funnel-chart-desc">Entered (入库): 3; Passed formal screening: 0; Reached the panel: 0; '
            'Approved (立项): 0; Funded: 0; Projects graduated: 0</desc>') in html
    assert ('<desc id="amounts-chart-desc">2026 PoC call: committed 1,234,567.89, paid 740,740.73; '
            '2025 PoC call: committed 0.00, paid 0.00</desc>') in html
    bars = response.context["funnel_chart"]["bars"]
    assert [(bar.value, bar.width) for bar in bars] == [("3", 380), ("0", 0), ("0", 0), ("0", 0), ("0", 0), ("0", 0)]
    amounts = response.context["amounts_chart"]["groups"]
    assert [(g["committed"].width, g["paid"].width) for g in amounts] == [(380, 228), (0, 0)]


def test_grouping_by_field_and_quarter_over_http(data):
    client = staff_client()

    by_field = client.get(URL, {"group": "field"}).context["funnel"]
    by_quarter = client.get(URL, {"group": "quarter", "date_from": "2026-01-01", "date_to": "2026-03-31"}).context["funnel"]

    assert [(row.label, row.entered) for row in by_field.rows] == [("Biomedicine and health", 1),
                                                                   ("Information technology and AI", 2)]
    assert [(row.label, row.entered, row.committed) for row in by_quarter.rows] == [("2026 Q1", 2, Decimal("1234567.89"))]


@pytest.mark.parametrize("params, field, message", [
    ({"date_from": "2026-03-01", "date_to": "2026-01-01"}, "date_to", "The end of the period cannot be before its start."),
    ({"date_from": "yesterday"}, "date_from", "Enter a valid date."),
    ({"group": "institution"}, "group", "Select a valid choice. institution is not one of the available choices."),
])
def test_a_bad_filter_is_a_400_with_the_message_and_the_typed_values(data, params, field, message):
    response = staff_client().get(URL, params)

    assert response.status_code == 400
    assert [str(m) for m in response.context["messages"]] == ["Please correct the filter below."]
    assert response.context["form"].errors[field] == [message]
    assert response.context["form"][field].value() == params[field]


def test_a_bad_filter_does_not_export(data):
    response = staff_client().get(URL, {"date_from": "2026-03-01", "date_to": "2026-01-01", "format": "csv"})

    assert (response.status_code, response["Content-Type"]) == (400, "text/html; charset=utf-8")


def test_an_unknown_export_format_is_refused(data):
    response = staff_client().get(URL, {"format": "pdf"})

    assert response.status_code == 400
    assert [str(m) for m in response.context["messages"]] == ["Choose CSV or XLSX for the export."]


def test_csv_export_has_a_bom_translated_headers_and_the_same_figures(data):
    response = staff_client().get(URL, {"format": "csv"})

    body = response.content.decode("utf-8")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="pocflow-statistics-call-')
    assert response["Content-Disposition"].endswith('.csv"')
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows == [
        EN_HEADERS,
        ["2026 PoC call", "2", "0", "0", "0", "0", "1234567.89", "740740.73", "0", "1", "3000000.00", "800000.50"],
        ["2025 PoC call", "1", "0", "0", "0", "0", "0.00", "0.00", "0", "0", "0.00", "0.00"],
        ["Total", "3", "0", "0", "0", "0", "1234567.89", "740740.73", "0", "1", "3000000.00", "800000.50"],
    ]


def test_csv_headers_follow_the_users_language(data):
    client = signed_in(UserFactory(role=Role.FUND_MANAGER), language="zh-hans")

    body = client.get(URL, {"format": "csv", "group": "field"}).content.decode("utf-8-sig")

    with translation.override("zh-hans"):
        expected = [str(GROUPS["field"]), *[str(label) for _attr, label, _kind in COLUMNS]]
        field_label = str(Field.BIOMED.label)
    header, first = list(csv.reader(io.StringIO(body)))[:2]
    assert (header, first[0]) == (expected, field_label)


def test_xlsx_export_parses_back_with_numbers_not_strings(data):
    response = staff_client().get(URL, {"format": "xlsx", "date_from": "2026-01-01"})

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == EN_HEADERS
    assert [row[0] for row in rows[1:]] == ["2026 PoC call", "Total"]
    values = rows[1][1:]
    assert all(isinstance(value, (int, float)) for value in values)
    assert [Decimal(str(value)).quantize(Decimal("0.01")) for value in values] == [
        Decimal(v) for v in ("2", "0", "0", "0", "0", "1234567.89", "740740.73", "0", "1", "3000000.00", "800000.50")]


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_a_title_that_looks_like_a_formula_is_exported_as_text(data, lead):
    older, newer = data
    newer.title_en = lead + "HYPERLINK(\"http://evil\")"
    newer.save()

    body = staff_client().get(URL, {"format": "csv"}).content.decode("utf-8-sig")

    assert list(csv.reader(io.StringIO(body)))[1][0] == "'" + lead + "HYPERLINK(\"http://evil\")"


# the page's queries do not grow with the number of proposals and calls

def populate(n):
    for index in range(n):
        call = CallFactory()
        proposal = submitted(call, dt.datetime(2026, 1 + index % 12, 3, tzinfo=SHANGHAI))
        project_with_outcomes(proposal, committed=Decimal("10.00"), paid=Decimal("1.00"), financing=Decimal("5.00"),
                              contract=Decimal("2.00"), number=f"R{index}")


# session, user, the user's groups (permission), six funnel queries (the menu asks the named predicates:
# no model-permission lookups)
QUERIES = {"html": 9, "csv": 9, "xlsx": 9}


@pytest.mark.parametrize("n", [2, 10])
@pytest.mark.parametrize("fmt", list(QUERIES))
def test_the_page_and_exports_take_a_fixed_number_of_queries(n, fmt, django_assert_num_queries):
    populate(n)
    client = staff_client()

    with django_assert_num_queries(QUERIES[fmt]):
        response = client.get(URL, {"format": fmt})

    assert response.status_code == 200
