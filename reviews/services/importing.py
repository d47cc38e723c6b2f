"""Import experts from CSV or XLSX (专家库导入), all or nothing.

The header row names the columns, in English keys or Chinese headers (see COLUMNS). The email
is the key: an existing account with that email is updated, otherwise an account is created
(no password: the expert sets one through "forgot password"). Columns left out of the file are
not changed; an empty cell in an included column clears that value (type and maximum load keep
their current value). Every row is validated with a Django form first; if any row is broken
nothing is written and the report lists "row – column – message" (rows as numbered in the
spreadsheet, the header being row 1).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

import openpyxl
import tablib
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _, gettext_lazy

from accounts.enums import Role
from core.errors import InvalidInput, NotPermitted
from core.exports import safe_row
from forms.uploads import MESSAGES as UPLOAD_MESSAGES, ZIP_MAX_ENTRIES, ZIP_MAX_UNCOMPRESSED
from proposals.services.audit import record_audit
from reviews.enums import ExpertType, RelationKind
from reviews.models import ExpertProfile, ExpertRelation, ExpertUnavailability
from reviews.rules import can_manage_pool
from reviews.services.pool import expert_profiles_changed, unique_username

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000


@dataclass(frozen=True)
class Column:
    key: str
    zh: str  # the Chinese header of the template
    aliases: tuple[str, ...]
    help: str


COLUMNS = (
    Column("email", "邮箱", ("e-mail", "电子邮箱", "电子邮件", "邮件"),
           gettext_lazy("Required. The key: an existing account with this email is updated.")),
    Column("full_name", "姓名", ("name", "专家姓名"), gettext_lazy("Required for a new expert.")),
    Column("expert_type", "类型", ("type", "专家类型"),
           gettext_lazy("academic, investor, entrepreneur, industry or finance, or the type's name in Chinese or English. "
                        "Default: academic.")),
    Column("institution", "单位", ("工作单位", "机构", "所在单位", "organisation", "organization"), gettext_lazy("Text.")),
    Column("position", "职务/职称", ("职务", "职称", "title"), gettext_lazy("Text.")),
    Column("fields_zh", "领域(中文)", ("领域", "研究领域", "fields"), gettext_lazy("Separate with commas.")),
    Column("fields_en", "领域(英文)", (), gettext_lazy("Separate with commas.")),
    Column("keywords_zh", "关键词(中文)", ("关键词", "keywords"), gettext_lazy("Separate with commas.")),
    Column("keywords_en", "关键词(英文)", (), gettext_lazy("Separate with commas.")),
    Column("bio", "简介", ("个人简介",), gettext_lazy("A few sentences.")),
    Column("max_load", "最大评审量", ("最大并发评审数", "load"), gettext_lazy("A whole number from 0 to 200. Default: 5.")),
    Column("unavailable", "不可用时段", ("不可用时间", "unavailability"),
           gettext_lazy("Periods such as 2026-12-01~2026-12-20, separated by semicolons.")),
    Column("coauthors", "合作者", ("合著者", "co-authors"),
           gettext_lazy("Persons such as 王五 (北京大学), separated by semicolons.")),
    Column("students", "学生", ("指导学生", "former students"),
           gettext_lazy("Persons such as 王五 (北京大学), separated by semicolons.")),
    Column("advisors", "导师", ("advisers",), gettext_lazy("Persons such as 王五 (北京大学), separated by semicolons.")),
)
# Columns that spreadsheets often carry and that mean nothing here.
IGNORED_HEADERS = ("序号", "编号", "no", "no.", "#")
RELATION_COLUMNS = {"coauthors": RelationKind.COAUTHOR, "students": RelationKind.STUDENT, "advisors": RelationKind.ADVISOR}
TEXT_FIELDS = ("institution", "position", "fields_zh", "fields_en", "keywords_zh", "keywords_en", "bio")


def _header_key(text) -> str:
    text = unicodedata.normalize("NFKC", "" if text is None else str(text)).casefold()
    return re.sub(r"[\s*_\-/]", "", text)


HEADERS = {}
for _col in COLUMNS:
    for _alias in (_col.key, _col.zh, *_col.aliases):
        HEADERS[_header_key(_alias)] = _col.key


@dataclass
class RowError:
    row: int | None  # spreadsheet row number (header = 1); None for the whole file
    column: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    profiles: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# parsing cells

_PERIOD_SPLIT = re.compile(r"[;；\n]+")
_RANGE_SPLIT = re.compile(r"\s*(?:~|～|〜|至|到|—|\s+to\s+)\s*")
_PERSON = re.compile(r"^(?P<name>[^()]+?)\s*(?:\((?P<institution>[^()]*)\))?$")


def _date(text: str) -> dt.date:
    text = re.sub(r"[/.]", "-", text.strip())
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if not m:
        raise ValueError(text)
    return dt.date(int(m[1]), int(m[2]), int(m[3]))


def parse_periods(text: str) -> list[dict]:
    periods = []
    for part in _PERIOD_SPLIT.split(text or ""):
        part = part.strip()
        if not part:
            continue
        ends = _RANGE_SPLIT.split(part)
        try:
            if len(ends) != 2:
                raise ValueError(part)
            starts_on, ends_on = _date(ends[0]), _date(ends[1])
        except ValueError as exc:
            raise forms.ValidationError(
                _("Write periods as 2026-12-01~2026-12-20, separated by semicolons: “%(part)s” is not one.") % {"part": part}
            ) from exc
        if ends_on < starts_on:
            raise forms.ValidationError(_("The period “%(part)s” ends before it starts.") % {"part": part})
        periods.append({"starts_on": starts_on, "ends_on": ends_on, "note": ""})
    return periods


def parse_persons(text: str) -> list[dict]:
    persons = []
    for part in _PERIOD_SPLIT.split((text or "").replace("（", "(").replace("）", ")")):
        part = part.strip()
        if not part:
            continue
        m = _PERSON.match(part)
        if not m:
            raise forms.ValidationError(
                _("Write persons as “name (institution)”, separated by semicolons: “%(part)s” is not one.") % {"part": part})
        name, institution = m["name"].strip(), (m["institution"] or "").strip()
        if len(name) > 200 or len(institution) > 200:
            raise forms.ValidationError(_("Names and institutions may have at most 200 characters."))
        persons.append({"name": name, "institution": institution})
    return persons


def _expert_types() -> dict[str, str]:
    """Accepted spellings of each type: the key and its label in Chinese and English."""
    spellings = {}
    for value in ExpertType.values:
        spellings[_header_key(value)] = value
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                spellings[_header_key(str(ExpertType(value).label))] = value
    extra = {"学术": "academic", "学者": "academic", "学术专家": "academic", "高校": "academic",
             "投资": "investor", "投资人": "investor", "投资专家": "investor",
             "创业": "entrepreneur", "创业者": "entrepreneur", "企业家": "entrepreneur",
             "产业": "industry", "产业专家": "industry", "行业专家": "industry", "企业": "industry",
             "金融": "finance", "金融专家": "finance", "财务": "finance"}
    spellings.update({_header_key(k): v for k, v in extra.items()})
    return spellings


class ExpertRowForm(forms.Form):
    """One row of the import file."""

    email = forms.EmailField(max_length=254)
    full_name = forms.CharField(max_length=150, required=False)
    expert_type = forms.CharField(required=False)
    institution = forms.CharField(max_length=200, required=False)
    position = forms.CharField(max_length=200, required=False)
    fields_zh = forms.CharField(required=False)
    fields_en = forms.CharField(required=False)
    keywords_zh = forms.CharField(required=False)
    keywords_en = forms.CharField(required=False)
    bio = forms.CharField(required=False)
    max_load = forms.IntegerField(min_value=0, max_value=200, required=False)
    unavailable = forms.CharField(required=False)
    coauthors = forms.CharField(required=False)
    students = forms.CharField(required=False)
    advisors = forms.CharField(required=False)

    def __init__(self, *args, types, **kwargs):
        super().__init__(*args, **kwargs)
        self.types = types

    def clean_email(self):
        return self.cleaned_data["email"].strip()

    def clean_expert_type(self):
        value = self.cleaned_data["expert_type"].strip()
        if not value:
            return ""
        try:
            return self.types[_header_key(value)]
        except KeyError as exc:
            raise forms.ValidationError(_("Unknown expert type “%(value)s”; use one of: %(choices)s.") % {
                "value": value, "choices": ", ".join(ExpertType.values)}) from exc

    def clean_unavailable(self):
        return parse_periods(self.cleaned_data["unavailable"])

    def clean_coauthors(self):
        return parse_persons(self.cleaned_data["coauthors"])

    def clean_students(self):
        return parse_persons(self.cleaned_data["students"])

    def clean_advisors(self):
        return parse_persons(self.cleaned_data["advisors"])


# reading the file

def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _decode(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
        encodings = ("utf-8",)
    else:
        encodings = ("utf-8", "gb18030")  # Excel in China saves CSV as GBK, which GB18030 contains
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(_("The file's text is neither UTF-8 nor GB18030 (GBK)."))


def _read(upload) -> tuple[list[str], list[tuple[int, list[str]]], list[RowError]]:
    """(headers, [(row number, cells)], row errors) of the uploaded file; refuses unusable files.

    Rows are read one at a time (csv's reader, openpyxl's read-only mode) and reading stops as soon as
    the row after the last allowed one is seen, so a file of a million rows costs no more than one of
    MAX_ROWS + 1."""
    name = (upload.name or "").lower()
    if not name.endswith((".csv", ".xlsx")):
        raise InvalidInput(_("Upload a .csv or .xlsx file."))
    if not upload.size:
        raise InvalidInput(_("The file is empty."))
    if upload.size > MAX_BYTES:
        raise InvalidInput(_("The file is larger than 5 MB; split it into smaller files."))
    raw = upload.read()
    if name.endswith(".csv"):
        records = enumerate(csv.reader(io.StringIO(_decode(raw).lstrip("\ufeff"))), start=1)
        return _collect(records, check_width=True)
    workbook = _open_workbook(raw)
    try:
        rows = enumerate(workbook.active.iter_rows(values_only=True), start=1)
        return _collect(rows, check_width=False)
    except InvalidInput:
        raise
    except Exception as exc:  # zipfile, XML and openpyxl errors met while reading rows: not a workbook we can read
        raise InvalidInput(_("The file could not be read as an Excel workbook (.xlsx).")) from exc
    finally:
        workbook.close()


def _open_workbook(raw: bytes):
    """The workbook in read-only (streaming) mode, after checking from the zip directory that it does
    not unpack to more than an office document may (a decompression bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise InvalidInput(_("The file could not be read as an Excel workbook (.xlsx).")) from exc
    if len(entries) > ZIP_MAX_ENTRIES or sum(e.file_size for e in entries) > ZIP_MAX_UNCOMPRESSED:
        raise InvalidInput(str(UPLOAD_MESSAGES["zip_bomb"]))
    try:
        return openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # KeyError, zipfile and openpyxl errors: not a workbook we can read
        raise InvalidInput(_("The file could not be read as an Excel workbook (.xlsx).")) from exc


def _collect(records, *, check_width: bool) -> tuple[list[str], list[tuple[int, list[str]]], list[RowError]]:
    """Headers and non-empty rows from (row number, values) pairs, refusing the file at row MAX_ROWS + 1."""
    headers, rows, errors, width = None, [], [], 0
    for number, values in records:
        cells = [_cell(v) for v in values]
        if headers is None:
            if check_width and not values:
                continue  # csv: blank lines before the header
            headers, width = cells, len(values)
            continue
        if not any(cells):
            continue
        if len(rows) == MAX_ROWS:
            raise InvalidInput(_("The file has more than %(max)s rows; at most %(max)s can be imported at once.")
                               % {"max": MAX_ROWS})
        if check_width and len(values) > width:
            errors.append(RowError(number, "", _("This row has more cells than the header row has columns.")))
        rows.append((number, cells))
    if not headers or not any(headers):
        raise InvalidInput(_("The file is empty."))
    if errors:
        return [], [], errors
    if not rows:
        raise InvalidInput(_("The file has a header row but no experts."))
    return headers, rows, errors


def _columns(headers) -> dict[str, int]:
    """column key -> index; refuses unknown and repeated columns and a missing email column."""
    found, unknown = {}, []
    for index, header in enumerate(headers):
        key = _header_key(header)
        if not key or key in {_header_key(h) for h in IGNORED_HEADERS}:
            continue
        column = HEADERS.get(key)
        if column is None:
            unknown.append(header)
        elif column in found:
            raise InvalidInput(_("The column “%(column)s” appears twice.") % {"column": header})
        else:
            found[column] = index
    if unknown:
        raise InvalidInput(_("Unknown columns: %(columns)s. Use the columns of the template.") % {
            "columns": ", ".join(f"“{h}”" for h in unknown)})
    if "email" not in found:
        raise InvalidInput(_("The file has no email column (“email” or “邮箱”)."))
    return found


# the service

def import_experts(*, upload, actor) -> ImportReport:
    """Validate every row; when all are valid, create or update every expert in one transaction."""
    if not can_manage_pool(actor):
        raise NotPermitted()
    headers, rows, errors = _read(upload)
    report = ImportReport(rows=len(rows), errors=errors)
    if errors:
        return report
    columns = _columns(headers)
    label = {key: headers[index] for key, index in columns.items()}
    types = _expert_types()
    User = get_user_model()

    valid = []  # (row number, cleaned data)
    first_row = {}
    for number, cells in rows:
        data = {key: cells[index] if index < len(cells) else "" for key, index in columns.items()}
        form = ExpertRowForm(data, types=types)
        if not form.is_valid():
            for key, messages in form.errors.items():
                for message in messages:
                    report.errors.append(RowError(number, label.get(key, key), message))
            continue
        email = form.cleaned_data["email"].lower()
        if email in first_row:
            report.errors.append(RowError(number, label["email"], _("This email also appears in row %(row)s.") % {
                "row": first_row[email]}))
            continue
        first_row[email] = number
        valid.append((number, form.cleaned_data))

    users_by_email: dict[str, list] = {}
    emails = [d["email"].lower() for _n, d in valid]
    for start in range(0, len(emails), 500):
        for user in (User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails[start:start + 500])
                     .select_related("expert_profile")):
            users_by_email.setdefault(user.email_lower, []).append(user)
    for number, data in valid:
        matches = users_by_email.get(data["email"].lower(), [])
        if len(matches) > 1:
            report.errors.append(RowError(number, label["email"], _("Several accounts use this email; link the expert by hand.")))
        elif not matches and not data.get("full_name"):
            report.errors.append(RowError(number, label.get("full_name", "full_name"),
                                          _("A new expert needs a full name.")))
    if report.errors:
        report.errors.sort(key=lambda e: (e.row or 0, e.column))
        return report

    with transaction.atomic():
        _write(valid=valid, columns=columns, users_by_email=users_by_email, report=report, actor=actor, file_name=upload.name)
    return report


def _write(*, valid, columns, users_by_email, report, actor, file_name):
    User = get_user_model()
    now = timezone.now()
    present = set(columns)
    # accounts
    new_users, rows_users = [], []
    taken = set(User.objects.filter(username__in=[d["email"].lower()[:140] for _n, d in valid]).values_list("username", flat=True))
    for _number, data in valid:
        matches = users_by_email.get(data["email"].lower())
        if matches:
            user = matches[0]
            if data.get("full_name") and data["full_name"] != user.full_name:
                user.full_name = data["full_name"]
                user._name_changed = True
        else:
            base = data["email"].lower()[:140]
            username = base if base not in taken else unique_username(base, taken)
            taken.add(username)
            user = User(username=username, email=data["email"], full_name=data["full_name"])
            user.set_unusable_password()
            new_users.append(user)
        rows_users.append(user)
    User.objects.bulk_create(new_users, batch_size=500)
    renamed = [u for u in rows_users if getattr(u, "_name_changed", False)]
    User.objects.bulk_update(renamed, ["full_name"], batch_size=500)
    group, _created = Group.objects.get_or_create(name=Role.EXPERT.value)
    Membership = User.groups.through
    Membership.objects.bulk_create([Membership(user_id=u.pk, group_id=group.pk) for u in rows_users],
                                   ignore_conflicts=True, batch_size=500)
    for user in rows_users:
        user.__dict__.pop("_pocflow_roles", None)

    # profiles
    to_create, to_update, profiles = [], [], []
    fresh = {id(u) for u in new_users}
    for (_number, data), user in zip(valid, rows_users):
        profile = None if id(user) in fresh else getattr(user, "expert_profile", None)
        if profile is None:
            profile = ExpertProfile(user=user)
            to_create.append(profile)
        else:
            to_update.append(profile)
        for key in TEXT_FIELDS:
            if key in present:
                setattr(profile, key, data[key])
        if data.get("expert_type"):
            profile.expert_type = data["expert_type"]
        if data.get("max_load") is not None:
            profile.max_load = data["max_load"]
        profile.updated_at = now
        profiles.append(profile)
    ExpertProfile.objects.bulk_create(to_create, batch_size=500)
    update_fields = [k for k in TEXT_FIELDS if k in present] + ["expert_type", "max_load", "updated_at"]
    ExpertProfile.objects.bulk_update(to_update, update_fields, batch_size=500)

    # unavailable periods and related persons: the file's list replaces the stored one
    ids = [p.pk for p in profiles]
    if "unavailable" in present:
        ExpertUnavailability.objects.filter(profile_id__in=ids).delete()
        ExpertUnavailability.objects.bulk_create(
            [ExpertUnavailability(profile=p, **period) for p, (_n, d) in zip(profiles, valid) for period in d["unavailable"]],
            batch_size=500)
    kinds = {RELATION_COLUMNS[k]: k for k in RELATION_COLUMNS if k in present}
    if kinds:
        ExpertRelation.objects.filter(profile_id__in=ids, kind__in=list(kinds)).delete()
        ExpertRelation.objects.bulk_create(
            [ExpertRelation(profile=p, kind=kind, name=person["name"], institution=person["institution"])
             for p, (_n, d) in zip(profiles, valid) for kind, key in kinds.items() for person in d[key]],
            batch_size=500)

    report.created, report.updated, report.profiles = len(to_create), len(to_update), profiles
    record_audit(action="expert.imported", actor=actor, note=file_name or "",
                 data={"file": file_name or "", "rows": len(valid), "created": report.created, "updated": report.updated,
                       "profiles": ids})
    expert_profiles_changed.send(sender=ExpertProfile, profiles=profiles, actor=actor)


# templates

def template_headers(*, chinese: bool) -> list[str]:
    return [c.zh if chinese else c.key for c in COLUMNS]


def import_template(*, file_format: str, chinese: bool) -> bytes:
    """An empty import file: the header row (Chinese headers or English keys); the XLSX has a
    second sheet explaining each column."""
    experts = tablib.Dataset(headers=safe_row(template_headers(chinese=chinese)), title=_("Experts")[:31])
    if file_format == "csv":
        return codecs.BOM_UTF8 + experts.export("csv").encode("utf-8")  # the BOM makes Excel read UTF-8
    if file_format != "xlsx":
        raise InvalidInput(_("Upload a .csv or .xlsx file."))
    notes = tablib.Dataset(headers=safe_row([str(_("Column")), str(_("Also accepted")), str(_("What to write"))]),
                           title=_("Columns")[:31])
    for c in COLUMNS:
        notes.append(safe_row([c.zh if chinese else c.key, ", ".join((c.key if chinese else c.zh, *c.aliases)),
                               str(c.help)]))
    return tablib.Databook([experts, notes]).export("xlsx")
