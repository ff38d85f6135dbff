# size: every validation rule of a submission, vectorised over the file, in one pass
"""Validation of a parsed submission against the catalogue, vectorised with pandas/numpy.

Each check runs over whole columns; only failing rows are turned into findings (see
:class:`ingest.issues.Findings`). The checks, with the column each error points at:

``indicator_code``
    ``empty_cell``; ``unknown_indicator`` (codes are case-insensitive); ``indicator_derived`` (its
    values are computed by the product from its formula, never submitted), ``indicator_draft``,
    ``indicator_retired`` (in the catalogue but taking no data);
    ``not_responsible`` (see below; on the area column when a province reports another province);
    ``duplicate_key`` (the same indicator, area and period as an earlier row).
``area_code``
    ``empty_cell``; ``unknown_area`` (neither an area key such as ``08-63`` nor an official code);
    ``area_not_valid_for_period``: codes are resolved by validity on the period's END date, the
    semantics of :func:`data_access.catalogue.resolve_area` (codes repeat across the 2025
    reorganisation: old 08 ≠ new 08, so ``08`` for 2025Q2 is the former Tuyên Quang and a code of a
    dissolved province is refused for 2025Q3); ``wrong_area_level``: the area's level must be one
    of the indicator's levels, regions excepted (regional figures are computed from provinces,
    never submitted). A one-digit numeric code is read with its leading zero (Excel drops it).
``period``
    ``empty_cell``; ``bad_period`` (not a DHIS2-style key); ``wrong_periodicity`` (the key's
    periodicity must be the indicator's); ``future_period`` (the period starts after the day the
    submission is received).
``value``
    ``bad_number`` / ``ambiguous_number`` by the number rule of :mod:`ingest.formats`. A blank
    value is not an error: the row is skipped with the note ``not_reported``.
``status``
    ``bad_status``; empty means ``O`` (official).

Who may report what (``not_responsible``), kept deliberately simple. Unit U may send the value of
indicator I for area A when one of these holds:

1. U is I's owning agency and I is reported at A's level (the statistics office publishes the
   province tables of its indicators: issue 18);
2. U is a provincial People's Committee (``agency.kind == 'province'``), I is reported at province
   level and A is U's own province, or a former province merged into it (``area_succession``);
3. A is U's own area (the nation for ministries; as in 2 for provinces) and U is listed in
   ``regime_unit`` for a report regime whose ``regime_indicator`` list carries I.

Values that pass but look implausible against the series' history get a warning and are stored
with ``flag = 'implausible'`` (:func:`check_plausibility`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, select, text
from sqlalchemy.engine import Connection

from data_access import schema
from data_access.area_names import labels_of, read_area_names
from domain.area_refs import REF_SEPARATOR, AreaName, index_names, match_name, name_key, split_ref, unit_era_day
from domain.eras import valid_on
from domain.periods import PeriodError
from domain.periods import parse as parse_period
from domain.text import fold
from domain.units import factor as unit_factor
from ingest.formats import ParsedFile, parse_numbers
from ingest.issues import PERIODICITY_EN, PERIODICITY_VI, Findings, Issue, make_issue

SEVERITIES = ("info", "notice", "warning", "critical")
STATUS_WORDS = {
    "": "O", "o": "O", "p": "P", "e": "E", "a": "O",
    "official": "O", "provisional": "P", "estimated": "E", "estimate": "E",
    "chinh thuc": "O", "so bo": "P", "uoc tinh": "E", "uoc": "E",
}
# implausibility: at least this much history, then outside [median/10, median*10] (positive
# magnitudes) or more than Z_MAX standard deviations from the mean of the last HISTORY values
HISTORY = 24
MIN_HISTORY = 6
Z_MAX = 6.0
RATIO_MAX = 10.0
TEXT_LIMITS = {"category": 24, "title": 500, "body": 10000}
NOTE_MAX_CHARS = 2000  # a note longer than this is refused (too_long), never stored cut or whole
#: ``territory`` cells: empty (the area as written, read on the period's end) or ``current`` (the
#: area read in the reporting unit's current era: for an earlier period, its territory back-cast)
TERRITORY_WORDS = {"": False, "current": True, "hien nay": True, "hien tai": True}
NON_FINITE = ["NaN", "Infinity", "-Infinity", "+Infinity", "nan", "inf", "-inf", "+inf"]


# -- the catalogue as the intake needs it ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorInfo:
    id: int
    code: str
    periodicity: str
    levels: frozenset[str]
    agency_id: int
    aggregation: str
    unit_vi: str = ""
    unit_en: str = ""


@dataclass(frozen=True, slots=True)
class AreaInfo:
    id: int
    key: str
    code: str
    level: str
    valid_from: date | None
    valid_to: date | None
    name: str = ""

    @property
    def label(self) -> str:
        return f"{self.key} {self.name}".strip()


@dataclass(frozen=True, slots=True)
class UnitInfo:
    id: int
    code: str
    kind: str
    area_id: int | None
    valid_from: date | None
    valid_to: date | None
    active: bool = True  # False: retired (deactivated), its submissions are refused


@dataclass(frozen=True, slots=True)
class RegimeInfo:
    id: int
    code: str
    frequency: str
    deadline_day: int
    deadline_month_offset: int


@dataclass
class Catalogue:
    """A snapshot of the reference tables, read once per submission (direct SQL: the intake
    runs outside requests, so it does not use the cached ``data_access`` reads)."""

    indicators: dict[str, IndicatorInfo]
    areas: list[AreaInfo]
    units: dict[str, UnitInfo]
    regimes: dict[int, RegimeInfo]
    regime_indicators: dict[int, frozenset[int]]
    unit_regimes: dict[int, frozenset[int]]
    successor: dict[int, int]  # old area id -> new area id
    names: dict[str, tuple[AreaName, ...]] = field(default_factory=dict)  # domain.area_refs.index_names
    labels: dict[str, str] = field(default_factory=dict)  # area key -> "01 Hà Nội"
    # indicators that take no data: code -> (why: derived | draft | retired, the formula or "")
    closed: dict[str, tuple[str, str]] = field(default_factory=dict)
    by_key: dict[str, AreaInfo] = field(init=False)
    by_code: dict[str, list[AreaInfo]] = field(init=False)
    indicator_by_id: dict[int, IndicatorInfo] = field(init=False)

    def __post_init__(self) -> None:
        self.by_key = {a.key: a for a in self.areas}
        self.by_code = {}
        for a in self.areas:
            self.by_code.setdefault(a.code, []).append(a)
        self.indicator_by_id = {i.id: i for i in self.indicators.values()}

    def resolve_area(self, code: str, d: date) -> AreaInfo | None:
        """The area with key or official ``code`` valid on ``d`` (None if none)."""
        a = self.by_key.get(code)
        if a is not None and valid_on(a.valid_from, a.valid_to, d):
            return a
        for a in self.by_code.get(code, ()):
            if valid_on(a.valid_from, a.valid_to, d):
                return a
        return None

    def knows_area(self, code: str) -> bool:
        return code in self.by_key or code in self.by_code

    def spans(self, days: list[date], unit: UnitInfo) -> np.ndarray:
        """For each day, the number of the span between validity boundaries (of areas, names and
        ``unit``) it falls in: two days of one span read every area cell alike."""
        bounds = set(self._boundaries)
        bounds.update(d for d in (unit.valid_from, unit.valid_to and unit.valid_to + timedelta(days=1)) if d)
        ordinals = np.array(sorted(d.toordinal() for d in bounds), dtype=np.int64)
        return np.searchsorted(ordinals, np.array([d.toordinal() for d in days], dtype=np.int64), side="right")

    @functools.cached_property
    def _boundaries(self) -> frozenset[date]:
        out: set[date] = set()
        validity = [(a.valid_from, a.valid_to) for a in self.areas]
        validity += [(n.valid_from, n.valid_to) for names in self.names.values() for n in names]
        for since, until in validity:
            if since is not None:
                out.add(since)
            if until is not None and until < date.max:
                out.add(until + timedelta(days=1))
        return frozenset(out)

    def may_name_area(self, text: str) -> bool:
        """Whether ``text`` is a code, a key, an explicit ``CODE@WHEN`` or a known name."""
        return self.knows_area(text) or REF_SEPARATOR in text or name_key(text) in self.names

    def regimes_carrying(self, unit_id: int, indicator_id: int) -> list[int]:
        return sorted(r for r in self.unit_regimes.get(unit_id, ()) if indicator_id in self.regime_indicators.get(r, ()))

    def responsible(self, unit: UnitInfo, ind: IndicatorInfo, area: AreaInfo) -> bool:
        """The rule of the module docstring."""
        if ind.agency_id == unit.id and area.level in ind.levels:  # the owner publishes its statistics
            return True
        own = area.id == unit.area_id or (unit.kind == "province" and self.successor.get(area.id) == unit.area_id)
        if not own:
            return False
        if unit.kind == "province" and area.level == "province" and "province" in ind.levels:
            return True
        return bool(self.regimes_carrying(unit.id, ind.id))


def load_catalogue(conn: Connection) -> Catalogue:
    i, a, g = schema.indicator, schema.area, schema.agency
    # derived (formula), draft and retired indicators take no data (``closed``, with the reason);
    # retired regimes are unknown here
    indicators, closed = {}, {}
    for r in conn.execute(select(i.c.id, i.c.code, i.c.periodicity, i.c.levels, i.c.agency_id, i.c.aggregation,
                                 i.c.unit_vi, i.c.unit_en, i.c.status, i.c.formula)):
        if r.formula or r.status != "active":
            closed[r.code] = ("derived" if r.formula else r.status, r.formula or "")
            continue
        indicators[r.code] = IndicatorInfo(r.id, r.code, r.periodicity, frozenset((r.levels or "nation").split(";")),
                                           r.agency_id, r.aggregation, r.unit_vi or "", r.unit_en or "")
    areas = [AreaInfo(r.id, r.key, r.code, r.level, r.valid_from, r.valid_to, r.name_vi)
             for r in conn.execute(select(a.c.id, a.c.key, a.c.code, a.c.level, a.c.valid_from, a.c.valid_to,
                                          a.c.name_vi).order_by(a.c.sort, a.c.key))]
    units = {r.code: UnitInfo(r.id, r.code, r.kind, r.area_id, r.valid_from, r.valid_to, bool(r.active))
             for r in conn.execute(select(g.c.id, g.c.code, g.c.kind, g.c.area_id, g.c.valid_from, g.c.valid_to,
                                          g.c.active))}
    rr = schema.report_regime
    regimes = {r.id: RegimeInfo(r.id, r.code, r.frequency, r.deadline_day, r.deadline_month_offset)
               for r in conn.execute(select(rr.c.id, rr.c.code, rr.c.frequency, rr.c.deadline_day,
                                            rr.c.deadline_month_offset).where(rr.c.status != "retired"))}
    ri: dict[int, set[int]] = {}
    for r in conn.execute(select(schema.regime_indicator.c.regime_id, schema.regime_indicator.c.indicator_id)):
        ri.setdefault(r.regime_id, set()).add(r.indicator_id)
    ur: dict[int, set[int]] = {}
    for r in conn.execute(select(schema.regime_unit.c.regime_id, schema.regime_unit.c.agency_id)):
        if r.regime_id in regimes:
            ur.setdefault(r.agency_id, set()).add(r.regime_id)
    successor = dict(conn.execute(select(schema.area_succession.c.old_area_id,
                                         schema.area_succession.c.new_area_id)).all())
    names = read_area_names(conn)
    return Catalogue(indicators, areas, units, regimes, {k: frozenset(v) for k, v in ri.items()},
                     {k: frozenset(v) for k, v in ur.items()}, successor, index_names(names), dict(labels_of(names)),
                     closed)


# -- the result -------------------------------------------------------------------------------------

CLOSED_REASONS = ("derived", "draft", "retired")
ROW_COLUMNS = ["row", "indicator_id", "area_id", "period", "period_start", "value", "status", "note", "flag"]


@dataclass
class Validated:
    """Valid rows (only meaningful when the findings hold no error).

    ``rows`` columns: row, indicator_id, area_id, period (canonical key), period_start (date),
    value (float), status (P/O/E), note (text or None), flag (None or ``implausible``).
    ``daily_items``: dicts with row, item_date, category, severity, title, body."""

    rows: pd.DataFrame
    daily_items: list[dict[str, Any]]
    rows_total: int
    not_reported: int
    keys: pd.DataFrame | None = None  # row, ind, area_id, area_txt, per of keyed rows (when collected)
    area_mappings: dict[str, str] = field(default_factory=dict)  # an area name as written -> the area key read


def _issues(mask: np.ndarray, limit: int, build) -> tuple[list[Issue], int]:
    idx = np.flatnonzero(mask)
    return [build(int(i)) for i in idx[:limit]], len(idx)


class Coded:
    """A text column as (codes, uniques) after normalising each distinct value once: the key
    columns of a million-row file hold a few hundred distinct values."""

    def __init__(self, column: pd.Series, normalise):
        raw_codes, raw_uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=False)
        normed = np.array([normalise(x) for x in raw_uniques], dtype=object)
        codes, uniques = pd.factorize(normed) if len(normed) else (np.zeros(0, np.int64), normed)
        self.codes = codes[raw_codes] if len(raw_codes) else raw_codes.astype(np.int64)
        self.uniques = np.asarray(uniques, dtype=object)

    def __getitem__(self, i: int) -> str:
        return self.uniques[self.codes[i]]

    def per_unique(self, values: list, dtype=object) -> np.ndarray:
        """Broadcast one value per distinct text to the rows."""
        return np.asarray(values, dtype=dtype)[self.codes] if len(self.codes) else np.zeros(0, dtype=dtype)

    def equals(self, text: str) -> np.ndarray:
        return self.per_unique([u == text for u in self.uniques], dtype=bool)


def _text(x: Any) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    return x.strip() if isinstance(x, str) else str(x).strip()


def _upper_text(x: Any) -> str:
    return _text(x).upper()


def _area_text(x: Any) -> str:
    t = _text(x)
    return "0" + t if len(t) == 1 and t.isascii() and t.isdigit() else t  # Excel drops the leading 0 of "01"


def labels_where_codes_differ(obs: pd.DataFrame, area_txt: Coded, cat: Catalogue, unit: UnitInfo, ends: list[date],
                              findings: Findings, rows: np.ndarray, column: str) -> Coded:
    """The area cells of a published file that gives labels beside its codes (PC-Axis ``VALUES``
    with ``CODES``, JSON-stat category labels): the code where it is the product's and designates
    the area its label names on every period's end (``ends``, one day per validity span), else the
    label, read by the area-name matcher (a warning and a recorded mapping, or "did you mean"), with
    the note ``area_label_read`` once per code. PX-Web numbers its categories ("0", "1", "2"…, or
    codes of its own): "1" beside "Đồng bằng sông Hồng" is not 01 Hà Nội."""
    if "area_label" not in obs.columns:
        return area_txt
    labels = obs["area_label"].to_numpy(dtype=object)
    if not (labels != "").any():
        return area_txt
    cells = area_txt.uniques[area_txt.codes]
    spans = cat.spans(ends, unit) if ends else np.zeros(0, dtype=np.int64)
    days = [ends[int(i)] for i in np.unique(spans, return_index=True)[1]]
    pair_f, pairs = pd.factorize(pd.Series(cells + "\x1f" + labels, dtype=object))
    chosen = []
    for k, pair in enumerate(pairs):
        code, label = str(pair).split("\x1f", 1)
        trusted = not label or _code_names_label(cat, code, label, days)
        chosen.append(code if trusted else label)
        if not trusted and code:
            i = int(np.flatnonzero(pair_f == k)[0])
            findings.note(make_issue("area_label_read", row=int(rows[i]), column=column, value=label,
                                     file_code=_text(obs["area_code"].iat[i])))
    return Coded(pd.Series(np.asarray(chosen, dtype=object)[pair_f], dtype=object), _text)


def _code_names_label(cat: Catalogue, code: str, label: str, days: list[date]) -> bool:
    """Whether ``code`` is the product's and, on each of ``days``, the area ``label`` names (where
    the label names one area) is the code's."""
    if not code or not cat.knows_area(code):
        return False
    for d in days:
        named = match_name(label, cat.names, d, cat.labels)
        area = cat.resolve_area(code, d)
        if named.kind == "unique" and (area is None or area.key != named.area_key):
            return False
    return True


def current_day(unit: UnitInfo, received: date) -> date:
    """The day on which ``territory=current`` reads an area cell: the day the report is received,
    or the reporting unit's last day when it has ended (its own current era)."""
    return min(received, unit.valid_to) if unit.valid_to is not None else received


def _territory_refs(parsed: ParsedFile, obs: pd.DataFrame, area_txt: Coded, live: np.ndarray, unit: UnitInfo,
                    received: date, emit: Callable[..., None]) -> tuple[Coded, np.ndarray]:
    """The area cells as :func:`resolve_area_ref` reads them: a row with ``territory=current``
    becomes ``CELL@DAY`` (:func:`current_day`: the explicit back-cast form); a territory that is
    not one of :data:`TERRITORY_WORDS`, or one given with a ``CODE@WHEN`` cell, is refused
    (``bad_territory``; the mask of those rows is returned with the cells)."""
    if "territory" not in parsed.optional_present:
        return area_txt, np.zeros(len(obs), dtype=bool)
    terr = Coded(obs["territory"], _text)
    kinds = [TERRITORY_WORDS.get(fold(u).strip().lower()) for u in terr.uniques]
    current = terr.per_unique([bool(k) for k in kinds], bool)
    has_ref = area_txt.per_unique([REF_SEPARATOR in u for u in area_txt.uniques], bool)
    bad = live & (terr.per_unique([k is None for k in kinds], bool) | (current & has_ref))
    emit("bad_territory", bad, "territory", terr)
    if not current.any():
        return area_txt, bad
    day = current_day(unit, received).isoformat()
    cells = area_txt.uniques[area_txt.codes] if len(area_txt.codes) else np.zeros(0, dtype=object)
    refs = np.where(current & ~has_ref & (cells != ""), cells + f"{REF_SEPARATOR}{day}", cells)
    return Coded(pd.Series(refs, dtype=object), _text), bad


def validate(parsed: ParsedFile, cat: Catalogue, unit: UnitInfo, received_at: datetime,
             findings: Findings, check_duplicates: bool = True, collect_keys: bool = False) -> Validated:
    """Run every row check; findings are added to ``findings``; returns the valid rows.

    A large file may be validated in chunks (:mod:`ingest.pipeline`): then each chunk runs with
    ``check_duplicates=False, collect_keys=True`` and :func:`duplicate_keys` checks the keys of all
    chunks together."""
    obs = parsed.observations
    n = len(obs)
    limit = findings.limit
    received = received_at.date()
    col = parsed.column
    rows = obs["row"].to_numpy(dtype=np.int64)

    def emit(code: str, mask: np.ndarray, column: str, values, **extra_fn) -> None:
        if not mask.any():
            return

        def build(i: int) -> Issue:
            params = {k: (fn(i) if callable(fn) else fn) for k, fn in extra_fn.items()}
            params.setdefault("indicator", ind_txt[i])  # every row finding names its indicator (redaction)
            value = values(i) if callable(values) else values[i]
            return make_issue(code, row=int(rows[i]), column=col(column), value=value, **params)

        issues, total = _issues(mask, limit, build)
        findings.add("error", issues, total)

    mappings: dict[str, str] = {}
    ind_txt = Coded(obs["indicator_code"], _upper_text)
    area_txt = Coded(obs["area_code"], _area_text)
    per_txt = Coded(obs["period"], _upper_text)
    has_status = "status" in parsed.optional_present
    status_txt = Coded(obs["status"], _text) if has_status else None
    value_text = obs["value_text"].to_numpy(dtype=object)
    value_num = obs["value_num"].to_numpy(dtype=float)

    # -- values (first: a value of only spaces is blank) --------------------------------------------
    has_num = ~np.isnan(value_num)
    values = value_num.copy()
    value_code = np.full(n, None, dtype=object)
    text_cells = ~has_num & (value_text != "")
    if text_cells.any():
        idx = np.flatnonzero(text_cells)
        parsed_values, codes = parse_numbers(pd.Series(value_text[idx], dtype=object))
        values[idx] = parsed_values
        value_code[idx] = codes
    blank = (~has_num & (value_text == "")) | (value_code == "blank")

    # -- blank values: "not reported" ---------------------------------------------------------------
    if blank.any():
        issues, total = _issues(blank, limit, lambda i: make_issue("not_reported", row=int(rows[i]), column=col("value"),
                                                                   indicator=ind_txt[i]))
        findings.add("note", issues, total)
    live = ~blank
    non_finite = (value_code == "bad_number") & np.isin(value_text, NON_FINITE)
    emit("non_finite_number", non_finite, "value", value_text)
    emit("bad_number", (value_code == "bad_number") & ~non_finite, "value", value_text)
    emit("ambiguous_number", value_code == "ambiguous_number", "value", value_text)
    emit("bad_number", live & has_num & ~np.isfinite(value_num), "value", value_num.astype(object))

    # -- empty key cells ------------------------------------------------------------------------------
    empty_ind = live & ind_txt.equals("")
    empty_area = live & area_txt.equals("")
    empty_per = live & per_txt.equals("")
    emit("empty_cell", empty_ind, "indicator_code", ind_txt)
    emit("empty_cell", empty_area, "area_code", area_txt)
    emit("empty_cell", empty_per, "period", per_txt)

    # -- indicators -----------------------------------------------------------------------------------
    u_info = [cat.indicators.get(c) for c in ind_txt.uniques]
    ind_known = ind_txt.per_unique([i is not None for i in u_info], bool)
    u_closed = [cat.closed.get(c, ("", "")) for c in ind_txt.uniques]
    for why in CLOSED_REASONS:  # in the catalogue, but taking no data: say why
        mask = ind_txt.per_unique([c[0] == why for c in u_closed], bool)
        emit(f"indicator_{why}", live & ~empty_ind & mask, "indicator_code", ind_txt,
             formula=lambda i: cat.closed.get(ind_txt[i], ("", ""))[1])
    is_closed = ind_txt.per_unique([bool(c[0]) for c in u_closed], bool)
    emit("unknown_indicator", live & ~empty_ind & ~ind_known & ~is_closed, "indicator_code", ind_txt)
    ind_id = ind_txt.per_unique([i.id if i else -1 for i in u_info], np.int64)
    ind_per = ind_txt.per_unique([i.periodicity if i else "" for i in u_info])

    # -- periods --------------------------------------------------------------------------------------
    p_parsed = []
    for key in per_txt.uniques:
        try:
            p_parsed.append(parse_period(key))
        except (PeriodError, TypeError):
            p_parsed.append(None)
    per_f = per_txt.codes
    per_ok = per_txt.per_unique([p is not None for p in p_parsed], bool)
    emit("bad_period", live & ~empty_per & ~per_ok, "period", per_txt)
    per_kind = per_txt.per_unique([p.periodicity if p else "" for p in p_parsed])
    wrong_kind = live & ind_known & per_ok & (per_kind != ind_per)
    emit("wrong_periodicity", wrong_kind, "period", per_txt,
         indicator=lambda i: ind_txt[i], expected=lambda i: PERIODICITY_VI[ind_per[i]],
         expected_en=lambda i: PERIODICITY_EN[ind_per[i]])
    start_u = np.array([p.start if p else date.min for p in p_parsed], dtype=object)
    end_u = np.array([p.end if p else date.min for p in p_parsed], dtype=object)
    key_u = np.array([p.key if p else "" for p in p_parsed], dtype=object)
    future = live & per_ok & per_txt.per_unique([p is not None and p.start > received for p in p_parsed], bool)
    emit("future_period", future, "period", per_txt, date=received.isoformat())

    # -- areas (resolved on the period's end date; see resolve_area_ref) -----------------------------
    if parsed.published:
        ends = sorted({p.end for p in p_parsed if p is not None})
        area_txt = labels_where_codes_differ(obs, area_txt, cat, unit, ends, findings, rows, col("area_code"))
    ref_txt, bad_territory = _territory_refs(parsed, obs, area_txt, live, unit, received, emit)
    area_f = area_txt.codes
    area_id = np.full(n, -1, dtype=np.int64)
    area_level = np.full(n, "", dtype=object)
    check = live & ~empty_area & per_ok & ~bad_territory
    if check.any():
        # what a cell means changes only at validity boundaries: resolve each (text, span between
        # boundaries) once, on its first period (a wide table has a million (text, period) pairs)
        spans = cat.spans([end_u[k] for k in range(len(per_txt.uniques))], unit)
        width = int(spans.max()) + 1
        pair = ref_txt.codes.astype(np.int64) * width + spans[per_f]
        pair_f, pair_u = pd.factorize(pair[check])
        first = np.flatnonzero(check)[np.unique(pair_f, return_index=True)[1]]
        resolved = [resolve_area_ref(cat, unit, ref_txt[int(i)], end_u[per_f[i]], key_u[per_f[i]]) for i in first]
        area_id[check] = np.array([r.area.id if r.area else -1 for r in resolved], dtype=np.int64)[pair_f]
        area_level[check] = np.array([r.area.level if r.area else "" for r in resolved], dtype=object)[pair_f]
        outcome = np.full(n, -1, dtype=np.int64)
        outcome[check] = pair_f

        def exact(i: int) -> AreaRef:  # an error's message names the row's own period
            return resolve_area_ref(cat, unit, ref_txt[i], end_u[per_f[i]], key_u[per_f[i]])

        _area_findings(resolved, outcome, rows, col("area_code"), ind_txt, area_txt, findings, mappings, exact)
    if parsed.published and (area_level == "region").any():  # a yearbook's regional rows: computed, not stored
        regional = live & (area_level == "region")
        _once_per_text(regional, rows, col("area_code"), area_txt, findings, "region_row_skipped")
        for name in {area_txt[int(i)] for i in np.flatnonzero(regional)}:
            mappings.pop(name, None)
        kept = [w for w in findings.warnings if not (w.code == "area_name_matched" and w.value not in mappings)]
        findings.warnings_total -= len(findings.warnings) - len(kept)  # a skipped row's name was no mapping
        findings.warnings = kept
        live = live & ~regional
    if parsed.published:
        _table_units(parsed, cat, live & ind_known, ind_txt, values, findings)
    unresolved_text = live & ~empty_area & ~per_ok
    emit("unknown_area", unresolved_text & ~area_txt.per_unique([cat.may_name_area(c) for c in area_txt.uniques], bool),
         "area_code", area_txt, hint_vi="", hint_en="")

    # -- level and responsibility per (indicator, area) ---------------------------------------------
    both = live & ind_known & (area_id >= 0)
    wrong_level = np.zeros(n, dtype=bool)
    not_resp = np.zeros(n, dtype=bool)
    if both.any():
        pk = ind_id[both] * 1_000_000 + area_id[both]
        pk_f, pk_u = pd.factorize(pk)
        area_by_id = {a.id: a for a in cat.areas}
        lvl_bad, resp_bad = [], []
        for key in pk_u:
            ind = cat.indicator_by_id[int(key // 1_000_000)]
            area = area_by_id[int(key % 1_000_000)]
            bad_level = area.level not in (ind.levels - {"region"})
            lvl_bad.append(bad_level)
            resp_bad.append(not bad_level and not cat.responsible(unit, ind, area))
        wrong_level[both] = np.array(lvl_bad, dtype=bool)[pk_f]
        not_resp[both] = np.array(resp_bad, dtype=bool)[pk_f]
    emit("wrong_area_level", wrong_level, "area_code", area_txt, indicator=lambda i: ind_txt[i],
         level=lambda i: area_level[i], levels=lambda i: ", ".join(
             sorted(cat.indicator_by_id[int(ind_id[i])].levels - {"region"})))
    own_area_issue = (area_level == "province") & (unit.kind == "province")
    resp_kwargs = {"unit": unit.code, "indicator": lambda i: ind_txt[i], "area": lambda i: area_txt[i]}
    emit("not_responsible", not_resp & own_area_issue, "area_code", area_txt, **resp_kwargs)
    emit("not_responsible", not_resp & ~own_area_issue, "indicator_code", ind_txt, **resp_kwargs)

    # -- status ---------------------------------------------------------------------------------------
    if status_txt is not None:
        st_map = [STATUS_WORDS.get(fold(s).strip().lower()) for s in status_txt.uniques]
        status_bad = live & status_txt.per_unique([m is None for m in st_map], bool)
        emit("bad_status", status_bad, "status", status_txt)
        status = status_txt.per_unique([m or "O" for m in st_map])
    else:
        status = np.full(n, "O", dtype=object)

    # -- duplicate keys -------------------------------------------------------------------------------
    keyed = live & ~empty_ind & ~empty_area & ~empty_per
    keys = None
    if collect_keys:  # for a check across chunks (see duplicate_keys)
        keys = _frame({"row": rows[keyed], "ind": ind_txt.uniques[ind_txt.codes[keyed]] if keyed.any() else
                       np.zeros(0, dtype=object), "area_id": area_id[keyed],
                       "area_txt": area_txt.uniques[area_f[keyed]] if keyed.any() else np.zeros(0, dtype=object),
                       "per": per_txt.uniques[per_f[keyed]] if keyed.any() else np.zeros(0, dtype=object)})
    if check_duplicates and keyed.any():
        area_key = np.where(area_id >= 0, area_id, -1 - area_f.astype(np.int64))
        frame = pd.DataFrame({"i": ind_txt.codes[keyed], "a": area_key[keyed], "p": per_f[keyed],
                              "row": rows[keyed]})
        dup = frame.duplicated(["i", "a", "p"], keep="first").to_numpy()
        if dup.any():
            first = frame.groupby(["i", "a", "p"], sort=False)["row"].transform("first").to_numpy()
            dup_mask = np.zeros(n, dtype=bool)
            first_row = np.zeros(n, dtype=np.int64)
            kidx = np.flatnonzero(keyed)
            dup_mask[kidx[dup]] = True
            first_row[kidx] = first
            emit("duplicate_key", dup_mask, "indicator_code", lambda i: f"{ind_txt[i]}/{area_txt[i]}/{per_txt[i]}",
                 first=lambda i: int(first_row[i]))

    if "note" in parsed.optional_present:
        long_note = Coded(obs["note"], _text)
        lengths = long_note.per_unique([len(u) for u in long_note.uniques], np.int64)
        emit("too_long", live & (lengths > NOTE_MAX_CHARS), "note", lambda i: long_note[i][:40] + "…",
             length=lambda i: int(lengths[i]), limit=NOTE_MAX_CHARS)
    daily = _validate_daily(parsed.daily_items, received, findings)

    if findings.has_errors:
        empty = pd.DataFrame(columns=ROW_COLUMNS)
        return Validated(empty, daily, n, int(blank.sum()), keys, mappings)
    ok = live
    if "note" in parsed.optional_present:
        note = Coded(obs["note"], _text)
        notes = note.per_unique([None if u == "" else u for u in note.uniques])[ok]
    else:
        notes = np.full(int(ok.sum()), None, dtype=object)
    out = _frame({
        "row": rows[ok],
        "indicator_id": ind_id[ok],
        "area_id": area_id[ok],
        "period": key_u[per_f[ok]],
        "period_start": start_u[per_f[ok]],
        "value": values[ok],
        "status": status[ok],
        "note": notes,
        "flag": np.full(int(ok.sum()), None, dtype=object),
    })
    return Validated(out, daily, n, int(blank.sum()), keys, mappings)


def _once_per_text(mask: np.ndarray, rows: np.ndarray, column: str, texts: Coded, findings: Findings,
                   code: str) -> None:
    """A note ``code`` for the first row of each distinct text among the rows of ``mask``."""
    told: set[str] = set()
    for i in np.flatnonzero(mask):
        if texts[int(i)] not in told:
            told.add(texts[int(i)])
            findings.note(make_issue(code, row=int(rows[i]), column=column, value=texts[int(i)]))


def _table_units(parsed: ParsedFile, cat: Catalogue, rows_of: np.ndarray, ind_txt: Coded, values: np.ndarray,
                 findings: Findings) -> None:
    """A published table's unit against each indicator's: values scaled in place by a known factor
    (warning ``table_unit_scaled``), an unknown unit refused (``table_unit_unknown``), no unit
    stated taken as the indicator's (warning ``table_unit_assumed``)."""
    for k, code in enumerate(ind_txt.uniques):
        ind = cat.indicators.get(code)
        mask = rows_of & (ind_txt.codes == k)
        if ind is None or not mask.any():
            continue
        if not parsed.measure_unit:
            findings.warning(make_issue("table_unit_assumed", unit=ind.unit_vi, indicator=code))
            continue
        f = unit_factor(parsed.measure_unit, ind.unit_vi)
        if f is None and ind.unit_en:
            f = unit_factor(parsed.measure_unit, ind.unit_en)
        if f is None:
            findings.error(make_issue("table_unit_unknown", value=parsed.measure_unit, unit=ind.unit_vi, indicator=code))
        elif f != 1.0:
            values[mask] = values[mask] * f
            findings.warning(make_issue("table_unit_scaled", value=parsed.measure_unit, unit=ind.unit_vi,
                                        indicator=code, factor=f"{f:g}"))


@dataclass(frozen=True)
class AreaRef:
    """What one area cell means for one period: ``area`` (None when refused: ``error`` and its
    message ``params``), ``mapped`` (read from a name), ``backcast`` (a ``CODE@WHEN`` area for a
    period before it existed: its territory back-cast)."""

    area: AreaInfo | None
    error: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    mapped: bool = False
    backcast: bool = False


def _not_valid(end: date, period: str) -> AreaRef:
    return AreaRef(None, "area_not_valid_for_period", {"date": end.isoformat(), "period": period})


def resolve_area_ref(cat: Catalogue, unit: UnitInfo, text: str, end: date, period: str) -> AreaRef:
    """The area cell ``text`` for the period ``period`` ending on ``end``, reported by ``unit``:

    * ``CODE@WHEN``: the area the code designated on that day; for a period before that area
      existed, its territory back-cast (provinces only);
    * a key or official code, read on ``end``; refused (``area_code_changed_meaning``) when the
      unit did not exist on ``end`` and the code meant another area in the unit's own era;
    * a name (:func:`domain.area_refs.match_name`), read on ``end`` with the same era check:
      accepted when it designates one area (``mapped``), else refused with the closest names."""
    try:
        ref = split_ref(text)
    except ValueError:
        return AreaRef(None, "bad_area_ref")
    if ref is not None:
        code, day = _area_text(ref[0]), ref[1]
        area, mapped = cat.resolve_area(code, day), False
        if area is None and not cat.knows_area(code):  # a name, read on that day
            found = match_name(code, cat.names, day, cat.labels)
            if found.kind != "unique" or found.area_key is None:
                return _unknown(cat, code, day, found.suggestion())
            area, mapped = cat.by_key[found.area_key], True
        if area is None:
            return AreaRef(None, "bad_area_ref")
        params = {"label": area.label, "key": area.key}
        if valid_on(area.valid_from, area.valid_to, end):
            return AreaRef(area, mapped=mapped, params=params)
        if area.level == "province" and area.valid_from is not None and end < area.valid_from:
            return AreaRef(area, mapped=mapped, backcast=True, params=params)
        return _not_valid(end, period)
    unit_day = unit_era_day(unit.valid_from, unit.valid_to, end)
    if cat.knows_area(text):
        area = cat.resolve_area(text, end)
        if area is None:
            return _not_valid(end, period)
        theirs = cat.resolve_area(text, unit_day) if unit_day is not None and len(cat.by_code.get(text, ())) > 1 else None
        return _changed(cat, text, area, theirs, unit, unit_day, period) or AreaRef(area)
    found = match_name(text, cat.names, end, cat.labels)
    if found.kind == "unique" and found.area_key is not None:
        area = cat.by_key[found.area_key]
        other = match_name(text, cat.names, unit_day, cat.labels) if unit_day is not None else None
        theirs = cat.by_key.get(other.area_key or "") if other is not None and other.kind == "unique" else None
        changed = _changed(cat, text, area, theirs, unit, unit_day, period)
        return changed or AreaRef(area, mapped=True, params={"label": area.label, "key": area.key})
    if found.kind == "ambiguous":
        return AreaRef(None, "area_name_ambiguous", {"candidates": found.suggestion(5)})
    if found.kind in ("not_in_use", "merged"):
        return AreaRef(None, "area_name_not_in_use", {"period": period, **_hints(found.suggestion())})
    return _unknown(cat, text, end, found.suggestion())


def _hints(suggestion: str) -> dict[str, str]:
    if not suggestion:
        return {"hint_vi": "", "hint_en": ""}
    return {"hint_vi": f" Có phải là {suggestion}?", "hint_en": f" Did you mean {suggestion}?"}


def _unknown(cat: Catalogue, text: str, end: date, suggestion: str = "") -> AreaRef:
    if not suggestion:
        suggestion = match_name(text, cat.names, end, cat.labels).suggestion()
    return AreaRef(None, "unknown_area", _hints(suggestion))


def _changed(cat: Catalogue, text: str, area: AreaInfo, theirs: AreaInfo | None, unit: UnitInfo,
             unit_day: date | None, period: str) -> AreaRef | None:
    """``area_code_changed_meaning`` when ``text`` read in the unit's era (``theirs``) is another
    area than ``area``, read in the period's era."""
    if theirs is None or unit_day is None or theirs.id == area.id:
        return None
    year = str(unit_day.year)
    backcast = f"{theirs.code}@{year}" if cat.resolve_area(theirs.code, date(unit_day.year, 12, 31)) == theirs \
        else f"{theirs.code}@{unit_day.isoformat()}"
    return AreaRef(None, "area_code_changed_meaning", {
        "period": period, "then": area.label, "then_key": area.key, "now": theirs.label, "unit": unit.code,
        "unit_day": unit_day.isoformat(), "backcast": backcast})


def _area_findings(resolved: list[AreaRef], outcome: np.ndarray, rows: np.ndarray, column: str, ind_txt: Coded,
                   area_txt: Coded, findings: Findings, mappings: dict[str, str],
                   exact: Callable[[int], AreaRef]) -> None:
    """Errors (every row of a refused pair; ``exact`` the row's own reading, for its message), and
    one warning (a name read as an area) or note (a back-cast) per distinct cell text; ``mappings``
    records each name read."""
    if not resolved:
        return
    bad = np.array([r.error is not None for r in resolved], dtype=bool)
    has = outcome >= 0
    mask = has & bad[np.where(has, outcome, 0)]
    if mask.any():
        idx = np.flatnonzero(mask)
        issues = []
        for i in idx[: findings.limit]:
            ref = exact(int(i))
            issues.append(make_issue(ref.error or "", row=int(rows[i]), column=column, value=area_txt[i],
                                     indicator=ind_txt[i], **ref.params))
        findings.add("error", issues, len(idx))
    pairs, first = np.unique(outcome[has], return_index=True)
    first_rows = np.flatnonzero(has)[first]
    told: set[str] = set()
    for k, i in zip(pairs, first_rows, strict=True):
        r = resolved[int(k)]
        text = area_txt[int(i)]
        if r.error is not None or text in told or not (r.mapped or r.backcast):
            continue
        told.add(text)
        if r.mapped and r.area is not None:
            mappings[text] = r.area.key
            findings.warning(make_issue("area_name_matched", row=int(rows[i]), column=column, value=text,
                                        indicator=ind_txt[int(i)], **r.params))
        if r.backcast:
            findings.note(make_issue("area_backcast", row=int(rows[i]), column=column, value=text,
                                     indicator=ind_txt[int(i)], **r.params))


def duplicate_keys(keys: list[pd.DataFrame], findings: Findings, column: str) -> None:
    """``duplicate_key`` errors over the keys of several chunks (``Validated.keys``): the same
    indicator, resolved area (or the same unresolved code) and period as an earlier row."""
    frame = pd.concat([k for k in keys if k is not None and len(k)], ignore_index=True) if keys else None
    if frame is None or frame.empty:
        return
    frame["area_key"] = np.where(frame["area_id"].to_numpy() >= 0, "", frame["area_txt"].to_numpy(dtype=object))
    cols = ["ind", "area_id", "area_key", "per"]
    dup = frame.duplicated(cols, keep="first").to_numpy()
    if not dup.any():
        return
    first = frame.groupby(cols, sort=False)["row"].transform("first").to_numpy()
    idx = np.flatnonzero(dup)
    issues = [make_issue("duplicate_key", row=int(frame["row"].iat[i]), column=column,
                         value=f"{frame['ind'].iat[i]}/{frame['area_txt'].iat[i]}/{frame['per'].iat[i]}",
                         indicator=frame["ind"].iat[i], first=int(first[i]))
              for i in idx[: findings.limit]]
    findings.add("error", issues, len(idx))


def _frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """A DataFrame of numpy columns, object columns kept as ``object`` (no string inference)."""
    return pd.DataFrame({k: pd.Series(v, dtype=object if v.dtype == object else v.dtype, copy=False)
                         for k, v in columns.items()}, copy=False)


def _validate_daily(items: list[dict[str, Any]], received: date, findings: Findings) -> list[dict[str, Any]]:
    out = []
    for item in items:
        row = item["row"]
        problems: list[Issue] = []

        def err(code: str, field_name: str, value: Any = None, _row: int = row, _out: list = problems, **params: Any):
            _out.append(make_issue(code, row=_row, column=f"daily_items.{field_name}", value=value, **params))

        raw_date = item.get("date")
        item_date = None
        if raw_date in (None, ""):
            err("empty_cell", "date")
        else:
            try:
                item_date = date.fromisoformat(str(raw_date).strip()[:10])
                if len(str(raw_date).strip()) != 10:
                    raise ValueError
            except ValueError:
                err("bad_date", "date", raw_date)
                item_date = None
            if item_date is not None and item_date > received:
                err("future_date", "date", raw_date, date=received.isoformat())
        texts = {}
        for name in ("category", "title", "body"):
            value = item.get(name)
            value = "" if value is None else str(value).strip()
            texts[name] = value
            if name != "body" and not value:
                err("empty_cell", name)
            elif len(value) > TEXT_LIMITS[name]:
                err("too_long", name, value[:40] + "…", length=len(value), limit=TEXT_LIMITS[name])
        severity = str(item.get("severity") or "").strip().lower()
        if severity not in SEVERITIES:
            err("bad_severity", "severity", item.get("severity"))
        for issue in problems:
            findings.error(issue)
        if not problems:
            out.append({"row": row, "item_date": item_date, "severity": severity, **texts})
    return out


# -- plausibility -----------------------------------------------------------------------------------

_HISTORY_SQL = text(
    """
    SELECT indicator_id, area_id, value FROM (
        SELECT indicator_id, area_id, value,
               ROW_NUMBER() OVER (PARTITION BY indicator_id, area_id ORDER BY period_start DESC) AS rn
        FROM current_observation
        WHERE indicator_id IN :ids AND area_id IN :areas
    ) h WHERE rn <= :n
    """
).bindparams(bindparam("ids", expanding=True), bindparam("areas", expanding=True))
_HISTORY_ALL_AREAS_SQL = text(
    """
    SELECT indicator_id, area_id, value FROM (
        SELECT indicator_id, area_id, value,
               ROW_NUMBER() OVER (PARTITION BY indicator_id, area_id ORDER BY period_start DESC) AS rn
        FROM current_observation
        WHERE indicator_id IN :ids
    ) h WHERE rn <= :n
    """
).bindparams(bindparam("ids", expanding=True))
STATS_COLUMNS = ["count", "median", "mean", "std", "min"]


def history_stats(conn: Connection, indicator_ids: list[int], area_ids: list[int] | None = None) -> pd.DataFrame:
    """Statistics of the latest :data:`HISTORY` current values of each (indicator, area) series
    with at least :data:`MIN_HISTORY` values: index (indicator_id, area_id), columns
    :data:`STATS_COLUMNS`. ``area_ids`` None: every area of those indicators."""
    empty = pd.DataFrame(columns=STATS_COLUMNS, index=pd.MultiIndex.from_arrays([[], []],
                                                                              names=["indicator_id", "area_id"]))
    if not indicator_ids:
        return empty
    if area_ids is None:
        result = conn.execute(_HISTORY_ALL_AREAS_SQL, {"ids": sorted(indicator_ids), "n": HISTORY})
    else:
        result = conn.execute(_HISTORY_SQL, {"ids": sorted(indicator_ids), "areas": sorted(area_ids), "n": HISTORY})
    hist = pd.DataFrame(result.all(), columns=["indicator_id", "area_id", "value"])
    if hist.empty:
        return empty
    stats = hist.groupby(["indicator_id", "area_id"])["value"].agg(STATS_COLUMNS)
    return stats[stats["count"] >= MIN_HISTORY]


def check_plausibility(conn: Connection, rows: pd.DataFrame, cat: Catalogue, findings: Findings,
                       column: str = "value") -> None:
    """Flag values far from their series' history (in place: ``rows.flag``) with a warning each.

    History: the latest :data:`HISTORY` current values of the same indicator and area (at least
    :data:`MIN_HISTORY`). Implausible when more than :data:`Z_MAX` standard deviations from their
    mean, or, for additive indicators (aggregation ``sum``) whose history is all positive, outside
    [median / 10, median × 10]."""
    if rows.empty:
        return
    stats = history_stats(conn, [int(i) for i in pd.unique(rows["indicator_id"])],
                          [int(a) for a in pd.unique(rows["area_id"])])
    flag_implausible(rows, stats, cat, findings, column)


def flag_implausible(rows: pd.DataFrame, stats: pd.DataFrame, cat: Catalogue, findings: Findings,
                     column: str = "value") -> None:
    """The test of :func:`check_plausibility` against precomputed :func:`history_stats`."""
    if rows.empty or stats.empty:
        return
    merged = rows[["indicator_id", "area_id", "value"]].merge(
        stats, how="left", left_on=["indicator_id", "area_id"], right_index=True)
    v = merged["value"].to_numpy(dtype=float)
    med = merged["median"].to_numpy(dtype=float)
    std = merged["std"].to_numpy(dtype=float)
    mean = merged["mean"].to_numpy(dtype=float)
    lo = merged["min"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        z_bad = (std > 0) & (np.abs(v - mean) / std > Z_MAX)
        additive = _additive(merged, cat)
        ratio_bad = additive & (lo > 0) & ((v > med * RATIO_MAX) | (v < med / RATIO_MAX))
    bad = np.nan_to_num(z_bad, nan=False).astype(bool) | np.nan_to_num(ratio_bad, nan=False).astype(bool)
    if not bad.any():
        return
    flags = rows["flag"].to_numpy(dtype=object).copy()
    flags[bad] = "implausible"
    rows["flag"] = flags
    row_nums = rows["row"].to_numpy()
    ind_ids = rows["indicator_id"].to_numpy()
    issues, total = _issues(bad, findings.limit, lambda i: make_issue(
        "implausible_value", row=int(row_nums[i]), column=column, value=float(v[i]), median=float(med[i]),
        indicator=cat.indicator_by_id[int(ind_ids[i])].code))
    findings.add("warning", issues, total)


def _additive(merged: pd.DataFrame, cat: Catalogue) -> np.ndarray:
    f, u = pd.factorize(merged["indicator_id"])
    return np.array([cat.indicator_by_id[int(i)].aggregation == "sum" for i in u], dtype=bool)[f]

