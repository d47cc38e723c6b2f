"""Importing experts from CSV and XLSX: all or nothing, with a row-level report."""

import datetime as dt
import io

import openpyxl
import pytest
import tablib
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from accounts.roles import has_role
from core.errors import InvalidInput, NotPermitted
from proposals.models import AuditEntry
from reviews.models import Conflict, ExpertProfile, ExpertRelation, ExpertUnavailability
from reviews.services import importing
from reviews.services.importing import import_experts, import_template
from tests.factories import UserFactory
from tests.helpers import World
from tests.reviews.pool_support import csv_upload, file_upload, make_expert, signed_in

pytestmark = pytest.mark.django_db
User = get_user_model()

HEADER = "email,full_name,expert_type,institution,position,fields_zh,keywords_en,max_load,unavailable,coauthors,students,advisors"
GOOD = (
    HEADER + "\n"
    "wang@example.org,王五,investor,红杉资本,合伙人,\"储能, 电池\",battery,3,2026-12-01~2026-12-20; 2027/01/05 至 2027/01/06,"
    "张三 (北京大学)；李四,,钱导师（南京大学）\n"
    "zhao@example.org,赵六,学术专家,清华大学 化学系,教授,催化,catalysis,,,,孙学生 (清华大学),\n"
)


def snapshot():
    return (User.objects.count(), ExpertProfile.objects.count(), ExpertRelation.objects.count(),
            ExpertUnavailability.objects.count(), AuditEntry.objects.count())


def english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def test_a_valid_csv_creates_experts_with_periods_and_relations(officer):
    report = import_experts(upload=csv_upload(GOOD), actor=officer)
    assert (report.ok, report.rows, report.created, report.updated) == (True, 2, 2, 0)
    wang = ExpertProfile.objects.get(user__email="wang@example.org")
    assert (wang.user.full_name, wang.expert_type, wang.institution, wang.position, wang.fields_zh, wang.keywords_en,
            wang.max_load) == ("王五", "investor", "红杉资本", "合伙人", "储能, 电池", "battery", 3)
    assert has_role(wang.user, Role.EXPERT) and not wang.user.has_usable_password()
    assert list(wang.unavailable_periods.values_list("starts_on", "ends_on")) == [
        (dt.date(2026, 12, 1), dt.date(2026, 12, 20)), (dt.date(2027, 1, 5), dt.date(2027, 1, 6))]
    assert sorted(wang.relations.values_list("kind", "name", "institution")) == [
        ("advisor", "钱导师", "南京大学"), ("coauthor", "张三", "北京大学"), ("coauthor", "李四", "")]
    zhao = ExpertProfile.objects.get(user__email="zhao@example.org")
    assert (zhao.expert_type, zhao.max_load, list(zhao.relations.values_list("kind", "name"))) == (
        "academic", 5, [("student", "孙学生")])
    audit = AuditEntry.objects.get(action="expert.imported")
    assert (audit.actor, audit.data["created"], audit.data["updated"], audit.data["file"]) == (officer, 2, 0, "experts.csv")


def test_broken_rows_are_reported_by_row_and_column_and_nothing_is_written(officer):
    make_expert(name="已有", user=UserFactory(role=Role.EXPERT, email="old@example.org"), institution="旧单位")
    before = snapshot()
    text = (HEADER + "\n"
            "ok@example.org,好人,academic,某大学,,,,,,,,\n"
            "not-an-email,坏人,academic,,,,,,,,,\n"
            "bad@example.org,坏人,wizard,,,,,999,2026-12-20~2026-12-01,,,\n"
            "new@example.org,,academic,,,,,,,,,\n"
            "old@example.org,,academic,新单位,,,,,,张三 (北京大学,,\n")
    with translation.override("en"):
        report = import_experts(upload=csv_upload(text), actor=officer)
    assert report.ok is False
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (3, "email", "Enter a valid email address."),
        (4, "expert_type", "Unknown expert type “wizard”; use one of: academic, investor, entrepreneur, industry, finance."),
        (4, "max_load", "Ensure this value is less than or equal to 200."),
        (4, "unavailable", "The period “2026-12-20~2026-12-01” ends before it starts."),
        (5, "full_name", "A new expert needs a full name."),
        (6, "coauthors", "Write persons as “name (institution)”, separated by semicolons: “张三 (北京大学” is not one."),
    ]
    assert snapshot() == before
    assert ExpertProfile.objects.get(user__email="old@example.org").institution == "旧单位"


def test_duplicate_emails_in_the_file_are_reported_and_nothing_is_written(officer):
    before = snapshot()
    text = "email,full_name\na@example.org,甲\nb@example.org,乙\nA@Example.org,甲二\n"
    with translation.override("en"):
        report = import_experts(upload=csv_upload(text), actor=officer)
    assert [(e.row, e.column, e.message) for e in report.errors] == [(4, "email", "This email also appears in row 2.")]
    assert snapshot() == before


def test_an_existing_account_is_updated_and_columns_left_out_are_kept(officer):
    profile = make_expert(name="老专家", user=UserFactory(role=Role.EXPERT, email="old@example.org", full_name="老专家"),
                          institution="旧单位", bio="原简介", keywords_zh="旧关键词", max_load=7,
                          relations=[("coauthor", "旧合作", "", None), ("student", "旧学生", "", None)])
    researcher = UserFactory(role=Role.RESEARCHER, email="res@example.org", full_name="研究员")
    text = "邮箱,单位,关键词（中文）,合作者\nOLD@example.org,新单位,,新合作 (某所)\nres@example.org,某大学,电池,\n"
    report = import_experts(upload=csv_upload(text), actor=officer)
    assert (report.created, report.updated) == (1, 1)
    profile.refresh_from_db()
    assert (profile.institution, profile.bio, profile.keywords_zh, profile.max_load, profile.user.full_name) == (
        "新单位", "原简介", "", 7, "老专家")
    assert sorted(profile.relations.values_list("kind", "name")) == [("coauthor", "新合作"), ("student", "旧学生")]
    assert User.objects.filter(email__iexact="old@example.org").count() == 1
    assert has_role(researcher, Role.EXPERT) and has_role(researcher, Role.RESEARCHER)
    assert ExpertProfile.objects.get(user=researcher).keywords_zh == "电池"


def test_a_csv_with_a_utf8_bom_is_read(officer):
    report = import_experts(upload=csv_upload("email,full_name\nbom@example.org,带签名\n", bom=True), actor=officer)
    assert report.created == 1 and User.objects.get(email="bom@example.org").full_name == "带签名"


def test_a_gbk_csv_with_chinese_headers_is_read(officer):
    text = "姓名,邮箱,类型,单位,领域（中文）,不可用时段\n张教授,zhang@example.org,投资人,浙江大学,新材料,2026-12-01~2026-12-02\n"
    report = import_experts(upload=csv_upload(text, encoding="gbk"), actor=officer)
    profile = ExpertProfile.objects.get(user__email="zhang@example.org")
    assert (report.created, profile.user.full_name, profile.expert_type, profile.institution, profile.fields_zh) == (
        1, "张教授", "investor", "浙江大学", "新材料")


@pytest.mark.parametrize("spelling, value", [("Investor", "investor"), ("金融专家", "finance"), ("Industry", "industry"),
                                             ("创业者", "entrepreneur"), (" ACADEMIC ", "academic")])
def test_the_expert_type_accepts_the_key_and_chinese_or_english_names(officer, spelling, value):
    import_experts(upload=csv_upload(f"email,full_name,expert_type\nt@example.org,某人,{spelling}\n"), actor=officer)
    assert ExpertProfile.objects.get().expert_type == value


def test_the_xlsx_template_round_trips(officer):
    client = signed_in(officer)
    response = client.get(reverse("pool:import_template", args=["xlsx"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="expert-pool-template.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers == [c.zh for c in importing.COLUMNS]  # the officer reads Chinese
    row = {"邮箱": "x@example.org", "姓名": "徐专家", "类型": "产业专家", "单位": "华为技术有限公司", "最大评审量": 2,
           "不可用时段": "2026-12-01~2026-12-03", "合作者": "王合作 (华为)"}
    sheet.append([row.get(h) for h in headers])
    sheet.append([None] * len(headers))  # a blank row is skipped
    out = io.BytesIO()
    book.save(out)
    upload = file_upload(out.getvalue(), name="专家.xlsx")
    response = client.post(reverse("pool:import"), {"file": upload})
    assert response.status_code == 302 and response["Location"] == reverse("pool:list")
    profile = ExpertProfile.objects.get(user__email="x@example.org")
    assert (profile.user.full_name, profile.expert_type, profile.institution, profile.max_load) == (
        "徐专家", "industry", "华为技术有限公司", 2)
    assert list(profile.relations.values_list("name", "institution")) == [("王合作", "华为")]
    assert list(profile.unavailable_periods.values_list("ends_on", flat=True)) == [dt.date(2026, 12, 3)]


def test_the_csv_template_has_a_bom_and_the_english_keys_for_english_readers(officer):
    response = signed_in(english(officer)).get(reverse("pool:import_template", args=["csv"]))
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content[3:].decode("utf-8").strip() == ",".join(c.key for c in importing.COLUMNS)
    assert signed_in(officer).get(reverse("pool:import_template", args=["pdf"])).status_code == 404


def test_an_xlsx_row_error_names_the_spreadsheet_row(officer):
    data = tablib.Dataset(headers=["email", "full_name"])
    data.append(["good@example.org", "好"])
    data.append(["broken", "坏"])
    with translation.override("en"):
        report = import_experts(upload=file_upload(data.export("xlsx"), name="e.xlsx"), actor=officer)
    assert [(e.row, e.column) for e in report.errors] == [(3, "email")]
    assert ExpertProfile.objects.count() == 0


@pytest.mark.parametrize("name, content, message", [
    ("experts.txt", b"email\na@example.org\n", "Upload a .csv or .xlsx file."),
    ("experts.csv", b"", "The file is empty."),
    ("experts.csv", b"email,full_name\n", "The file has a header row but no experts."),
    ("experts.xlsx", b"not a workbook", "The file could not be read as an Excel workbook (.xlsx)."),
    ("experts.csv", "email,名字,单位\na@example.org,某,某\n".encode(), "Unknown columns: “名字”. Use the columns of the template."),
    ("experts.csv", b"full_name\nsomeone\n", "The file has no email column (“email” or “邮箱”)."),
    ("experts.csv", b"email,full_name\na@example.org,x,extra\n", None),
])
def test_unusable_files_are_refused_and_nothing_is_written(officer, name, content, message):
    before = snapshot()
    with translation.override("en"):
        if message is None:  # a row longer than the header is a row-level problem
            report = import_experts(upload=file_upload(content, name=name), actor=officer)
            assert [(e.row, e.message) for e in report.errors] == [(2, "This row has more cells than the header row has columns.")]
        else:
            with pytest.raises(InvalidInput) as exc:
                import_experts(upload=file_upload(content, name=name), actor=officer)
            assert str(exc.value) == message
    assert snapshot() == before


def test_a_file_over_5_mb_is_refused(officer):
    content = b"email,full_name,bio\n" + b"a@example.org,x," + b"y" * (5 * 1024 * 1024) + b"\n"
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        import_experts(upload=file_upload(content, name="big.csv"), actor=officer)
    assert str(exc.value) == "The file is larger than 5 MB; split it into smaller files."


def test_more_than_5000_rows_are_refused(officer):
    content = "email\n" + "".join(f"e{i}@example.org\n" for i in range(5001))
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        import_experts(upload=csv_upload(content), actor=officer)
    assert str(exc.value) == "The file has more than 5000 rows; at most 5000 can be imported at once."
    assert ExpertProfile.objects.count() == 0


def test_only_the_program_office_may_import(roles_ready):
    with pytest.raises(NotPermitted):
        import_experts(upload=csv_upload(GOOD), actor=UserFactory(role=Role.PANEL_CHAIR))
    assert ExpertProfile.objects.count() == 0


def test_the_page_shows_the_row_report_and_writes_nothing(officer):
    before = snapshot()
    response = signed_in(english(officer)).post(reverse("pool:import"), {
        "file": csv_upload("email,full_name\nnot-an-email,某人\n")})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported: correct the rows listed below and upload the file again." in html
    assert '<td class="num">2</td><td>email</td><td>Enter a valid email address.</td>' in html
    assert snapshot() == before


def test_the_page_shows_a_refused_file_with_its_reason(officer):
    response = signed_in(english(officer)).post(reverse("pool:import"), {"file": file_upload(b"x", name="a.pdf")})
    assert response.status_code == 400
    assert "Upload a .csv or .xlsx file." in response.content.decode()


def test_an_import_detects_conflicts_with_proposals_in_review(officer):
    world = World()
    proposal = world.assigned(institution="某研究院")
    import_experts(upload=csv_upload("email,full_name,institution\nnew@example.org,新专家,某研究院 三室\n"), actor=officer)
    expert = User.objects.get(email="new@example.org")
    assert list(Conflict.objects.values_list("proposal_id", "expert_id", "source")) == [(proposal.pk, expert.pk, "institution")]


def test_the_template_lists_every_column_with_an_explanation_sheet():
    with translation.override("en"):
        book = openpyxl.load_workbook(io.BytesIO(import_template(file_format="xlsx", chinese=False)))
    assert [c.value for c in book.worksheets[0][1]] == [c.key for c in importing.COLUMNS]
    notes = [[c.value for c in row] for row in book.worksheets[1].iter_rows(min_row=2)]
    assert [n[0] for n in notes] == [c.key for c in importing.COLUMNS]
    assert notes[0][2] == "Required. The key: an existing account with this email is updated."
