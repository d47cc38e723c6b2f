"""One helper neutralises formula-leading text in every CSV/XLSX export (OWASP CSV injection)."""

import csv
import io
from decimal import Decimal

import pytest
import tablib

from core.exports import safe_cell, safe_row


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_text_starting_with_a_formula_character_stays_text(lead):
    value = f"{lead}cmd|' /C calc'!A0"
    assert safe_cell(value) == "'" + value
    # written to CSV and read back, the cell still starts with the apostrophe
    data = tablib.Dataset(headers=["title"])
    data.append([safe_cell(value)])
    assert next(iter(csv.reader(io.StringIO(data.export("csv")[len("title\r\n"):]))))[0] == "'" + value


def test_plain_text_and_numbers_are_left_alone():
    assert safe_row(["概念验证", "A-1", -5, Decimal("-12.50"), None, ""]) == ["概念验证", "A-1", -5, Decimal("-12.50"), None, ""]
