"""The one writer of every CSV and XLSX file the product hands out (chart exports, reporting forms).

Formula injection: a spreadsheet evaluates a cell whose text starts with ``=``, ``+``, ``-`` or
``@`` (and, in CSV, after a tab or a carriage return); a name an admin or a reporting unit typed
(``=HYPERLINK("http://…?"&A1, "…")``, ``=cmd|' /C calc'!A0``) would then run on the reader's
machine. The OWASP rule is applied here to every text cell, whatever field it came from:
:func:`neutralise` puts an apostrophe in front of such text (the full-width forms ``＝＋－＠``
too, which some Excel locales read as their ASCII forms). Numbers, dates and empty cells are not
text and are written as they are (``-1.5`` stays a number; the text ``"-1+2"`` is quoted).

* CSV: :func:`csv_bytes` writes rows of Python values (UTF-8 with a BOM, CRLF).
* XLSX: build the book from :func:`workbook`, fill rows with :func:`append`, then
  :func:`xlsx_bytes` seals every cell of every
  sheet before saving: text is cleaned of the control characters XML cannot hold, neutralised and
  typed as a string (openpyxl otherwise writes any text starting with ``=`` as a formula); a
  formula cell left in the book is refused. Data validations (``formula1``) are not cells and
  stay as written.

``tests/test_formula_injection.py`` fails when another module writes CSV or XLSX itself.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook

FORMULA_TRIGGERS = frozenset("=+-@\t\r＝＋－＠")
# openpyxl's ILLEGAL_CHARACTERS_RE: control characters an XML document cannot hold
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CSV_DATETIME = "%Y-%m-%d %H:%M:%S"


def neutralise(value):
    """``value`` as a spreadsheet must receive it: text that would start a formula gets a leading
    apostrophe; anything else (other text, numbers, dates, None) is returned unchanged."""
    if isinstance(value, str) and value[:1] in FORMULA_TRIGGERS:
        return "'" + value
    return value


# --- CSV ----------------------------------------------------------------------------------------------------


def _csv_field(value) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(CSV_DATETIME)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bool, int, float, Decimal)):
        return value  # numbers as numbers: "-1.5", never quoted
    return neutralise(str(value))


def csv_bytes(rows: Iterable[Sequence], *, bom: bool = True) -> bytes:
    """Comma-separated, CRLF, UTF-8 (with a BOM: Excel then reads Vietnamese correctly); numbers
    with full precision, ISO dates, every text field neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_field(v) for v in row])
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


# --- XLSX ---------------------------------------------------------------------------------------------------


def workbook() -> Workbook:
    """A new, empty book (one sheet); hand it to :func:`xlsx_bytes` when it is filled."""
    return Workbook()


def text_value(value: str) -> str:
    """What an XLSX text cell holds for ``value``: the characters XML can hold, neutralised (in
    that order: ``"\\x01=1+1"`` must not become a live ``=1+1``)."""
    return neutralise(_XML_ILLEGAL.sub("", value))


def append(ws, values: Iterable) -> None:
    """``ws.append(values)`` with every text cleaned and neutralised (openpyxl refuses text with
    control characters outright, so this is done before the cell is made, not only in :func:`seal`)."""
    ws.append([text_value(v) if isinstance(v, str) else v for v in values])


def seal(book: Workbook) -> None:
    """Every text cell of every sheet (hidden ones too) neutralised and typed as a string; a
    formula cell is refused (ValueError): the product writes none."""
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str):
                    cell.value = text_value(value)
                    cell.data_type = "s"
                elif cell.data_type == "f":
                    raise ValueError(f"formula cell {ws.title}!{cell.coordinate} in a written file")
    props = book.properties
    for name in ("title", "subject", "creator", "description", "keywords"):
        if isinstance(getattr(props, name), str):
            setattr(props, name, _XML_ILLEGAL.sub("", getattr(props, name)))


def xlsx_bytes(book: Workbook) -> bytes:
    """The sealed book (see :func:`seal`) as XLSX bytes."""
    seal(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
