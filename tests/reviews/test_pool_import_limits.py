"""The expert import reads rows as a stream: a million-row workbook is refused at row 5,001, and a
workbook that unpacks to too much is refused from its zip directory, before it is opened."""

import io
import zipfile

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from core.errors import InvalidInput
from proposals.models import AuditEntry
from reviews.models import ExpertProfile
from reviews.services.importing import MAX_BYTES, import_experts
from tests.forms.samples import ooxml_unpacking_to
from tests.reviews.pool_support import file_upload

pytestmark = pytest.mark.django_db

TINY_ROW = b"<row><c><v>1</v></c></row>"  # rows and cells may leave out their reference (r="A2")


def workbook_with_rows(count: int) -> bytes:
    """An .xlsx whose first sheet has the header "email" and `count` rows of one tiny cell: openpyxl
    writes the workbook, the rows are then repeated in its sheet, so that it deflates to kilobytes."""
    template = openpyxl.Workbook()
    template.active.append(["email"])
    source = io.BytesIO()
    template.save(source)
    out = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", TINY_ROW * count + b"</sheetData>").replace(
                    b'<dimension ref="A1:A1"/>', b'<dimension ref="A1:A%d"/>' % (count + 1))
            dst.writestr(item.filename, data)
    return out.getvalue()


@pytest.fixture(scope="session")
def million_rows(tmp_path_factory):
    path = tmp_path_factory.mktemp("import") / "million.xlsx"
    path.write_bytes(workbook_with_rows(1_000_000))
    return path


def counts():
    return get_user_model().objects.count(), ExpertProfile.objects.count(), AuditEntry.objects.count()


def refusal(content: bytes, officer) -> str:
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        import_experts(upload=file_upload(content, name="experts.xlsx"), actor=officer)
    return str(caught.value)


def test_the_million_row_workbook_is_a_real_one():
    """The generator is right: openpyxl reads the rows it wrote (on a small count)."""
    book = openpyxl.load_workbook(io.BytesIO(workbook_with_rows(3)), read_only=True)
    assert list(book.active.iter_rows(values_only=True)) == [("email",), (1,), (1,), (1,)]


def test_a_million_rows_are_refused_at_the_row_limit_and_nothing_is_imported(officer, million_rows):
    content = million_rows.read_bytes()
    assert len(content) < MAX_BYTES  # small on disk: the refusal is the row limit's
    before = counts()

    message = refusal(content, officer)

    assert message == "The file has more than 5000 rows; at most 5000 can be imported at once."
    assert counts() == before


def test_a_workbook_unpacking_to_over_100_mb_is_refused_before_it_is_opened(officer):
    content = ooxml_unpacking_to(101)  # a zip whose one part inflates to 101 MB

    message = refusal(content, officer)

    assert message == "The document unpacks to too many parts or too much data to be checked safely."
    assert ExpertProfile.objects.count() == 0


def test_a_damaged_workbook_is_refused_as_unreadable(officer):
    assert refusal(workbook_with_rows(2)[:-40], officer) == "The file could not be read as an Excel workbook (.xlsx)."
