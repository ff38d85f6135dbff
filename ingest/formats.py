# size: the readers of every intake format (CSV, streamed XLSX, JSON, SDMX-CSV; published shapes dispatched to ingest.published) with the limits each enforces
"""Reading submissions: CSV, XLSX and JSON files into one tidy table of observations.

Formats (detected from the content; the file name is only a hint):

* **Long CSV** (``,`` ``;`` or tab separated) with columns ``indicator_code, area_code, period,
  value`` and optional ``status`` (``P``/``O``/``E`` or the words provisional/official/estimated,
  sơ bộ/chính thức/ước tính; empty = ``O``), ``note`` and ``territory`` (``current``: the area
  cell is read in the reporting unit's current era, the explicit back-cast of
  :mod:`domain.area_refs`, as ``CODE@WHEN``). Column names are case-insensitive.
* **SDMX-CSV**: the same with the SDMX names ``INDICATOR``, ``REF_AREA``, ``TIME_PERIOD``,
  ``OBS_VALUE``, ``OBS_STATUS`` (SDMX codes ``A`` normal = official, ``P``, ``E``); ``DATAFLOW``
  (SDMX-CSV 1.0) and ``STRUCTURE``, ``STRUCTURE_ID``, ``ACTION`` (2.0) are ignored.
* **XLSX**: the first visible sheet whose header row holds those columns (the XLSX template of
  :mod:`ingest.templates` uploads as it is; its descriptive columns are ignored).
* **JSON**: ``{"unit": "UB01", "observations": [{"indicator_code", "area_code", "period",
  "value", "status", "note", "territory"}, ...], "daily_items": [{"date", "category", "severity", "title",
  "body"}, ...]}``.

Other columns are ignored (with a note). Rows whose value is blank are skipped as "not reported".

Encodings: UTF-8 with or without BOM; otherwise Windows-1258 (cp1258, the legacy Vietnamese
Windows code page) if every byte is defined in it and the decoded text is plausible Vietnamese
(at least 90% of the non-ASCII characters are Vietnamese letters or common punctuation once
the text is NFC-normalised: cp1258 writes tone marks as separate combining characters, and NFC
composes them with their vowels). Anything else (UTF-16, TCVN3, Shift-JIS, binary) is rejected as
``bad_encoding``. All text is NFC-normalised.

Numbers written as text (CSV cells, XLSX text cells, JSON strings) follow one rule, so that both
the Vietnamese ``1.234,5`` and the English ``1,234.5`` read correctly and nothing is guessed:

1. Surrounding spaces are removed; a leading ``+`` or ``-`` is kept.
2. Digits only (``1234``) is an integer.
3. Both ``.`` and ``,`` present: the one that comes last is the decimal separator and the other
   must group thousands in threes: ``1.234.567,89`` (Vietnamese) or ``1,234,567.89`` (English).
4. The same separator twice or more is a thousands separator: ``1.234.567`` and ``1,234,567``
   are both 1234567.
5. Spaces group thousands when followed by three digits: ``1 234 567,5``; the remaining ``.``
   or ``,`` is then the decimal separator.
6. One separator followed by exactly three digits, after one to three digits not starting with
   0 (``1.234``, ``12,345``, ``-123.456``), is **ambiguous** (thousands or decimals?) and is an
   error ``ambiguous_number``: write ``1234``, ``1.234,0`` or ``1,234.0``.
7. Otherwise one separator is the decimal separator: ``1234.5``, ``1234,5``, ``0,125``,
   ``3.14159``, ``12,5``.
8. Scientific notation (``1.5e3``, ``2E-4``) is accepted; anything else
   (``12%``, ``1,2,3``, ``n/a``, ``inf``) is ``bad_number``, and so is a number beyond the range
   of a double (about 1.8e308: ``1e400``, 400 digits), written as text or as a JSON number.

A real number is never ambiguous: numeric XLSX cells and JSON numbers are taken as they are.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from ingest import published, sdmx_ml
from ingest.bounds import BudgetExceeded, GuardedZip, ReadBudget, check_zip, scan_lines
from ingest.issues import Findings, make_issue
from ingest.published import ImportMapping

# -- columns ----------------------------------------------------------------------------------

REQUIRED = ("indicator_code", "area_code", "period", "value")
OPTIONAL = ("status", "note", "territory")
#: the text cells of a row, as read (the value aside)
TEXT_COLUMNS = ("indicator_code", "area_code", "period", *OPTIONAL)
ALIASES: dict[str, str] = {
    "indicator_code": "indicator_code", "indicator": "indicator_code",
    "area_code": "area_code", "area": "area_code", "ref_area": "area_code",
    "period": "period", "time_period": "period",
    "value": "value", "obs_value": "value",
    "status": "status", "obs_status": "status",
    "note": "note", "comment": "note", "obs_comment": "note",
    "territory": "territory",
}
# ignored without a note: SDMX structure columns and the template's descriptive columns
SILENTLY_IGNORED = {"dataflow", "structure", "structure_id", "action", "indicator_name", "unit_of_measure",
                    "ten_chi_tieu", "don_vi_tinh"}

OBS_COLUMNS = ["row", "indicator_code", "area_code", "period", "value_text", "value_num", "status", "note",
               "territory", "area_label"]  # area_label: a published file's label beside its area code
ROW_CELLS = ("row", "value_text", "value_num", *TEXT_COLUMNS)  # what a long row of a file holds
DAILY_FIELDS = ("date", "category", "severity", "title", "body")


def normalise_header(name: Any) -> str:
    text = "" if name is None else unicodedata.normalize("NFC", str(name))
    return re.sub(r"\s+", "_", text.replace("\ufeff", "").strip()).lower()


@dataclass
class ParsedFile:
    """The content of one file. ``observations`` has the columns :data:`OBS_COLUMNS`: ``row`` as
    the user sees it, the three key columns as text, ``value_text`` (text to parse by the number
    rule, "" when the source gave a real number or nothing) and ``value_num`` (the real number of
    a numeric XLSX cell or a JSON number, NaN otherwise), ``status`` and ``note`` as text.
    ``column_names`` maps the canonical names to the names used in the file (for messages)."""

    format: str
    encoding: str | None = None
    observations: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=OBS_COLUMNS))
    daily_items: list[dict[str, Any]] = field(default_factory=list)
    declared_unit: str | None = None
    column_names: dict[str, str] = field(default_factory=lambda: {c: c for c in REQUIRED + OPTIONAL})
    optional_present: frozenset[str] = frozenset(OPTIONAL)  # optional columns the file has at all
    measure_unit: str | None = None  # the unit a published table states (checked against the indicator's)
    published: bool = False  # a published shape (ingest.published): its regional rows are skipped
    title: str = ""  # a published table's title (the mapping step proposes its indicator from it)

    def column(self, canonical: str) -> str:
        return self.column_names.get(canonical, canonical)


# -- encodings ----------------------------------------------------------------------------------

_VOWELS = "aăâeêioôơuưy"
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
VIETNAMESE_LETTERS = frozenset(
    unicodedata.normalize("NFC", v + t) for v in _VOWELS + _VOWELS.upper() for t in _TONES
) | frozenset("đĐ")
_PUNCTUATION = frozenset("“”‘’–—…•°×€£¥§«»·\u00a0\u202f")


def plausible_vietnamese(text: str) -> bool:
    """True when the non-ASCII characters of ``text`` are (90%+) Vietnamese letters or common
    punctuation and no control characters other than tab and line breaks occur."""
    foreign = 0
    total = 0
    for ch in text:
        if ch < "\x80":
            if ch < " " and ch not in "\t\r\n":
                return False
            continue
        total += 1
        if ch in VIETNAMESE_LETTERS or ch in _PUNCTUATION:
            continue
        if "\x80" <= ch <= "\x9f" or unicodedata.category(ch) == "Mn":  # C1 controls, stray tone marks
            return False
        foreign += 1
    return total == 0 or foreign <= 0.1 * total


def decode(payload: bytes) -> tuple[str, str] | None:
    """``(text, encoding)`` with the text NFC-normalised, or None when the bytes are neither UTF-8
    nor plausible Windows-1258."""
    if b"\x00" in payload:  # UTF-16/32 (ASCII text in UTF-16 is valid UTF-8 with NULs) or binary
        return None
    try:
        return unicodedata.normalize("NFC", payload.decode("utf-8-sig")), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = payload.decode("cp1258")
    except UnicodeDecodeError:  # a byte undefined in cp1258
        return None
    text = unicodedata.normalize("NFC", text)
    return (text, "cp1258") if plausible_vietnamese(text) else None


# -- numbers -------------------------------------------------------------------------------------

_SIGNED = re.compile(r"([+-]?)(.*)", re.S)
# re.ASCII: \d is 0-9 only (no Arabic-Indic or full-width digits)
_RX = {
    "int": re.compile(r"\d+", re.ASCII),
    "space": re.compile(r"\d{1,3}(?: \d{3})+(?:[.,]\d+)?", re.ASCII),
    "vn_full": re.compile(r"\d{1,3}(?:\.\d{3})+,\d+", re.ASCII),
    "en_full": re.compile(r"\d{1,3}(?:,\d{3})+\.\d+", re.ASCII),
    "vn_thousands": re.compile(r"\d{1,3}(?:\.\d{3}){2,}", re.ASCII),
    "en_thousands": re.compile(r"\d{1,3}(?:,\d{3}){2,}", re.ASCII),
    "ambiguous": re.compile(r"[1-9]\d{0,2}[.,]\d{3}", re.ASCII),
    "dot": re.compile(r"\d*\.\d+|\d+\.\d*", re.ASCII),
    "comma": re.compile(r"\d*,\d+|\d+,\d*", re.ASCII),
    "sci": re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d+", re.ASCII),
}
_FAST_AMBIGUOUS = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}", re.ASCII)


def parse_number(text: str) -> tuple[float | None, str | None]:
    """One text cell by the module's rule: ``(value, None)`` or ``(None, error code)``."""
    value, code = _number_by_rule(text)
    if code is None and not math.isfinite(value):  # beyond a double: 400 digits read as inf
        return None, "bad_number"
    return value, code


def _number_by_rule(text: str) -> tuple[float | None, str | None]:
    t = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    sign, body = _SIGNED.fullmatch(t).groups()  # type: ignore[union-attr]
    factor = -1.0 if sign == "-" else 1.0
    rx = _RX
    if rx["int"].fullmatch(body):
        return factor * float(body), None
    if rx["space"].fullmatch(body):
        body = body.replace(" ", "")
        return factor * float(body.replace(",", ".")), None
    if rx["vn_full"].fullmatch(body):
        return factor * float(body.replace(".", "").replace(",", ".")), None
    if rx["en_full"].fullmatch(body):
        return factor * float(body.replace(",", "")), None
    if rx["vn_thousands"].fullmatch(body):
        return factor * float(body.replace(".", "")), None
    if rx["en_thousands"].fullmatch(body):
        return factor * float(body.replace(",", "")), None
    if rx["ambiguous"].fullmatch(body):
        return None, "ambiguous_number"
    if rx["dot"].fullmatch(body):
        return factor * float(body), None
    if rx["comma"].fullmatch(body):
        return factor * float(body.replace(",", ".")), None
    if rx["sci"].fullmatch(body):
        value = factor * float(body)
        return (value, None) if np.isfinite(value) else (None, "bad_number")
    return None, "bad_number"


def parse_numbers(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :func:`parse_number` over a Series of non-empty text cells.

    Returns ``(values, codes)``: float64 values (NaN where invalid) and an object array of codes
    (None where valid, ``bad_number``, ``ambiguous_number``, or ``blank`` for a cell of spaces).
    The common plain form (``1234.5``) is parsed at C speed; the ambiguity test then only looks at
    the few strings whose value could be ``d.ddd`` .. ``ddd.ddd``; everything else goes through
    the per-cell rule."""
    n = len(texts)
    values = np.full(n, np.nan)
    codes = np.full(n, None, dtype=object)
    if n == 0:
        return values, codes
    s = texts.to_numpy(dtype=object)
    fast = pd.to_numeric(pd.Series(s, dtype=object), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ok = np.isfinite(fast)
    if ok.any():
        mag = np.abs(fast)
        with np.errstate(invalid="ignore"):
            thousandths = mag * 1000.0
            maybe = ok & (mag >= 1.0) & (mag < 1000.0) & (np.abs(thousandths - np.round(thousandths)) < 1e-6)
        if maybe.any():
            idx = np.flatnonzero(maybe)
            # d.ddd .. ddd.ddd has its dot fourth from the end: only those texts go through the pattern
            stripped = np.strings.strip(s[idx].astype(str))
            idx = idx[np.strings.str_len(stripped) - np.strings.rfind(stripped, ".") == 4]
            amb = np.fromiter((_FAST_AMBIGUOUS.fullmatch(x.strip()) is not None for x in s[idx]), dtype=bool,
                              count=len(idx))
            ok[idx[amb]] = False
        values[ok] = fast[ok]
    for i in np.flatnonzero(~ok):
        text = s[i]
        if not text.strip():
            codes[i] = "blank"
            continue
        value, code = parse_number(text)
        if code is None:
            values[i] = value
        else:
            codes[i] = code
    return values, codes


# -- detection and parsing -------------------------------------------------------------------


JSON_SCALAR_SNIFF_BYTES = 1 << 20  # a body this small that is a whole JSON scalar is JSON, never a CSV


def sniff_format(payload: bytes, filename: str | None = None) -> str:
    """``xlsx`` (a zip), ``json`` (starts with ``{`` or ``[``; declared ``.json``, as the API names a
    body sent as ``application/json``; or a whole JSON scalar: a string, a number, ``null``,
    ``true``, ``false``) or ``csv``."""
    if payload[:4] == b"PK\x03\x04":
        return "xlsx"
    head = payload[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return "json"
    if head[:1] == b"<":
        return "xml"
    name = (filename or "").lower()
    if name.endswith(".json"):
        return "json"
    if name.endswith(".px") or re.match(rb"(?:CHARSET|AXIS-VERSION|CODEPAGE|LANGUAGE|MATRIX)\s*=", head):
        return "px"
    if name.endswith(XLSX_SUFFIXES):
        return "xlsx"
    if len(payload) <= JSON_SCALAR_SNIFF_BYTES and head[:1] in b'"-0123456789ntf' and _is_json(payload):
        return "json"
    return "csv"


def _is_json(payload: bytes) -> bool:
    try:
        json.loads(payload.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        return False
    return True


class FileError(Exception):
    """The file cannot be read at all; ``issue`` says why (file-level)."""

    def __init__(self, issue):
        super().__init__(issue.message_en)
        self.issue = issue


def parse(payload: bytes, filename: str | None, findings: Findings, max_rows: int,
          budget: ReadBudget | None = None, mapping: ImportMapping | None = None) -> ParsedFile | None:
    """Parse ``payload``; file-level problems go to ``findings`` (and None is returned when
    nothing can be read). ``budget`` bounds the reading (:mod:`ingest.bounds`: unpacked bytes,
    line length, columns, deadline); the row limit is ``max_rows``. ``mapping``: what a published
    shape does not say (:class:`ingest.published.ImportMapping`)."""
    budget = budget or ReadBudget(max_rows=max_rows)
    if not payload.strip(b" \t\r\n\xef\xbb\xbf"):
        findings.error(make_issue("empty_file"))
        return None
    fmt = sniff_format(payload, filename)
    try:
        if fmt == "xlsx":
            parsed = _parse_xlsx(payload, findings, budget, max_rows, mapping)
        elif fmt == "xml":
            parsed = _published("sdmx-ml", *sdmx_ml.read_sdmx_ml(payload, mapping, budget))
        else:
            if fmt == "csv":  # on the bytes, before a decoded copy exists
                data_lines = scan_lines(payload, budget) - trailing_breaks(payload)  # an upper bound of rows
                if data_lines > max_rows:
                    findings.error(make_issue("too_many_rows", rows=data_lines, limit=max_rows))
                    return None
                first = payload[:payload.find(b"\n")] if b"\n" in payload else payload
                width = 1 + max(first.count(b","), first.count(b";"), first.count(b"\t"))
                if width > budget.max_columns:
                    raise BudgetExceeded("too_many_columns", count=width, limit=budget.max_columns)
            decoded = decode(payload)
            if decoded is None:
                findings.error(make_issue("bad_encoding"))
                return None
            text, encoding = decoded
            if fmt == "json":
                parsed = _parse_json(text, findings, budget, mapping)
            elif fmt == "px":
                parsed = _published("px", *published.read_px(text, mapping, budget))
            elif not long_header(text) and published.looks_wide(grid := published.csv_grid(text, budget), mapping):
                parsed = _published("wide-csv", *published.read_wide(grid, mapping, budget, "CSV"))
            else:
                parsed = _parse_csv(text, findings, budget, check_fields=b'"' in payload)
            if parsed is not None:
                parsed.encoding = encoding
    except (FileError, published.PublishedError) as exc:
        findings.error(exc.issue)
        return None
    except BudgetExceeded as exc:
        findings.error(budget_issue(exc))
        return None
    if parsed is None:
        return None
    rows = len(parsed.observations) + len(parsed.daily_items)
    if rows > max_rows:
        findings.error(make_issue("too_many_rows", rows=rows, limit=max_rows))
        return None
    return parsed


def budget_issue(exc: BudgetExceeded):
    """The intake issue of a reached reading limit (with its row and column when known)."""
    params = dict(exc.params)
    return make_issue(exc.code, row=params.pop("row", None), column=params.pop("column", None), **params)


def long_header(text: str) -> bool:
    """Whether the first line names at least two of the long format's required columns."""
    first = text[: text.find("\n")] if "\n" in text else text
    sep = sniff_delimiter(first)
    try:
        names = next(csv.reader([first], delimiter=sep), [])
    except csv.Error:
        return False
    return sum(1 for n in names if ALIASES.get(normalise_header(n)) in REQUIRED) >= 2


def _published(fmt: str, rows: published.Rows, unit: str | None) -> ParsedFile:
    """A published shape's long rows as a :class:`ParsedFile` (status present, no note column)."""
    obs = _obs_frame(rows.columns())
    return ParsedFile(fmt, observations=obs, measure_unit=unit, published=True,
                      optional_present=frozenset({"status"}), title=rows.title)


def trailing_breaks(payload: bytes) -> int:
    """Line breaks among the trailing ``\\r``/``\\n`` bytes (not lines of data)."""
    n, i = 0, len(payload) - 1
    while i >= 0 and payload[i] in (10, 13):
        n += payload[i] == 10
        i -= 1
    return n


def map_header(names: list[Any], findings: Findings) -> tuple[dict[str, int], dict[str, str]] | None:
    """Canonical column → position, and canonical → name in the file. Errors for duplicate and
    missing required columns (then None)."""
    positions: dict[str, int] = {}
    shown: dict[str, str] = {}
    ok = True
    for pos, raw in enumerate(names):
        norm = normalise_header(raw)
        canonical = ALIASES.get(norm)
        label = "" if raw is None else str(raw).replace("\ufeff", "").strip()
        if canonical is None:
            if norm and norm not in SILENTLY_IGNORED:
                findings.note(make_issue("ignored_column", column=label))
            continue
        if canonical in positions:
            findings.error(make_issue("duplicate_column", column=label))
            ok = False
            continue
        positions[canonical] = pos
        shown[canonical] = label
    for col in REQUIRED:
        if col not in positions:
            findings.error(make_issue("missing_column", column=col))
            ok = False
    return (positions, shown) if ok else None


CSV_CHUNK_ROWS = 250_000  # the deadline is checked between chunks
#: How a long CSV is read: every cell as text, nothing taken for missing, blank lines kept (row numbers).
CSV_READ: dict[str, Any] = dict(header=None, dtype=object, keep_default_na=False, na_filter=False,
                                skip_blank_lines=False, engine="c", quotechar='"')


def _parse_csv(text: str, findings: Findings, budget: ReadBudget | None = None,
               check_fields: bool = False) -> ParsedFile | None:
    """``check_fields``: the file has quotes, so a field may span lines; refuse one longer than
    ``budget.max_line_bytes`` characters (the line scan bounds the others)."""
    budget = budget or ReadBudget()
    first = text[:text.find("\n")] if "\n" in text else text
    delimiter = sniff_delimiter(first)
    try:
        chunks = []
        for chunk in pd.read_csv(io.StringIO(text), sep=delimiter, chunksize=CSV_CHUNK_ROWS, **CSV_READ):
            budget.check_time()
            chunks.append(chunk)
        if not chunks:
            raise pd.errors.EmptyDataError
        raw = chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True, copy=False)
        del chunks
    except pd.errors.EmptyDataError:
        findings.error(make_issue("empty_file"))
        return None
    except (pd.errors.ParserError, ValueError) as exc:
        raise FileError(unreadable_csv(exc)) from None
    mapped = map_header(header_names(raw), findings)
    if mapped is None:
        return None
    positions, shown = mapped
    obs = csv_observations(raw.iloc[1:], 2, positions, shown, budget, check_fields)
    obs = drop_blank(obs)
    if obs.empty:
        findings.error(make_issue("no_rows"))
        return None
    return long_csv_file(positions, shown, observations=obs)


def header_names(raw: pd.DataFrame) -> list[Any]:
    """The first row of a CSV read by :data:`CSV_READ`, a missing cell as None."""
    return [None if (isinstance(v, float) and np.isnan(v)) else v for v in raw.iloc[0].tolist()]


def long_csv_file(positions: dict[str, int], shown: dict[str, str], **fields: Any) -> ParsedFile:
    """The :class:`ParsedFile` of a long CSV whose header :func:`map_header` read."""
    return ParsedFile("csv", column_names={**{c: c for c in REQUIRED + OPTIONAL}, **shown},
                      optional_present=frozenset(c for c in OPTIONAL if c in positions), **fields)


def unreadable_csv(exc: Exception):
    """The issue of a CSV the tokenizer cannot read (its message's last line says where)."""
    detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    return make_issue("unreadable_file", format="CSV", detail=detail)


def csv_observations(body: pd.DataFrame, first_row: int, positions: dict[str, int], shown: dict[str, str],
                     budget: ReadBudget, check_fields: bool) -> pd.DataFrame:
    """The observations frame of raw CSV rows (``body``: cells as text, ``first_row`` the row number
    of its first line; blank rows not yet dropped). ``check_fields``: see :func:`_parse_csv`."""
    n = len(body)
    cols: dict[str, Any] = {"row": np.arange(first_row, first_row + n, dtype=np.int64)}
    for canonical in TEXT_COLUMNS:
        if canonical in positions:
            cols[canonical] = _strings(body.iloc[:, positions[canonical]])
        else:
            cols[canonical] = np.full(n, "", dtype=object)
    cols["value_text"] = _strings(body.iloc[:, positions["value"]])
    cols["value_num"] = np.full(n, np.nan)
    if check_fields:
        for canonical in ("value_text", *TEXT_COLUMNS):
            lengths = np.fromiter(map(len, cols[canonical]), dtype=np.int64, count=n)
            if n and lengths.max() > budget.max_line_bytes:
                i = int(lengths.argmax())
                name = shown.get("value" if canonical == "value_text" else canonical, canonical)
                raise BudgetExceeded("field_too_long", row=first_row + i, column=name, length=int(lengths[i]),
                                     limit=budget.max_line_bytes)
    return _obs_frame(cols)


def _obs_frame(cols: dict[str, Any]) -> pd.DataFrame:
    """The observations frame; text columns stay ``object`` (no string-dtype inference: the
    validator works on numpy object arrays). A text column ``cols`` lacks is empty."""
    data = {}
    n = len(cols["row"])
    for c in OBS_COLUMNS:
        if c not in cols:
            data[c] = pd.Series(np.full(n, "", dtype=object), dtype=object, copy=False)
        elif c == "row":
            data[c] = pd.Series(np.asarray(cols[c], dtype=np.int64), copy=False)
        elif c == "value_num":
            data[c] = pd.Series(np.asarray(cols[c], dtype=float), copy=False)
        else:
            data[c] = pd.Series(np.asarray(cols[c], dtype=object), dtype=object, copy=False)
    return pd.DataFrame(data, copy=False)


def _strings(col: pd.Series) -> np.ndarray:
    arr = col.to_numpy(dtype=object)
    mask = pd.isna(arr)
    if mask.any():
        arr = arr.copy()
        arr[mask] = ""
    return arr


def sniff_delimiter(header_line: str) -> str:
    best, score = ",", -1
    for sep in (",", ";", "\t"):
        try:
            names = next(csv.reader([header_line], delimiter=sep), [])
        except csv.Error:  # e.g. a stray carriage return inside the line: not this separator
            continue
        hits = sum(1 for n in names if ALIASES.get(normalise_header(n)) in REQUIRED)
        if hits > score:
            best, score = sep, hits
    return best


def drop_blank(obs: pd.DataFrame) -> pd.DataFrame:
    """Drop rows where every cell is empty (blank lines, trailing empty spreadsheet rows)."""
    blank = np.ones(len(obs), dtype=bool)
    for c in ("value_text", *TEXT_COLUMNS):
        blank &= (obs[c].to_numpy(dtype=object) == "")
    blank &= np.isnan(obs["value_num"].to_numpy(dtype=float))
    if blank.any():
        obs = obs.loc[~blank]
    return obs.reset_index(drop=True)


def _cell_text(value: Any) -> str:
    """An XLSX/JSON cell as text for the code columns (numbers without a trailing .0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def _add_observation(out: dict[str, list], row: int, cells: Mapping[str, Any],
                     number: Callable[[Any], float]) -> None:
    """One observation of an XLSX sheet or a JSON document (``cells``: its raw cells by canonical
    column) into the columns of :data:`OBS_COLUMNS`. A real number (not a bool) goes to
    ``value_num`` as ``number`` reads it; any other value to ``value_text``, for the number rule."""
    out["row"].append(row)
    for canonical in TEXT_COLUMNS:
        out[canonical].append(_cell_text(cells.get(canonical)))
    value = cells.get("value")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        out["value_text"].append("")
        out["value_num"].append(number(value))
    else:
        out["value_text"].append(_cell_text(value))
        out["value_num"].append(np.nan)


@functools.cache
def _lazy_sheet_class():
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class LazySheet(ReadOnlyWorksheet):
        """A read-only sheet that reads nothing when it is made (the reader asks for the
        dimension and the rows itself, under the budget)."""

        def _get_size(self):
            return None

    return LazySheet


def _open_workbook(payload: bytes, budget: ReadBudget):
    """The workbook in openpyxl's read-only mode, every member inflated through a
    :class:`~ingest.bounds.GuardedZip` after :func:`~ingest.bounds.check_zip` passed."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    try:
        archive = GuardedZip(io.BytesIO(payload), budget)
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FileError(make_issue("unreadable_file", format="XLSX", detail=type(exc).__name__)) from None
    try:
        check_zip(archive, budget)
        _refuse_macros(archive)
        reader = ExcelReader(io.BytesIO(payload), read_only=True, data_only=True)
        reader.archive.close()
        reader.archive, reader.valid_files = archive, archive.namelist()  # what openpyxl reads is guarded too
        # ExcelReader.read() without its properties and theme, and with sheets that do not read
        # their dimension at once (openpyxl's read the whole sheet when it declares none)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(archive, reader.wb)
        for sheet, rel in reader.parser.find_sheets():
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
                ws = _lazy_sheet_class()(reader.wb, sheet.name, rel.target, reader.shared_strings)
                ws.sheet_state = sheet.state
                reader.wb._sheets.append(ws)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        archive.close()
        raise FileError(make_issue("unreadable_file", format="XLSX", detail=type(exc).__name__)) from None
    except BaseException:
        archive.close()
        raise
    return reader.wb


XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xltm", ".xlam")
MACRO_CONTENT_TYPE = b"macroEnabled"


def _refuse_macros(archive: zipfile.ZipFile) -> None:
    """Refuse a macro-enabled workbook: a VBA project (``vbaProject.bin``) or a macro-enabled main part
    declared in ``[Content_Types].xml`` (what ``.xlsm`` is). A report has no use for code, and
    keeping one in the archive would hand it to whoever opens the file later."""
    names = archive.namelist()
    vba = next((n for n in names if n.lower().rsplit("/", 1)[-1] in ("vbaproject.bin", "vbaprojectsignature.bin")), None)
    if vba is None and "[Content_Types].xml" in names:
        with archive.open("[Content_Types].xml") as fh:
            if MACRO_CONTENT_TYPE in fh.read(1 << 20):
                vba = "[Content_Types].xml"
    if vba is not None:
        raise FileError(make_issue("macro_workbook", member=vba))


def _sheet_rows(ws, budget: ReadBudget):
    """``(row number, {column number: value})`` for each row present in the sheet's XML, nothing
    for the rows it leaves out (openpyxl's ``iter_rows`` makes an empty row for each of those, and
    a dimension's width of ``None`` for each cell). Each row's element is dropped once read, and
    nothing after ``sheetData`` is parsed."""
    from openpyxl.worksheet._reader import WorkSheetParser
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    row_tag, data_tag = f"{{{SHEET_MAIN_NS}}}row", f"{{{SHEET_MAIN_NS}}}sheetData"
    wb = ws.parent
    cells = WorkSheetParser(None, ws._shared_strings, data_only=True, epoch=wb.epoch,
                            date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
    with ws._get_source() as src:  # the workbook's GuardedZip: counted, deadline checked
        data = None
        for event, element in iterparse(src, events=("start", "end")):
            if event == "start":
                if element.tag == data_tag:
                    data = element
                continue
            if element.tag == row_tag:
                number, row = cells.parse_row(element)
                cells.row_dimensions.clear()
                element.clear()
                if data is not None:
                    data.remove(element)
                yield number, {c["column"]: c["value"] for c in row}
            elif element.tag == data_tag:
                return


def _sheet_grid(ws, budget: ReadBudget, max_rows: int) -> list[tuple[int, list[Any]]]:
    """The sheet's rows as ``(row number, cells)`` (a published table, read again from its start)."""
    grid = []
    for r, values in _sheet_rows(ws, budget):
        if r > max_rows:
            raise BudgetExceeded("sheet_too_many_rows", row=r, sheet=ws.title, limit=max_rows)
        width = max(values, default=0)
        if width > budget.max_columns:
            raise BudgetExceeded("too_many_columns", count=width, limit=budget.max_columns)
        grid.append((r, [values.get(c) for c in range(1, width + 1)]))
    return grid


def _declared_dimension(ws) -> str | None:
    """The ``ref`` of the sheet's ``<dimension>``, read up to the start of ``sheetData`` only."""
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    dim_tag, data_tag = f"{{{SHEET_MAIN_NS}}}dimension", f"{{{SHEET_MAIN_NS}}}sheetData"
    with ws._get_source() as src:
        for _event, element in iterparse(src, events=("start",)):
            if element.tag == dim_tag:
                return element.get("ref")
            if element.tag == data_tag:
                return None
    return None


def _check_dimension(ws, max_rows: int) -> None:
    """Refuse a sheet whose declared dimension holds more than ``max_rows`` rows after its first."""
    from openpyxl.utils.cell import range_boundaries

    ref = _declared_dimension(ws)
    if not ref:
        return
    try:
        _, min_row, _, max_row = range_boundaries(ref.upper())
    except (ValueError, TypeError):
        return  # a dimension that says nothing; rows are still counted while reading
    if min_row is not None and max_row is not None and max_row - min_row > max_rows:
        raise BudgetExceeded("sheet_dimension_too_large", sheet=ws.title, ref=ref, rows=max_row - min_row + 1,
                             limit=max_rows)


def _parse_xlsx(payload: bytes, findings: Findings, budget: ReadBudget | None = None,
                max_rows: int | None = None, mapping: ImportMapping | None = None) -> ParsedFile | None:
    """The first visible sheet with the required columns (else the first with a header row).
    Reading stops at the first row beyond ``max_rows`` after the header."""
    budget = budget or ReadBudget()
    max_rows = budget.max_rows if max_rows is None else max_rows
    wb = _open_workbook(payload, budget)
    try:
        chosen = None
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            _check_dimension(ws, max_rows)
            rows = _sheet_rows(ws, budget)
            header, header_row = None, 0
            for r, values in rows:
                if r > max_rows:  # no header within as many rows as data may have
                    raise BudgetExceeded("sheet_too_many_rows", row=r, sheet=ws.title, limit=max_rows)
                if any(v not in (None, "") for v in values.values()):
                    width = max(values)
                    if width > budget.max_columns:
                        raise BudgetExceeded("too_many_columns", count=width, limit=budget.max_columns)
                    header, header_row = [values.get(c) for c in range(1, width + 1)], r
                    break
            if header is None:
                continue
            hits = {ALIASES.get(normalise_header(v)) for v in header} & set(REQUIRED)
            if chosen is None or len(hits) == len(REQUIRED):
                chosen = (ws, header, header_row, rows)
            if len(hits) == len(REQUIRED):
                break
        if chosen is None:
            findings.error(make_issue("no_rows"))
            return None
        ws, header, header_row, rows = chosen
        if len({ALIASES.get(normalise_header(v)) for v in header} & set(REQUIRED)) < 2:
            grid = _sheet_grid(ws, budget, max_rows)
            if published.looks_wide(grid, mapping):
                return _published("wide-xlsx", *published.read_wide(grid, mapping, budget, "XLSX"))
        mapped = map_header(header, findings)
        if mapped is None:
            return None
        positions, shown = mapped
        columns = {canonical: pos + 1 for canonical, pos in positions.items()}  # column numbers
        out: dict[str, list] = {c: [] for c in ROW_CELLS}
        last = header_row + max_rows
        for r, values in rows:
            if r > last:
                raise BudgetExceeded("sheet_too_many_rows", row=r, sheet=ws.title, limit=max_rows)
            _add_observation(out, r, {canonical: values.get(col) for canonical, col in columns.items()}, float)
    except (SyntaxError, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:  # SyntaxError: XML
        raise FileError(make_issue("unreadable_file", format="XLSX", detail=type(exc).__name__)) from None
    finally:
        wb.close()
    obs = drop_blank(_obs_frame(out))
    if obs.empty:
        findings.error(make_issue("no_rows"))
        return None
    return ParsedFile("xlsx", observations=obs, column_names={**{c: c for c in REQUIRED + OPTIONAL}, **shown},
                      optional_present=frozenset(c for c in OPTIONAL if c in positions))


# What only a JSON escape can put into a text (the bytes of a file cannot: see decode): NUL, which
# no text holds and PostgreSQL cannot store, and half of a surrogate pair, which is no character and
# cannot be written as UTF-8. Escaped pairs (emoji as \ud83d\ude00) decode to one character and pass.
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


def _holds_non_text(doc: Any) -> bool:
    """True when a key or a string anywhere in the parsed ``doc`` holds NUL or a lone surrogate."""
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _NOT_TEXT.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class JsonConstant(str):
    """``NaN``, ``Infinity`` or ``-Infinity`` as a JSON document wrote it (Python's reader takes them;
    JSON has no such numbers): kept as its text, which the validation refuses precisely
    (``non_finite_number``), never read as a blank "not reported"."""


def _json_kind(doc: Any) -> str:
    """What a JSON document is, in the words of its specification."""
    if doc is None:
        return "null"
    if isinstance(doc, bool):
        return "boolean"
    if isinstance(doc, JsonConstant) or isinstance(doc, (int, float)):
        return "number"
    return "string" if isinstance(doc, str) else type(doc).__name__


def _json_number(value: int | float) -> float:
    """A JSON number as a float; an integer beyond a double becomes infinite (then ``bad_number``)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _parse_json(text: str, findings: Findings, budget: ReadBudget | None = None,
                mapping: ImportMapping | None = None) -> ParsedFile | None:
    def unreadable(detail: str) -> FileError:
        return FileError(make_issue("unreadable_file", format="JSON", detail=detail))

    try:
        doc = json.loads(text, parse_constant=JsonConstant)
    except json.JSONDecodeError as exc:
        raise unreadable(f"{exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise unreadable("arrays or objects nested too deeply") from None
    except ValueError:  # an integer of more digits than Python converts (4300)
        raise unreadable("a number has too many digits") from None
    if _SUSPECT_ESCAPE.search(text) and _holds_non_text(doc):
        raise unreadable("a text holds the escape \\u0000 (NUL) or half of a surrogate pair (\\ud800-\\udfff)")
    if published.is_jsonstat(doc):
        return _published("json-stat", *published.read_jsonstat(doc, mapping, budget or ReadBudget()))
    if isinstance(doc, list):
        doc = {"observations": doc}
    if not isinstance(doc, dict):
        raise FileError(make_issue("json_wrong_type", kind=_json_kind(doc)))
    lowered = {str(k).lower(): v for k, v in doc.items()}
    unit = lowered.get("unit")
    if unit is not None and not isinstance(unit, str):
        raise FileError(make_issue("bad_structure", detail="'unit' must be a text code"))
    observations = lowered.get("observations", [])
    items = lowered.get("daily_items", [])
    for name, value in (("observations", observations), ("daily_items", items)):
        if not isinstance(value, list):
            raise FileError(make_issue("bad_structure", detail=f"'{name}' must be an array"))
    out: dict[str, list] = {c: [] for c in ROW_CELLS}
    seen_keys: set[str] = set()
    for i, obj in enumerate(observations, start=1):
        if not isinstance(obj, dict):
            raise FileError(make_issue("bad_structure", detail=f"observations[{i - 1}] must be an object"))
        fields: dict[str, Any] = {}
        for k, v in obj.items():
            norm = normalise_header(k)
            canonical = ALIASES.get(norm)
            if canonical is None:
                if norm not in SILENTLY_IGNORED and norm not in seen_keys:
                    seen_keys.add(norm)
                    findings.note(make_issue("ignored_column", column=str(k)))
                continue
            fields[canonical] = v
        _add_observation(out, i, fields, _json_number)
    daily: list[dict[str, Any]] = []
    for i, obj in enumerate(items, start=1):
        if not isinstance(obj, dict):
            raise FileError(make_issue("bad_structure", detail=f"daily_items[{i - 1}] must be an object"))
        lowered_item = {normalise_header(k): v for k, v in obj.items()}
        daily.append({"row": i, **{f: lowered_item.get(f) for f in DAILY_FIELDS}})
    obs = drop_blank(_obs_frame(out))  # an empty submission is refused by the pipeline (after the unit check)
    return ParsedFile("json", observations=obs, daily_items=daily,
                      declared_unit=unit.strip() if isinstance(unit, str) else None)
