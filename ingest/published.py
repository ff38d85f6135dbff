# size: the five readers of published statistical shapes (wide tables, PC-Axis, JSON-stat 2.0, SDMX-ML) share their cell rules here
"""Readers of the shapes statistical offices publish, each producing the same long rows as a long
CSV (:data:`ingest.formats.OBS_COLUMNS`), which then go through the same validation and
one-transaction load:

* **wide tables** (CSV or XLSX; :func:`read_wide`): areas as rows and periods as columns, or the
  reverse, as the statistics office's yearbook tables are laid out: title rows above the header
  (the unit in them: "Đơn vị tính: Nghìn người", "Unit: Thous. persons", or "(Nghìn người)"), a
  header of periods ("2019", "Sơ bộ 2023", "Prel. 2023": a column marked "Sơ bộ"/"Prel." is
  provisional), rows of areas by code or name, ``..``, ``...``, ``…``, ``-``, ``x``, ``:`` for
  missing values (skipped as "not reported"), footnote marks after numbers (``1234(1)``, ``56*``)
  and footnote rows under the table ("(1) …", "Ghi chú: …", "Nguồn: …") ignored;
* **PC-Axis** ``.px`` (:func:`read_px`): ``STUB``/``HEADING`` variables, ``VALUES``/``CODES``,
  ``TIMEVAL``, ``UNITS``, ``DATA`` (the last variable varies fastest; ``".."`` and the like missing);
* **JSON-stat 2.0** datasets (:func:`read_jsonstat`), as PX-Web answers: ``id``, ``size``,
  ``dimension`` (``role`` time and geo, or the dimensions' names), ``value`` (array or sparse
  object) and ``status`` (``p`` provisional);
* **SDMX-ML** data messages, 2.0 and 2.1 (:mod:`ingest.sdmx_ml`, which uses :class:`Rows` from here).

Where the shape carries no indicator, the indicator comes from the mapping (``--indicator`` on the
command line, ``indicator=`` on the API: :class:`ImportMapping`); where it carries a unit, the unit
is checked against the indicator's and values scaled by a known factor (:mod:`domain.units`,
applied by the validation); an unknown unit is refused. Every reader works within the file's read
budget (:mod:`ingest.bounds`): rows are counted against ``max_rows`` as they are produced and the
deadline is checked as they are read.
"""

from __future__ import annotations

import functools
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice, product
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from domain.periods import PeriodError
from domain.periods import parse as parse_period
from domain.text import fold
from ingest.bounds import BudgetExceeded, ReadBudget
from ingest.issues import make_issue

MISSING_MARKS = frozenset({"", "..", "...", "....", "…", "-", "–", "—", "x", "X", ":", "."})
_PROVISIONAL = re.compile(r"\b(so bo|sb|prel|pre|preliminary|provisional|uoc tinh|est)\b\.?")
_FOOTNOTE_MARK = re.compile(r"\s*(?:\(\d{1,2}\)|\*{1,3}|[¹²³])$")
_FOOTNOTE_ROW = re.compile(r"^\s*(?:\(\d{1,2}\)|\*|\d{1,2}[).]\s|ghi chu|nguon|note|source|chu thich)", re.I)
_UNIT = re.compile(r"(?:don vi tinh|don vi|dvt|unit)\s*[:.]\s*(.+)$")
_PAREN_UNIT = re.compile(r"\(([^()]+)\)\s*$")
F = TypeVar("F", bound=Callable[..., Any])
_YEAR = re.compile(r"\b((?:19|20)\d{2})(?:\s*[-/]?\s*(q[1-4]|m\d{2}|s[12]))?\b")


class PublishedError(Exception):
    """The file's shape cannot be read; ``issue`` says why (file-level)."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.issue = make_issue(code, **params)


def guarded(shape: str) -> Callable[[F], F]:
    """A reader whose surprise at a malformed file (a wrong type, a missing key) is a file-level
    ``unreadable_file``, never a crash."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError) as exc:
                raise PublishedError("unreadable_file", format=shape, detail=type(exc).__name__) from None

        return inner  # type: ignore[return-value]

    return wrap


@dataclass(frozen=True)
class ImportMapping:
    """What a file does not say itself, or says by names instead of codes: ``indicator``, the
    indicator code of a published table's values; ``areas``, area labels as written → an area
    reference (key, code or ``CODE@WHEN``; "" for rows not to load); ``indicators``, indicator
    names as written → codes. ``name`` and ``source`` (explicit, confirmed, saved) say where the
    mapping came from (recorded with the submission; :mod:`ingest.mappings`); ``column_group``, in a
    wide table whose header repeats the periods under several groups ("Total 1995" … "Male 1995" …
    "Urban 1995"), the group to read (its name before or after the period; the other groups'
    columns are not read)."""

    indicator: str | None = None
    areas: Mapping[str, str] = field(default_factory=dict)
    indicators: Mapping[str, str] = field(default_factory=dict)
    name: str | None = None
    source: str = "explicit"
    column_group: str | None = None  # a wide table's group of period columns to read ("Total" of "Total 1995")

    def as_record(self) -> dict[str, Any]:
        """How the submission's report records the mapping given."""
        return {"source": self.source, "name": self.name, "indicator": self.indicator}


@dataclass
class Rows:
    """Long rows being collected (the columns of :data:`ingest.formats.OBS_COLUMNS`), counted
    against the budget as they come: one at a time (:meth:`add`) or a table's block of cells at
    once (:meth:`add_block`, column-wise)."""

    budget: ReadBudget
    indicator: str

    def __post_init__(self) -> None:
        self.title = ""  # the table's title rows (or label), for the indicator proposal of the mapping step
        self.count = 0
        self.cols: dict[str, list[Any]] = {c: [] for c in _ROW_FIELDS}
        self.blocks: list[dict[str, np.ndarray]] = []

    def add(self, row: int, area: str, period: str, value: Any, status: str = "", indicator: str | None = None,
            label: str = "") -> None:
        """One row; ``label``: the area's label where the file gives one beside its code (PC-Axis
        ``VALUES``, JSON-stat category labels): the validation reads it when the code is not the
        product's (:func:`ingest.validate.labels_where_codes_differ`)."""
        c = self.cols
        if self.count >= self.budget.max_rows:
            raise BudgetExceeded("too_many_rows", rows=self.count + 1, limit=self.budget.max_rows)
        if self.count % 65536 == 0:
            self.budget.check_time()
        self.count += 1
        text, number = cell_value(value)
        c["row"].append(row)
        c["indicator_code"].append(indicator if indicator is not None else self.indicator)
        c["area_code"].append(area)
        c["period"].append(period)
        c["value_text"].append(text)
        c["value_num"].append(number)
        c["status"].append(status)
        c["note"].append("")
        c["territory"].append("")
        c["area_label"].append(label)

    def add_block(self, rows: np.ndarray, areas: np.ndarray, periods: np.ndarray, values: np.ndarray,
                  status: np.ndarray) -> None:
        """Rows given column by column (equal lengths; ``values`` the raw cells, read as
        :func:`cell_value` reads one), the same as :meth:`add` called on each in turn."""
        self._flush()
        n = len(values)
        if self.count + n > self.budget.max_rows:
            raise BudgetExceeded("too_many_rows", rows=self.budget.max_rows + 1, limit=self.budget.max_rows)
        self.budget.check_time()
        self.count += n
        text, number = cell_values(values)
        self.blocks.append({"row": np.asarray(rows, dtype=np.int64), "indicator_code": np.full(n, self.indicator, dtype=object),
                            "area_code": areas, "period": periods, "value_text": text, "value_num": number,
                            "status": status, **{c: np.full(n, "", dtype=object) for c in ("note", "territory", "area_label")}})

    def _flush(self) -> None:
        if self.cols["row"]:
            self.blocks.append({c: np.asarray(v, dtype=np.int64 if c == "row" else float if c == "value_num"
                                              else object) for c, v in self.cols.items()})
            self.cols = {c: [] for c in _ROW_FIELDS}

    def columns(self) -> dict[str, Any]:
        """The rows collected, column by column."""
        self._flush()
        if len(self.blocks) == 1:
            return self.blocks[0]
        if not self.blocks:
            return self.cols
        return {c: np.concatenate([b[c] for b in self.blocks]) for c in _ROW_FIELDS}


_ROW_FIELDS = ("row", "indicator_code", "area_code", "period", "value_text", "value_num", "status", "note",
               "territory", "area_label")


def cell_value(value: Any) -> tuple[str, float]:
    """A published cell as ``(text, number)``: a real number as it is; a missing mark as blank; text
    without its footnote mark (``1234(1)`` → ``1234``)."""
    if isinstance(value, bool):
        return str(value), math.nan
    if isinstance(value, (int, float)):
        return "", float(value)
    text = "" if value is None else str(value).strip()
    if text in MISSING_MARKS:
        return "", math.nan
    return _FOOTNOTE_MARK.sub("", text), math.nan


_FOOTNOTE_ENDS = frozenset(")*¹²³")  # the last character of a cell that may carry a footnote mark


def cell_values(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`cell_value` over an object array of cells: ``(texts, numbers)``; cells all text (a
    CSV's) in one pass without per-cell calls."""
    n = len(values)
    if n and pd.api.types.infer_dtype(values, skipna=False) == "string":
        missing, ends, mark = MISSING_MARKS, _FOOTNOTE_ENDS, _FOOTNOTE_MARK
        texts = ["" if t in missing else mark.sub("", t) if t[-1:] in ends else t for t in map(str.strip, values)]
        return np.array(texts, dtype=object), np.full(n, math.nan)
    pairs = [cell_value(v) for v in values]
    return (np.array([t for t, _ in pairs], dtype=object),
            np.array([x for _, x in pairs], dtype=float) if pairs else np.zeros(0))


def period_label(value: Any) -> tuple[str, bool] | None:
    """``(period key, provisional)`` of a header cell or a published period label: a period key
    ("2019", 2019, "2024Q1", "2024M03"), a year with a mark ("Sơ bộ 2023", "Prel. 2023"), or a
    label as the statistics office writes it (:func:`_labelled_period`: "Quý 1/2024", "Tháng
    3/2024", "6 tháng đầu năm 2024", "Năm 2024", "Q1 2024"); None when it is no period."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    folded = fold(text)
    provisional = bool(_PROVISIONAL.search(folded))
    try:
        return parse_period(text.upper()).key, provisional
    except (PeriodError, TypeError, ValueError):
        pass
    labelled = _labelled_period(folded)
    if labelled is not None:
        return labelled, provisional
    found = _YEAR.search(folded)
    if found is None:
        return None
    rest = _PROVISIONAL.sub("", _YEAR.sub("", folded, count=1)).strip(" .,:;()*-")
    if rest:
        return None  # "2019 - 2023", "Tăng 2019": not one period
    key = found.group(1) + (found.group(2) or "").upper().replace("M", "")
    try:
        return parse_period(key).key, provisional
    except (PeriodError, ValueError):
        return None


_Y = r"((?:19|20)\d{2})"
_QUARTER = r"(i{1,3}|iv|[1-4])"
#: (pattern on the folded label without its provisional mark, periodicity); the groups are (year,
#: number) or (number, year) as the names say
_LABELS = (
    (re.compile(rf"^(?:nam|year)\s*{_Y}$"), "Y", "y"),
    (re.compile(rf"^(?:quy|q|quarter)\s*{_QUARTER}\s*(?:/|-|,|nam|year|\s)\s*(?:nam\s*)?{_Y}$"), "Q", "ny"),
    (re.compile(rf"^{_Y}\s*[-/ ]?\s*(?:quy|q|k)\s*{_QUARTER}$"), "Q", "yn"),
    (re.compile(rf"^(?:thang|t|month)\s*(\d{{1,2}})\s*(?:/|-|,|nam|year|\s)\s*(?:nam\s*)?{_Y}$"), "M", "ny"),
    (re.compile(rf"^(\d{{1,2}})\s*[/-]\s*{_Y}$"), "M", "ny"),
    (re.compile(rf"^{_Y}\s*-\s*(\d{{2}})$"), "M", "yn"),
    (re.compile(rf"^6 thang (dau|cuoi) nam\s*{_Y}$"), "S", "ny"),
    (re.compile(rf"^(?:h|s|nua nam)\s*([12])\s*(?:/|-|nam|\s)\s*{_Y}$"), "S", "ny"),
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "dau": 1, "cuoi": 2}


def _labelled_period(folded: str) -> str | None:
    """The period key of a folded label ("quy 1/2024" → "2024Q1", "thang 3 nam 2024" → "202403",
    "6 thang dau nam 2024" → "2024S1", "nam 2024" → "2024"); None when it is no such label."""
    text = re.sub(r"\s+", " ", _PROVISIONAL.sub(" ", folded)).strip(" .,:;()*")
    for pattern, kind, order in _LABELS:
        m = pattern.match(text)
        if m is None:
            continue
        if kind == "Y":
            return m.group(1)
        number, year = (m.group(1), m.group(2)) if order == "ny" else (m.group(2), m.group(1))
        n = _ROMAN.get(number) or int(number)
        key = {"Q": f"{year}Q{n}", "M": f"{year}{n:02d}", "S": f"{year}S{n}"}[kind]
        try:
            return parse_period(key).key
        except (PeriodError, ValueError):
            return None
    return None


def unit_in(texts: Iterable[str]) -> str | None:
    """The unit stated in a table's title rows: "Đơn vị tính: Nghìn người" or a last "(Nghìn người)"."""
    for text in texts:
        folded = fold(text)
        m = _UNIT.search(folded)
        if m:  # "Nghìn người - Unit: Thous. persons": the first language's
            return re.split(r"\s+[-–/]\s+|\s{2,}", text[m.start(1):].strip(" .;"))[0]
    for text in texts:
        m = _PAREN_UNIT.search(text.strip())
        if m:
            return m.group(1).strip()
    return None


def _need_indicator(mapping: ImportMapping | None, shape: str) -> str:
    if mapping is None or not mapping.indicator:
        raise PublishedError("indicator_required", format=shape)
    return mapping.indicator.strip().upper()


# -- wide tables -----------------------------------------------------------------------------------


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


PeriodReader = Callable[[Any], "tuple[str, bool] | None"]


def period_reader(mapping: ImportMapping | None) -> PeriodReader:
    """How a header cell is read as a period: :func:`period_label`, or, with a ``column_group``,
    the period of a cell of that group ("Total 1995", "2011 Average population") and None for the
    cells of other groups."""
    group = fold(mapping.column_group).strip() if mapping is not None and mapping.column_group else ""
    if not group:
        return period_label
    word = re.compile(r"(?<!\w)" + re.escape(group) + r"(?!\w)")

    def in_group(value: Any) -> tuple[str, bool] | None:
        text = fold(_text(value))
        rest, found = word.subn(" ", text, count=1)
        return period_label(rest.strip()) if found else None

    return in_group


def looks_wide(grid: Sequence[tuple[int, Sequence[Any]]], mapping: ImportMapping | None = None) -> bool:
    """Whether the first rows hold a header of at least two periods (or a first column of them)."""
    label = period_reader(mapping)
    return _find_header(grid, label) is not None or _find_header(_transpose(grid, _HEADER_SCAN), label) is not None


_HEADER_SCAN = 40  # the rows (or columns) where a table's header of periods is looked for


def _find_header(grid: Iterable[tuple[int, Iterable[Any]]], label: PeriodReader = period_label) -> int | None:
    for i, (_r, cells) in enumerate(islice(grid, _HEADER_SCAN)):
        found = 0
        for c in islice(cells, 1, None):
            if label(c) is not None:
                found += 1
                if found == 2:
                    return i
    return None


def _transpose(grid: Sequence[tuple[int, Sequence[Any]]], limit: int) -> Iterator[tuple[int, Iterator[Any]]]:
    """The first ``limit`` columns as rows, each read only as far as it is iterated (a header is
    found on its first cells)."""
    width = min(max((len(c) for _, c in grid), default=0), limit)
    return ((-(j + 1), (cells[j] if j < len(cells) else None for _, cells in grid)) for j in range(width))


def _matrix(grid: Sequence[tuple[int, Sequence[Any]]]) -> np.ndarray:
    """The grid's cells as an object matrix, short rows padded with None."""
    width = max((len(c) for _, c in grid), default=0)
    m = np.full((len(grid), width), None, dtype=object)
    for i, (_r, cells) in enumerate(grid):
        if len(cells):
            m[i, :len(cells)] = list(cells)
    return m


@guarded("wide table")
def read_wide(grid: Sequence[tuple[int, Sequence[Any]]], mapping: ImportMapping | None, budget: ReadBudget,
              shape: str) -> tuple[Rows, str | None]:
    """A wide table as long rows, and the unit its title states. ``grid``: ``(spreadsheet row,
    cells)`` of the sheet or CSV, blank rows included or not. The rows come in the sheet's reading
    order, row by row (:func:`_add_table`), built column-wise."""
    indicator = _need_indicator(mapping, shape)
    out = Rows(budget, indicator)
    label_of = period_reader(mapping)
    header = _find_header(grid, label_of)
    rows_of = np.array([r for r, _ in grid], dtype=np.int64)
    cells = _matrix(grid)
    if header is not None:
        titles = [_text(c) for _, row in grid[:header] for c in row if _text(c)]
        head = grid[header][1]
        columns = [(j, p) for j, c in enumerate(head) if j > 0 and (p := label_of(c)) is not None]
        body = [(i, label) for i in range(header + 1, len(grid)) if (label := _text(cells[i, 0])) and not _footnote(label)]
        _add_table(out, [i for i, _ in body], [j for j, _ in columns], cells, rows_of,
                   areas=[label for _, label in body], periods=[p for _, p in columns], areas_first=True)
        out.title = " ".join(titles)
        return out, unit_in(titles + [_text(head[0])] if head else titles)
    header = _find_header(_transpose(grid, _HEADER_SCAN), label_of)
    if header is None:
        raise PublishedError("table_shape_unknown", format=shape)
    head = cells[:, header].tolist()  # the first column: periods, one per spreadsheet row
    labels = [label_of(c) for c in head]
    titles = [_text(c) for c in head[: min(i for i, p in enumerate(labels) if p is not None)] if _text(c)]
    periods = [(i, p) for i, (c, p) in enumerate(zip(head, labels, strict=True)) if p is not None and not _footnote(_text(c))]
    body = []
    for j in range(header + 1, cells.shape[1]):
        label = _text(next((c for c in cells[: len(titles) + 1, j] if _text(c) and period_label(c) is None), ""))
        if label and not _footnote(label):
            body.append((j, label))
    _add_table(out, [i for i, _ in periods], [j for j, _ in body], cells, rows_of,
               areas=[label for _, label in body], periods=[p for _, p in periods], areas_first=False)
    out.title = " ".join(titles)
    return out, unit_in(titles)


def _add_table(out: Rows, grid_rows: list[int], grid_columns: list[int], cells: np.ndarray, rows_of: np.ndarray, *,
               areas: list[str], periods: list[tuple[str, bool]], areas_first: bool) -> None:
    """The cells at ``grid_rows`` × ``grid_columns`` as long rows in the sheet's reading order (row
    by row): areas as rows (``areas_first``: one per grid row, periods across; the rows come area
    by area) or as columns (periods down; the rows come period by period). Reading order also suits
    the load: a daily table's chunk of rows then spans a few years (a few partitions of
    ``observation`` to COPY into) and arrives in the order of ``current_observation``'s covering
    index, where area by area every chunk spanned every year of the table."""
    if not grid_rows or not grid_columns:
        return
    block = cells[np.ix_(grid_rows, grid_columns)]
    keys = np.array([k for k, _ in periods], dtype=object)
    status = np.array(["P" if prov else "" for _, prov in periods], dtype=object)
    names = np.array(areas, dtype=object)
    n_rows, n_columns = len(grid_rows), len(grid_columns)

    def per_row(a: np.ndarray) -> np.ndarray:  # a value of each grid row, for each of its cells
        return np.repeat(a, n_columns)

    def per_column(a: np.ndarray) -> np.ndarray:  # a value of each grid column, in every row
        return np.tile(a, n_rows)

    of_area, of_period = (per_row, per_column) if areas_first else (per_column, per_row)
    out.add_block(per_row(rows_of[grid_rows]), of_area(names), of_period(keys), block.ravel(), of_period(status))


def _footnote(label: str) -> bool:
    """A row under the table: "(1) …", "* …", "Ghi chú: …", "Nguồn: …", "Note: …", "Source: …"."""
    return bool(_FOOTNOTE_ROW.match(fold(label)))


def csv_grid(text: str, budget: ReadBudget) -> list[tuple[int, list[str]]]:
    """The rows of a CSV text (``,`` ``;`` or tab, whichever splits the most lines), numbered from 1;
    none when the text is no CSV at all (the long reader then says why)."""
    import csv

    sample = text[:65536]
    delimiter = max((",", ";", "\t"), key=lambda d: sum(line.count(d) for line in sample.splitlines()[:50]))
    grid = []
    try:
        for i, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if i % 65536 == 0:
                budget.check_time()
            if "".join(cells).strip():  # a cell that is not blank
                grid.append((i, cells))
    except csv.Error:
        return []
    return grid


# -- PC-Axis -----------------------------------------------------------------------------------------

_PX_STATEMENT = re.compile(r'\s*([A-Za-z0-9_-]+)(?:\[([\w-]+)\])?(?:\("([^"]*)"\))?\s*=\s*((?:"[^"]*"|[^;"])*);', re.S)
_PX_TIME = ("nam", "year", "time", "thoi gian", "ky", "period", "tid")


def _px_list(raw: str) -> list[str]:
    quoted = re.findall(r'"((?:[^"])*)"', raw)
    if quoted:
        # a long value is split over lines as "abc" "def" (adjacent strings, no comma): join them
        parts, current = [], ""
        for piece in re.split(r'"\s*,\s*"', raw.strip().strip('"').replace('"\r\n"', "").replace('"\n"', "")):
            current += piece
            parts.append(current)
            current = ""
        return [p.strip() for p in parts]
    return [p.strip() for p in raw.split(",") if p.strip()]


@guarded("PC-Axis")
def read_px(text: str, mapping: ImportMapping | None, budget: ReadBudget) -> tuple[Rows, str | None]:
    """A PC-Axis file as long rows, and its ``UNITS``."""
    head, sep, data = text.partition("DATA=")
    if not sep:
        raise PublishedError("table_shape_unknown", format="PC-Axis")
    meta: dict[tuple[str, str], list[str]] = {}
    for m in _PX_STATEMENT.finditer(head):
        keyword, lang, sub, raw = m.group(1).upper(), m.group(2), m.group(3) or "", m.group(4)
        if lang:  # another language's copy of the same keyword
            continue
        meta[(keyword, sub)] = _px_list(raw)
    names = meta.get(("STUB", ""), []) + meta.get(("HEADING", ""), [])
    if len(names) < 2:
        raise PublishedError("table_shape_unknown", format="PC-Axis")
    times = {sub for (k, sub) in meta if k == "TIMEVAL"}
    time_var = next((n for n in names if n in times), None) or next(
        (n for n in names if fold(n).strip() in _PX_TIME), None)
    if time_var is None:
        raise PublishedError("table_dimension_missing", format="PC-Axis", dimension="time")
    values = {n: meta.get(("VALUES", n), []) for n in names}
    codes = {n: meta.get(("CODES", n)) or values[n] for n in names}
    others = [n for n in names if n != time_var and len(values[n]) > 1]
    if len(others) != 1:
        raise PublishedError("table_too_many_dimensions", format="PC-Axis", dimensions=", ".join(others))
    area_var = others[0]
    indicator = _need_indicator(mapping, "PC-Axis")
    out = Rows(budget, indicator)
    tokens = re.findall(r'"[^"]*"|[^\s;"]+', data.split(";", 1)[0])
    shape = [len(values[n]) for n in names]
    expected = int(np.prod(shape))
    if len(tokens) != expected:
        raise PublishedError("table_data_count", format="PC-Axis", count=len(tokens), expected=expected)
    t, a = names.index(time_var), names.index(area_var)
    labelled = codes[area_var] != values[area_var]  # CODES beside VALUES: the labels go along
    for k, index in enumerate(product(*(range(s) for s in shape))):
        label = values[time_var][index[t]] if index[t] < len(values[time_var]) else ""
        period = period_label(codes[time_var][index[t]]) or period_label(label)
        if period is None:
            raise PublishedError("table_bad_period", format="PC-Axis", value=codes[time_var][index[t]])
        prov = period[1] or bool(_PROVISIONAL.search(fold(label)))
        out.add(k + 1, codes[area_var][index[a]], period[0], tokens[k].strip('"'), "P" if prov else "",
                label=values[area_var][index[a]] if labelled else "")
    units = meta.get(("UNITS", ""))
    out.title = " ".join(meta.get(("TITLE", ""), []) + meta.get(("CONTENTS", ""), []))
    return out, units[0] if units else None


# -- JSON-stat 2.0 ------------------------------------------------------------------------------------

_GEO_NAMES = ("geo", "area", "region", "province", "tinh", "dia ban", "dia phuong", "ref_area")


def is_jsonstat(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("class") == "dataset" and "dimension" in doc and "value" in doc


@guarded("JSON-stat")
def read_jsonstat(doc: dict[str, Any], mapping: ImportMapping | None, budget: ReadBudget) -> tuple[Rows, str | None]:
    """A JSON-stat 2.0 dataset as long rows, and the unit of its metric (``category.unit``)."""
    ids, sizes, dims = doc.get("id"), doc.get("size"), doc.get("dimension")
    if not (isinstance(ids, list) and isinstance(sizes, list) and isinstance(dims, dict) and len(ids) == len(sizes)):
        raise PublishedError("table_shape_unknown", format="JSON-stat")
    role = doc.get("role") if isinstance(doc.get("role"), dict) else {}

    def pick(kind: str, words: tuple[str, ...]) -> str | None:
        named = [d for d in role.get(kind, []) if d in ids]
        return named[0] if named else next((d for d in ids if fold(str(d)).strip() in words), None)

    time_dim, geo_dim = pick("time", _PX_TIME + ("time_period",)), pick("geo", _GEO_NAMES)
    if time_dim is None or geo_dim is None:
        raise PublishedError("table_dimension_missing", format="JSON-stat", dimension="time" if time_dim is None else "geo")
    others = [d for d, s in zip(ids, sizes, strict=True) if d not in (time_dim, geo_dim) and s != 1]
    if others:
        raise PublishedError("table_too_many_dimensions", format="JSON-stat", dimensions=", ".join(map(str, others)))
    cats = [_categories(dims.get(d)) for d in ids]
    if [len(c) for c in cats] != sizes:
        raise PublishedError("table_shape_unknown", format="JSON-stat")
    values, status = doc["value"], doc.get("status")
    total = int(np.prod(sizes))
    cells: Iterable[tuple[int, Any]]
    if isinstance(values, list):
        if len(values) != total:
            raise PublishedError("table_data_count", format="JSON-stat", count=len(values), expected=total)
        cells = enumerate(values)
    elif isinstance(values, dict):
        cells = ((int(k), v) for k, v in values.items() if str(k).isdigit() and int(k) < total)
    else:
        raise PublishedError("table_shape_unknown", format="JSON-stat")
    out = Rows(budget, _need_indicator(mapping, "JSON-stat"))
    t, g = ids.index(time_dim), ids.index(geo_dim)
    strides = [int(np.prod(sizes[i + 1:])) for i in range(len(sizes))]
    for k, v in cells:
        index = [(k // strides[i]) % sizes[i] for i in range(len(sizes))]
        code, label = cats[t][index[t]]
        period = period_label(code) or period_label(label)
        if period is None:
            raise PublishedError("table_bad_period", format="JSON-stat", value=code)
        st = status.get(str(k)) if isinstance(status, dict) else status[k] if isinstance(status, list) else status
        prov = period[1] or bool(_PROVISIONAL.search(fold(label))) or str(st or "").lower() == "p"
        area_code, area_label = cats[g][index[g]]
        out.add(k + 1, area_code, period[0], v, "P" if prov else "", label=area_label if area_label != area_code else "")
    out.title = str(doc.get("label") or "")
    return out, _jsonstat_unit(dims, ids)


def _categories(dim: Any) -> list[tuple[str, str]]:
    """``(code, label)`` of a dimension's categories in their order."""
    cat = dim.get("category", {}) if isinstance(dim, dict) else {}
    index, labels = cat.get("index"), cat.get("label") or {}
    if isinstance(index, list):
        codes = [str(c) for c in index]
    elif isinstance(index, dict):
        codes = [str(c) for c, _ in sorted(index.items(), key=lambda kv: kv[1])]
    else:
        codes = [str(c) for c in labels]
    return [(c, str(labels.get(c, c))) for c in codes]


def _jsonstat_unit(dims: dict[str, Any], ids: list[Any]) -> str | None:
    for d in ids:
        unit = (dims.get(d) or {}).get("category", {}).get("unit")
        if isinstance(unit, dict) and unit:
            first = next(iter(unit.values()))
            if isinstance(first, dict) and first.get("label"):
                return str(first["label"])
    return None
