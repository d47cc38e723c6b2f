"""Spreadsheet exports: one helper every CSV/XLSX export passes its text cells through.

A cell whose text begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
WPS and LibreOffice as a formula (CSV injection, OWASP); such text is prefixed with an apostrophe so
it stays text. Numbers (ints, Decimals) are left alone: a negative amount stays a number."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return f"'{value}"
    return value


def safe_row(values) -> list:
    return [safe_cell(value) for value in values]
