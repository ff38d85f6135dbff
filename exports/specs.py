# size: one spec -> data -> figure function for each of the fourteen exportable chart kinds
"""The registry of exportable chart kinds.

A *spec* is a small JSON-able dict naming a chart: its ``kind`` and that kind's parameters. Every
kind validates its spec (:func:`validate`, no database needed) and builds the chart
(:func:`build`, in a request or app context): the data come from the ``data_access`` function the
pages use, the figure from the ``components`` builder the pages use, so an export shows what the
page shows.

Kinds and their parameters (``?`` = optional, resolved at export time; the resolved spec is kept
in :attr:`ExportChart.spec`):

============  ========================================================================================
``trend``     ``indicator``, ``areas?`` (keys, default ``["VN"]``), ``start?``, ``end?`` (period keys;
              default the latest period and the span the indicator page shows), ``mode?``
              (``value`` | ``yoy``), ``comparable?`` (bool) — :func:`data_access.series_with_change`
``ranking``   ``indicator``, ``period?``, ``level?`` (``province`` | ``region``), ``region?`` (only
              the provinces of one region) — :func:`data_access.queries.cross_section`
``regional``  ``indicator``, ``period?`` — :func:`data_access.queries.regional_aggregates`
``map``       ``indicator``, ``period?``, ``region?`` (framed) — :func:`data_access.queries.cross_section`
              drawn by :func:`components.mapfig.choropleth_figure`
``kpi_tiles`` ``area?`` (default ``VN``), one of ``indicators?`` (codes), ``group?`` (a Decision 293
              group) or ``agency?`` (a ministry's indicators); default the headline set —
              :func:`data_access.queries.kpi_snapshot`
``daily``     ``day?`` (ISO date, default the latest day) — :func:`data_access.daily.daily_indicators`
============  ========================================================================================
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

import pandas as pd
import plotly.graph_objects as go

from components.charts import PALETTE, bar_figure, empty_figure, label_margin, ranking_figure
from components.indicator_charts import series_figure
from components.status import STATUS_COLOUR, STATUS_ICON, STATUS_KEY
from components.tiles import change_text, is_rate, target_is_level, target_steps
from data_access.catalogue import (
    Indicator,
    NotFound,
    agencies,
    area_map,
    dataset,
    get_indicator,
    indicator_groups,
    indicators_frame,
    region_members,
)
from data_access.daily import daily_indicators, latest_day
from data_access.kpis import indicator_target_rows
from data_access.provinces import latest_province_period
from data_access.queries import cross_section, kpi_snapshot, regional_aggregates
from data_access.series import indicator_coverage, series_with_change
from domain.eras import crosses_switch, era_of
from domain.periods import PeriodError, default_start, parse
from exports.figures import Tile, ranking_columns_figure, tiles_figure
from i18n import dataset_mark, fmt_date, fmt_number, fmt_signed, format_period, norm_lang, t

MAX_SPEC_CHARS = 4000
MAX_AREAS = 12
COMPACT_TILES = 24  # more tiles than this are drawn 8 to a row, the status by icon and colour
MAX_INDICATORS = 40  # the largest ministry's set (the statistics office's 38) on one image
LONG_RANKING = 36  # more bars than this are drawn in two columns


class SpecError(ValueError):
    """A spec that cannot be exported; ``field`` names the offending key (None: the whole spec)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def shown_dataset() -> str:
    """The data set of the warehouse (``demo`` outside an app, as in the figure builders' tests)."""
    from flask import has_app_context

    return dataset() if has_app_context() else "demo"


@dataclass(frozen=True)
class Meta:
    """What an exported chart says about itself, in the UI's language."""

    kind: str
    lang: str
    title: str
    unit: str | None
    period: str  # a label: "Tháng 1/2015 – Tháng 11/2026"
    area: str  # a label: "Cả nước, Đồng bằng sông Hồng"
    source: str
    as_of: datetime | None
    notes: tuple[str, ...] = ()
    indicator: Indicator | None = None
    stem: str = "CHART"
    dataset: str = field(default_factory=shown_dataset)  # the data set it shows, read when it is built  # the file name without the export date and extension (ASCII)

    def subtitle(self) -> str:
        parts = [t("exp.unit", self.lang, unit=self.unit) if self.unit else None,
                 t("exp.period", self.lang, period=self.period), t("exp.area", self.lang, area=self.area)]
        return " · ".join(p for p in parts if p)

    def source_line(self) -> str:
        """``Nguồn: … · Số liệu cập nhật: 07:00 26/11/2026 · Dữ liệu minh họa``; a derived
        indicator's says it is computed, with its formula."""
        from i18n import fmt_datetime

        parts = [t("exp.source", self.lang, source=self.source)]
        if self.indicator is not None and self.indicator.computed:
            parts.append(computed_note(self.indicator, self.lang))
        if self.as_of is not None:
            parts.append(f"{t('data.as_of', self.lang)}: {fmt_datetime(self.as_of, self.lang)}")
        parts.append(dataset_mark(self.dataset, self.lang)[0])
        return " · ".join(parts)


def computed_note(ind: Indicator, lang: str) -> str:
    """``Chỉ tiêu tính toán: EXPORTS + IMPORTS``: what an export of a derived indicator says."""
    return f"{t('mark.computed', lang)}: {ind.formula}"


@dataclass(frozen=True)
class Table:
    """The human-readable table of a chart (PDF appendix): formatted cells, numeric columns right-aligned."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    wide: int = 0  # the column of names: it takes the room, wraps if it must; the others never wrap


@dataclass(frozen=True)
class ExportChart:
    spec: dict  # resolved: every default filled in
    figure: go.Figure  # the page's figure, in the UI's language (not yet decorated for export)
    data: pd.DataFrame  # exactly the query's frame (plus label columns named in ``added_columns``)
    meta: Meta
    table: Table
    added_columns: tuple[str, ...] = ()
    decimals: int | None = None  # of the indicator's values (None: several indicators)

    def __post_init__(self) -> None:
        if isinstance(self.figure, dict):  # the UI's builders give the JSON form: the object from here on
            object.__setattr__(self, "figure", go.Figure(self.figure))


@dataclass(frozen=True)
class Kind:
    name: str
    fields: dict[str, Callable[[object, str], object]]  # key → validator(value, key) returning the clean value
    required: tuple[str, ...]
    build: Callable[[dict, str], ExportChart]
    label: Callable[[dict, str], str] = field(default=lambda spec, lang: spec["kind"])


KINDS: dict[str, Kind] = {}


def kind(name: str, *, fields: dict, required: tuple[str, ...] = (), label=None):
    """Register the builder of a chart kind."""

    def register(fn: Callable[[dict, str], ExportChart]):
        KINDS[name] = Kind(name, {"kind": _text, **fields}, ("kind", *required), fn,
                           label or (lambda spec, lang: name))
        return fn

    return register


# --- validation (no database) ----------------------------------------------------------------------


def _text(value, key: str, max_len: int = 40) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise SpecError(f"{key} must be a non-empty string of at most {max_len} characters", key)
    return value.strip()


def _code(value, key: str) -> str:
    text = _text(value, key)
    if not all(c.isalnum() or c in "_-" for c in text):
        raise SpecError(f"{key} must be a code (letters, digits, _ and -)", key)
    return text


def _period(value, key: str) -> str:
    text = _text(value, key, 10)
    try:
        return parse(text).key
    except PeriodError as exc:
        raise SpecError(str(exc), key) from None


def _day(value, key: str) -> str:
    text = _text(value, key, 10)
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise SpecError(f"{key} must be a date YYYY-MM-DD", key) from None


def _codes(max_n: int):
    def check(value, key: str) -> list[str]:
        if isinstance(value, str):
            value = [v for v in value.split(",") if v]
        if not isinstance(value, list) or not value or len(value) > max_n:
            raise SpecError(f"{key} must be a list of 1 to {max_n} codes", key)
        return list(dict.fromkeys(_code(v, key) for v in value))

    return check


def _choice(*options: str):
    def check(value, key: str) -> str:
        if value not in options:
            raise SpecError(f"{key} must be one of {', '.join(options)}", key)
        return value

    return check


def _bool(value, key: str) -> bool:
    if not isinstance(value, bool):
        raise SpecError(f"{key} must be true or false", key)
    return value


def validate(raw) -> dict:
    """The clean spec (keys checked, values typed and normalised) or :class:`SpecError`.
    ``raw`` is a dict or its JSON text."""
    if isinstance(raw, (str, bytes)):
        if len(raw) > MAX_SPEC_CHARS:
            raise SpecError(f"spec longer than {MAX_SPEC_CHARS} characters")
        try:
            raw = json.loads(raw)
        except ValueError:
            raise SpecError("spec is not valid JSON") from None
    if not isinstance(raw, dict):
        raise SpecError("spec must be a JSON object")
    name = raw.get("kind")
    if name not in KINDS:
        raise SpecError(f"kind must be one of {', '.join(sorted(KINDS))}", "kind")
    k = KINDS[name]
    unknown = sorted(set(raw) - set(k.fields))
    if unknown:
        raise SpecError(f"unknown key(s) for {name}: {', '.join(unknown)}", unknown[0])
    missing = [key for key in k.required if raw.get(key) in (None, "")]
    if missing:
        raise SpecError(f"missing {missing[0]}", missing[0])
    return {key: k.fields[key](value, key) for key, value in raw.items() if value is not None}


def build(raw, lang: str | None = "vi") -> ExportChart:
    """Validate and build a chart (needs an app context: it reads the warehouse). Unknown codes,
    keys or periods that do not fit the indicator raise :class:`SpecError`."""
    spec = validate(raw)
    try:
        return KINDS[spec["kind"]].build(spec, norm_lang(lang))
    except NotFound as exc:
        raise SpecError(f"unknown {exc.args[0] if exc.args else 'code'}", "indicator") from None


def describe(raw, lang: str | None = "vi") -> str:
    """A short title of the chart a spec names (for the basket), without reading observations."""
    spec = validate(raw)
    try:
        return KINDS[spec["kind"]].label(spec, norm_lang(lang))
    except NotFound as exc:
        raise SpecError(f"unknown {exc.args[0] if exc.args else 'code'}", "indicator") from None


# --- spec transport ---------------------------------------------------------------------------------


def encode_spec(spec: dict) -> str:
    """Compact, URL-safe text of a spec (base64url of its JSON, no padding)."""
    text = json.dumps(spec, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_spec(text: str) -> dict | str:
    """The spec from :func:`encode_spec` text, or plain JSON text (left to :func:`validate`)."""
    text = (text or "").strip()
    if text.startswith(("{", "[")):
        return text
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (binascii.Error, ValueError):
        raise SpecError("spec is neither JSON nor base64url JSON") from None


def encode_pack(title: str, specs: list[dict]) -> str:
    """A whole pack in one URL-safe parameter (zlib + base64url of ``{"t": title, "s": specs}``)."""
    text = json.dumps({"t": title, "s": specs}, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")


def decode_pack(text: str) -> tuple[str, list]:
    try:
        raw = zlib.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), bufsize=1 << 16)
        data = json.loads(raw[:200_000])
    except (binascii.Error, ValueError, zlib.error):
        raise SpecError("pack is not zlib+base64url JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("s"), list):
        raise SpecError("pack must be {\"t\": title, \"s\": [specs]}")
    return str(data.get("t") or ""), data["s"]


# --- helpers shared by the kinds ----------------------------------------------------------------------


def _indicator(spec: dict) -> Indicator:
    return get_indicator(spec["indicator"])


def _check_period(ind: Indicator, key: str, name: str) -> str:
    if parse(key).periodicity != ind.periodicity:
        raise SpecError(f"{name} {key} is not a period of {ind.code} (periodicity {ind.periodicity})", name)
    return key


def _provincial(ind: Indicator) -> None:
    if not ind.provincial:
        raise SpecError(f"{ind.code} has no provincial data", "indicator")


def _latest_provincial(ind: Indicator, spec: dict) -> str:
    if spec.get("period"):
        return _check_period(ind, spec["period"], "period")
    latest = latest_province_period(ind.code)
    if latest is None:
        raise SpecError(f"{ind.code} has no provincial data yet", "period")
    return latest


def _region(spec: dict, when: date) -> str | None:
    key = spec.get("region")
    if key is None:
        return None
    if key not in region_members(when):
        raise SpecError(f"region {key} does not exist in that period", "region")
    return key


def _notes(df: pd.DataFrame, lang: str) -> list[str]:
    out = []
    if "status" in df and df["status"].eq("P").any():
        out.append(t("exp.note.provisional", lang))
    if "revision" in df and (pd.to_numeric(df["revision"], errors="coerce").fillna(0) > 0).any():
        out.append(t("exp.note.revised", lang))
    return out


def _as_of(df: pd.DataFrame, column: str, fallback: datetime | None = None) -> datetime | None:
    if column in df and df[column].notna().any():
        value = pd.to_datetime(df[column]).max()
        return value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    return fallback


def _status_text(code, lang: str) -> str:
    return {"P": t("mark.provisional", lang), "O": t("exp.status.official", lang),
            "E": t("exp.status.estimated", lang)}.get(code, "") if isinstance(code, str) else ""


def _num(value, decimals: int, lang: str) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA \
        else fmt_number(float(value), decimals, lang)


def _period_stem(key: str) -> str:
    p = parse(key)
    return f"{p.year:04d}-{p.index:02d}" if p.periodicity == "M" else p.key


def _area_stem(keys) -> str:
    keys = list(keys)
    return "-".join(keys[:3]) + (f"-and-{len(keys) - 3}-more" if len(keys) > 3 else "")


def _level_name(level: str, lang: str) -> str:
    return t("exp.level.province" if level == "province" else "exp.level.region", lang)


# --- trend ---------------------------------------------------------------------------------------------


def _trend_label(spec: dict, lang: str) -> str:
    ind = _indicator(spec)
    amap = area_map()
    areas = ", ".join(amap[k].name(lang) if k in amap else k for k in spec.get("areas", ["VN"]))
    span = ""
    if spec.get("start") and spec.get("end"):
        span = " · " + t("exp.range", lang, first=format_period(spec["start"], lang),
                         last=format_period(spec["end"], lang))
    title = t("exp.title.trend_yoy", lang, name=ind.name(lang)) if spec.get("mode") == "yoy" else ind.name(lang)
    return f"{title} · {areas}{span}"


@kind("trend", fields={"indicator": _code, "areas": _codes(MAX_AREAS), "start": _period, "end": _period,
                       "mode": _choice("value", "yoy"), "comparable": _bool},
      required=("indicator",), label=_trend_label)
def _trend(spec: dict, lang: str) -> ExportChart:
    from components.controls import area_label

    ind = _indicator(spec)
    cov = indicator_coverage(ind.code)
    if cov.last_period is None:
        raise SpecError(f"{ind.code} has no data yet", "indicator")
    end = _check_period(ind, spec.get("end") or cov.last_period, "end")
    start = spec.get("start") or default_start(parse(end)).key
    _check_period(ind, start, "start")
    start, end = sorted((start, end), key=lambda k: parse(k).start)
    amap = area_map()
    areas = tuple(spec.get("areas") or ("VN",))
    for key in areas:
        area = amap.get(key)
        if area is None:
            raise SpecError(f"unknown area {key}", "areas")
        if area.level != "nation" and not ind.provincial:
            raise SpecError(f"{ind.code} is reported nationally only", "areas")
    mode = spec.get("mode", "value")
    comparable = bool(spec.get("comparable")) and ind.provincial
    df = series_with_change(ind.code, areas, start, end, comparable)
    crossing = crosses_switch(start, end)
    shown = list(df["area_key"].unique()) if not df.empty else list(areas)
    names = {k: area_label(amap[k], lang, eras=crossing and not comparable) for k in shown if k in amap}
    rate = is_rate(ind.unit_vi)
    negative = not df.empty and (df["value"].dropna() < 0).any()
    if mode == "yoy":
        kind_ = "pp" if rate else "abs" if negative else "pct"
        unit = {"pp": t("exp.pp", lang), "abs": ind.unit(lang), "pct": "%"}[kind_]
        view = df.assign(change_shown=df["change"] if kind_ != "pct" else df["change_pct"]) if not df.empty else df
        figure = series_figure(view, "change_shown", names=names, unit=unit, decimals=1 if kind_ != "abs" else ind.decimals,
                               lang=lang, zero_line=True, era_break=crossing and any(k != "VN" for k in areas)) \
            if not df.empty else empty_figure(lang)
        title = t("exp.title.trend_yoy", lang, name=ind.name(lang))
    else:
        unit = ind.unit(lang)
        targets = None
        if "VN" in areas and target_is_level(ind):
            targets = target_steps(indicator_target_rows(ind.code, "VN"))
        figure = series_figure(df, "value", names=names, unit=unit, decimals=ind.decimals, lang=lang, targets=targets,
                               era_break=crossing and any(k != "VN" for k in areas)) if not df.empty \
            else empty_figure(lang)
        title = ind.name(lang)
    data = df.copy()
    data.insert(1, "area_name", [names.get(k, k) for k in data["area_key"]])
    data.insert(3, "period_label", [format_period(p, lang) for p in data["period"]])
    notes = _notes(df, lang)
    if crossing and any(amap[k].level != "nation" for k in areas):
        notes.append(t("exp.note.era", lang))
    if comparable:
        notes.append(t("exp.note.comparable", lang))
    rows = tuple((r.area_name, r.period_label, _num(r.value, ind.decimals, lang),
                  _num(r.last_year_value, ind.decimals, lang),
                  "" if r.change_pct != r.change_pct else fmt_signed(r.change_pct, 1, lang) + "%",
                  _status_text(r.status, lang)) for r in data.itertuples())
    table = Table((t("exp.col.area_name", lang), t("exp.col.period", lang), t("exp.col.value", lang) + f" ({ind.unit(lang)})",
                   t("exp.col.last_year_value", lang), t("exp.col.change_pct", lang), t("exp.col.status", lang)),
                  rows, (False, False, True, True, True, False))
    meta = Meta(
        kind="trend", lang=lang, title=title, unit=unit,
        period=t("exp.range", lang, first=format_period(start, lang), last=format_period(end, lang)),
        area=", ".join(amap[k].name(lang) for k in areas), source=ind.agency(lang), as_of=cov.updated_at,
        notes=tuple(notes), indicator=ind,
        stem=f"{ind.code}_{_area_stem(areas)}_{_period_stem(start)}_{_period_stem(end)}" + ("_YOY" if mode == "yoy" else ""),
    )
    resolved = {**spec, "areas": list(areas), "start": start, "end": end}
    return ExportChart(resolved, figure, data, meta, table, ("area_name", "period_label"), ind.decimals)


# --- ranking / cross-section ---------------------------------------------------------------------------------


def _xs_table(xs: pd.DataFrame, ind: Indicator, lang: str, *, with_region: bool = True) -> Table:
    amap = area_map()
    name_col = "name_en" if lang == "en" else "name_vi"
    rows = tuple((str(r["rank"]) if not pd.isna(r["rank"]) else "–", r[name_col],
                  *( (amap[r["region_key"]].name(lang) if r["region_key"] in amap else "",) if with_region else ()),
                  _num(r["value"], ind.decimals, lang) or t("map.no_report", lang), _status_text(r["status"], lang))
                 for _, r in xs.iterrows())
    headers = (t("exp.col.rank", lang), t("exp.col.area_name", lang),
               *((t("exp.col.region_key", lang),) if with_region else ()),
               t("exp.col.value", lang) + f" ({ind.unit(lang)})", t("exp.col.status", lang))
    numeric = (True, False, *((False,) if with_region else ()), True, False)
    return Table(headers, rows, numeric, wide=1)


def _ranking_label(spec: dict, lang: str) -> str:
    ind = _indicator(spec)
    level = spec.get("level", "province")
    title = t("exp.title.ranking", lang, name=ind.name(lang), level=_level_name(level, lang))
    return title + (f" · {format_period(spec['period'], lang)}" if spec.get("period") else "")


@kind("ranking", fields={"indicator": _code, "period": _period, "level": _choice("province", "region"),
                         "region": _code},
      required=("indicator",), label=_ranking_label)
def _ranking(spec: dict, lang: str) -> ExportChart:
    ind = _indicator(spec)
    _provincial(ind)
    period = _latest_provincial(ind, spec)
    level = spec.get("level", "province")
    if level == "region" and ind.aggregation == "none":
        raise SpecError(f"{ind.code} is not aggregated by region", "level")
    region = _region(spec, parse(period).end) if level == "province" else None
    xs = cross_section(ind.code, period, level)
    if region:
        xs = xs[xs["region_key"] == region].reset_index(drop=True)
    name_col = "name_en" if lang == "en" else "name_vi"
    n = int(xs["value"].notna().sum())
    if n > LONG_RANKING:  # the 63 provinces: two columns, so every name stays readable at 1080 px
        figure = ranking_columns_figure(xs, name_col=name_col, unit=ind.unit(lang), decimals=ind.decimals, lang=lang)
    else:
        figure = go.Figure(ranking_figure(xs, name_col=name_col, unit=ind.unit(lang), decimals=ind.decimals,
                                          lang=lang))  # adjusted below: the object
        if figure.data:
            size = max(11, min(18, int(740 / max(n, 1) * 0.62)))
            figure.update_yaxes(tickfont={"size": size}, dtick=1)
            figure.update_traces(textfont={"size": size})
            figure.update_xaxes(tickformat=f",.{ind.decimals}~f")
    if figure.data:  # names' room measured here: Plotly's automargin would shift the export's left edge
        figure.update_yaxes(automargin=False)
        figure.update_layout(margin={"l": label_margin(figure.data[0].y, figure.layout.yaxis.tickfont.size or 13)})
    amap = area_map()
    missing = int(xs["value"].isna().sum())
    notes = _notes(xs, lang)
    if missing:
        notes.append(t("exp.note.not_reported", lang, n=missing, total=len(xs)))
    area = amap[region].name(lang) if region else t("exp.area.all_" + level, lang)
    meta = Meta(
        kind="ranking", lang=lang, title=t("exp.title.ranking", lang, name=ind.name(lang), level=_level_name(level, lang)),
        unit=ind.unit(lang), period=format_period(period, lang), area=area, source=ind.agency(lang),
        as_of=_as_of(xs, "recorded_at", indicator_coverage(ind.code).updated_at), notes=tuple(notes),
        indicator=ind,
        stem=f"{ind.code}_{(region + '-') if region else ''}{'PROVINCES' if level == 'province' else 'REGIONS'}"
             f"_{_period_stem(period)}",
    )
    resolved = {**spec, "period": period, "level": level}
    return ExportChart(resolved, figure, xs, meta, _xs_table(xs, ind, lang, with_region=level == "province"),
                       decimals=ind.decimals)


# --- regional aggregates ---------------------------------------------------------------------------------------


def _regional_label(spec: dict, lang: str) -> str:
    ind = _indicator(spec)
    title = t("exp.title.regional", lang, name=ind.name(lang))
    return title + (f" · {format_period(spec['period'], lang)}" if spec.get("period") else "")


@kind("regional", fields={"indicator": _code, "period": _period}, required=("indicator",), label=_regional_label)
def _regional(spec: dict, lang: str) -> ExportChart:
    ind = _indicator(spec)
    _provincial(ind)
    if ind.aggregation == "none":
        raise SpecError(f"{ind.code} is not aggregated by region", "indicator")
    period = _latest_provincial(ind, spec)
    agg = regional_aggregates(ind.code, period)
    name_col = "name_en" if lang == "en" else "name_vi"
    colours = [PALETTE[0] if c else "#9ecae1" for c in agg["complete"]]
    figure = bar_figure(list(agg[name_col]), [float(v) for v in agg["value"]], unit=ind.unit(lang),
                        decimals=ind.decimals, lang=lang, colors=colours)
    notes = []
    if not agg.empty and not agg["complete"].all():
        notes.append(t("exp.note.incomplete", lang))
    rows = tuple((r[name_col], _num(r["value"], ind.decimals, lang), f"{r['n_reported']}/{r['n_provinces']}",
                  t("exp.yes", lang) if r["complete"] else t("exp.no", lang)) for _, r in agg.iterrows())
    table = Table((t("exp.col.region_key", lang), t("exp.col.value", lang) + f" ({ind.unit(lang)})",
                   t("exp.col.n_reported", lang), t("exp.col.complete", lang)), rows, (False, True, True, False))
    meta = Meta(
        kind="regional", lang=lang, title=t("exp.title.regional", lang, name=ind.name(lang)), unit=ind.unit(lang),
        period=format_period(period, lang), area=t("exp.area.all_region", lang), source=ind.agency(lang),
        as_of=indicator_coverage(ind.code).updated_at, notes=tuple(notes), indicator=ind,
        stem=f"{ind.code}_REGIONS_{_period_stem(period)}",
    )
    return ExportChart({**spec, "period": period}, figure, agg, meta, table, decimals=ind.decimals)


# --- map ---------------------------------------------------------------------------------------------------------


def _map_label(spec: dict, lang: str) -> str:
    ind = _indicator(spec)
    title = t("exp.title.map", lang, name=ind.name(lang))
    return title + (f" · {format_period(spec['period'], lang)}" if spec.get("period") else "")


@kind("map", fields={"indicator": _code, "period": _period, "region": _code}, required=("indicator",),
      label=_map_label)
def _map(spec: dict, lang: str) -> ExportChart:
    ind = _indicator(spec)
    _provincial(ind)
    period = _latest_provincial(ind, spec)
    when = parse(period).end
    region = _region(spec, when)
    xs = cross_section(ind.code, period, "province")
    focus = tuple(region_members(when)[region]) if region else ()
    try:
        from components.mapfig import choropleth_figure
    except ImportError:  # the map builder is optional: a ranking says the same
        choropleth_figure = None
    if choropleth_figure is not None:
        figure = choropleth_figure(xs, era_of(when), lang=lang, unit=ind.unit(lang), decimals=ind.decimals, focus=focus)
    else:
        figure = ranking_figure(xs, name_col="name_en" if lang == "en" else "name_vi", unit=ind.unit(lang),
                                decimals=ind.decimals, lang=lang)
    missing = int(xs["value"].isna().sum())
    notes = _notes(xs, lang)
    if missing:
        notes.append(t("exp.note.not_reported", lang, n=missing, total=len(xs)))
    amap = area_map()
    meta = Meta(
        kind="map", lang=lang, title=t("exp.title.map", lang, name=ind.name(lang)), unit=ind.unit(lang),
        period=format_period(period, lang), area=amap[region].name(lang) if region else t("exp.area.all_province", lang),
        source=ind.agency(lang), as_of=_as_of(xs, "recorded_at", indicator_coverage(ind.code).updated_at),
        notes=tuple(notes), indicator=ind, stem=f"{ind.code}_{(region + '-') if region else ''}MAP_{_period_stem(period)}",
    )
    return ExportChart({**spec, "period": period}, figure, xs, meta, _xs_table(xs, ind, lang), decimals=ind.decimals)


# --- headline KPI set ------------------------------------------------------------------------------------------------

KPI_COLUMNS = ["code", "name", "unit", "period", "value", "status", "revised", "flagged", "previous_period",
               "previous_value", "change_previous", "pct_previous", "last_year_period", "last_year_value",
               "change_last_year", "pct_last_year", "ytd", "ytd_last_year", "target", "target_max", "target_comparison",
               "target_source", "target_progress", "target_status", "updated_at"]


def _tile_set(spec: dict, lang: str) -> tuple[tuple[str, ...], str, str]:
    """(codes, title, file-name part) of a tile set: the codes given, a Decision 293 group, a
    ministry's indicators, else the headline set."""
    if spec.get("indicators"):
        headline = all(get_indicator(c).headline is not None for c in spec["indicators"])
        return tuple(spec["indicators"]), t("exp.title.kpi" if headline else "exp.title.kpi_selected", lang), \
            "HEADLINE" if headline else "SELECTED"
    for key, table, title in (("group", indicator_groups, None), ("agency", agencies, "exp.title.kpi_agency")):
        code = spec.get(key)
        if not code:
            continue
        found = table()
        row = found[found["code"] == code]
        if row.empty:
            raise SpecError(f"unknown {key} {code}", key)
        frame = indicators_frame(**{key: code})
        name = row.iloc[0]["name_en" if lang == "en" else "name_vi"]
        shown = t(title, lang, **{key: name}) if title else name
        return tuple(frame["code"]) if not frame.empty else (), shown, f"{key.upper()}-{code}"
    headline = indicators_frame(headline=True)
    return (tuple(headline["code"]) if not headline.empty else ()), t("exp.title.kpi", lang), "HEADLINE"


def _kpi_label(spec: dict, lang: str) -> str:
    amap = area_map()
    area = amap[spec["area"]].name(lang) if spec.get("area") in amap else amap["VN"].name(lang)
    return f"{_tile_set(spec, lang)[1]} · {area}"


def kpi_frame(kpis, lang: str) -> pd.DataFrame:
    """The KPI snapshot as a frame (:data:`KPI_COLUMNS`): every field of :class:`data_access.queries.Kpi`
    but the sparkline, with the indicator's name and unit in ``lang``."""
    rows = []
    for k in kpis:
        ind = get_indicator(k.code)
        d = asdict(k)
        rows.append({**{c: d.get(c) for c in KPI_COLUMNS}, "name": ind.name(lang), "unit": ind.unit(lang)})
    return pd.DataFrame(rows, columns=KPI_COLUMNS)


@kind("kpi_tiles", fields={"area": _code, "indicators": _codes(MAX_INDICATORS), "group": _code, "agency": _code},
      label=_kpi_label)
def _kpi_tiles(spec: dict, lang: str) -> ExportChart:
    amap = area_map()
    area_key = spec.get("area", "VN")
    area = amap.get(area_key)
    if area is None or area.level == "region":
        raise SpecError(f"area {area_key} has no KPI tiles (the nation or a province)", "area")
    if sum(1 for k in ("indicators", "group", "agency") if spec.get(k)) > 1:
        raise SpecError("give one of indicators, group or agency", "indicators")
    codes, title, stem = _tile_set(spec, lang)
    if not codes:
        raise SpecError("no indicator to show", "indicators")
    if len(codes) > MAX_INDICATORS:
        raise SpecError(f"at most {MAX_INDICATORS} indicators in a tile set ({len(codes)} given)", "indicators")
    inds = [get_indicator(c) for c in codes]
    kpis = kpi_snapshot(codes, area_key)
    data = kpi_frame(kpis, lang)
    compact = len(codes) > COMPACT_TILES
    tiles = []
    for k, ind in zip(kpis, inds, strict=True):
        if k.value is None:
            tiles.append(Tile(ind.name(lang), "–", "", [(t("empty.no_data", lang), STATUS_COLOUR[None])], STATUS_COLOUR[None]))
            continue
        marks = [t("mark.computed", lang)] if ind.computed else []
        marks += [t("mark.provisional", lang)] if k.status == "P" else []
        marks += [t("mark.revised", lang)] if k.revised else []
        lines = [(" · ".join([format_period(k.period, lang), *marks]), "#4a5565")]
        change = change_text(k, ind, "last_year", lang)
        status = k.target_status
        if compact:  # two lines: the status by its icon and colour, named in the legend below
            lines.append((f"{STATUS_ICON[status]} {change or ''} {t('kpi.vs_last_year', lang) if change else ''}".strip(),
                          STATUS_COLOUR[status]))
        else:
            if change:
                lines.append((f"{change} {t('kpi.vs_last_year', lang)}", "#18202b"))
            lines.append((f"{STATUS_ICON[status]} {t(STATUS_KEY[status], lang)}", STATUS_COLOUR[status]))
        tiles.append(Tile(ind.name(lang), fmt_number(k.value, ind.decimals, lang), ind.unit(lang), lines,
                          STATUS_COLOUR[status]))
    figure = tiles_figure(tiles, lang=lang) if tiles else empty_figure(lang)
    notes = []
    if (data["status"] == "P").any():
        notes.append(t("exp.note.provisional", lang))
    if data["revised"].fillna(False).astype(bool).any():
        notes.append(t("exp.note.revised", lang))
    notes.append(t("exp.note.target_rule", lang))
    notes += [f"{computed_note(ind, lang)} ({ind.name(lang)})" for ind in inds if ind.computed]
    if compact:
        notes.append(" · ".join(f"{STATUS_ICON[s]} {t(STATUS_KEY[s], lang)}" for s in STATUS_KEY))
    agencies = {i.agency(lang) for i in inds}
    rows = tuple((ind.name(lang), format_period(k.period, lang) if k.period else "", _num(k.value, ind.decimals, lang),
                  ind.unit(lang), change_text(k, ind, "previous", lang) or "" if k.value is not None else "",
                  change_text(k, ind, "last_year", lang) or "" if k.value is not None else "",
                  _num(k.target, ind.decimals, lang), t(STATUS_KEY[k.target_status], lang))
                 for k, ind in zip(kpis, inds, strict=True))
    table = Table((t("exp.col.name", lang), t("exp.col.period", lang), t("exp.col.value", lang), t("exp.col.unit", lang),
                   t("kpi.vs_previous", lang), t("kpi.vs_last_year", lang), t("exp.col.target", lang),
                   t("exp.col.target_status", lang)), rows, (False, False, True, False, True, True, True, False))
    meta = Meta(
        kind="kpi_tiles", lang=lang, title=title, unit=None,
        period=t("exp.period.latest_each", lang), area=area.name(lang),
        source=agencies.pop() if len(agencies) == 1 else t("exp.source.many", lang),
        as_of=_as_of(data, "updated_at"), notes=tuple(notes), stem=f"{stem}_{area_key}",
    )
    return ExportChart({**spec, "area": area_key}, figure, data, meta, table)


# --- daily indicators ----------------------------------------------------------------------------------------------


def _daily_label(spec: dict, lang: str) -> str:
    day = spec.get("day")
    return t("exp.title.daily", lang) + (f" · {fmt_date(date.fromisoformat(day), lang)}" if day else "")


@kind("daily", fields={"day": _day}, label=_daily_label)
def _daily(spec: dict, lang: str) -> ExportChart:
    day = date.fromisoformat(spec["day"]) if spec.get("day") else latest_day()
    if day is None:
        raise SpecError("there are no daily figures yet", "day")
    df = daily_indicators(day)
    tiles = []
    for r in df.itertuples():
        name = r.name_en if lang == "en" else r.name_vi
        unit = r.unit_en if lang == "en" else r.unit_vi
        if r.value != r.value:
            tiles.append(Tile(name, "–", "", [(t("empty.no_data", lang), STATUS_COLOUR[None])], STATUS_COLOUR[None]))
            continue
        lines = []
        for pct, label in ((r.pct_day, "daily.vs_yesterday"), (r.pct_week, "daily.vs_week")):
            text = "–" if pct != pct else fmt_signed(pct, 1, lang) + "%"
            good = r.direction != "neutral" and pct == pct and abs(pct) >= 0.05 and (pct > 0) == (r.direction == "up")
            bad = r.direction != "neutral" and pct == pct and abs(pct) >= 0.05 and not good
            lines.append((f"{text} {t(label, lang)}", STATUS_COLOUR["on_track"] if good else STATUS_COLOUR["off_track"] if bad else "#4a5565"))
        if r.status == "P":
            lines.append((t("mark.provisional", lang), STATUS_COLOUR["at_risk"]))
        tiles.append(Tile(name, fmt_number(r.value, int(r.decimals), lang), unit, lines, "#0b5cad"))
    figure = tiles_figure(tiles, lang=lang) if tiles else empty_figure(lang)
    updated = [indicator_coverage(c).updated_at for c in df["code"]]
    updated = [u for u in updated if u is not None]
    rows = tuple(((r.name_en if lang == "en" else r.name_vi), _num(r.value, int(r.decimals), lang),
                  r.unit_en if lang == "en" else r.unit_vi,
                  "" if r.pct_day != r.pct_day else fmt_signed(r.pct_day, 1, lang) + "%",
                  "" if r.pct_week != r.pct_week else fmt_signed(r.pct_week, 1, lang) + "%") for r in df.itertuples())
    table = Table((t("exp.col.name", lang), t("exp.col.value", lang), t("exp.col.unit", lang),
                   t("daily.vs_yesterday", lang), t("daily.vs_week", lang)), rows, (False, True, False, True, True))
    meta = Meta(
        kind="daily", lang=lang, title=t("exp.title.daily", lang), unit=None, period=fmt_date(day, lang),
        area=area_map()["VN"].name(lang), source=t("exp.source.many", lang), as_of=max(updated) if updated else None,
        notes=tuple(_notes(df, lang)), stem=f"DAILY_VN_{day.isoformat()}",
    )
    return ExportChart({**spec, "day": day.isoformat()}, figure, df, meta, table)

from exports import direction_specs  # noqa: E402,F401 - registers the directions' measures (after every name it uses)
