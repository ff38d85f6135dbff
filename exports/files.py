"""Files of one chart: images through the export browser, the data as CSV and XLSX, and names
that say what a file holds (``EXPORTS_VN_2015-01_2026-11_2026-11-29.png``, ASCII only)."""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime

import pandas as pd

from domain.text import unaccent
from exports import sheets
from exports.figures import HEIGHT, WIDTH, decorate
from exports.specs import ExportChart
from i18n import MESSAGES, dataset_mark, fmt_datetime, t

IMAGE_FORMATS = ("png", "svg", "pdf")
DATA_FORMATS = ("csv", "xlsx")
FORMATS = IMAGE_FORMATS + DATA_FORMATS
PNG_SCALE = 2  # 1920x1080 at scale 2: 3840x2160 pixels
MIME = {
    "png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def ascii_slug(text: str, max_len: int = 60) -> str:
    """``Báo cáo giao ban`` → ``Bao-cao-giao-ban``: letters, digits, ``-`` and ``_`` only."""
    text = re.sub(r"[^A-Za-z0-9_-]+", "-", unaccent(text)).strip("-_")
    return re.sub(r"-{2,}", "-", text)[:max_len].strip("-_") or "export"


def filename(chart: ExportChart, fmt: str, today: date | None = None) -> str:
    """``<stem>_<export date>.<fmt>``, e.g. ``EXPORTS_VN_2015-01_2026-11_2026-11-29.png``."""
    return f"{ascii_slug(chart.meta.stem, 120)}_{(today or date.today()).isoformat()}.{fmt}"


def image(chart: ExportChart, fmt: str, renderer=None) -> bytes:
    """PNG (3840x2160), SVG or PDF of the decorated figure."""
    from exports.render import renderer as default_renderer

    fig = decorate(chart.figure, chart.meta)
    return (renderer or default_renderer()).image(fig, fmt, width=WIDTH, height=HEIGHT,
                                                  scale=PNG_SCALE if fmt == "png" else 1)


# --- data files ---------------------------------------------------------------------------------------------


def column_label(column: str, lang: str) -> str:
    key = f"exp.col.{column}"
    return t(key, lang) if key in MESSAGES else column


def _cell(value):
    """A value openpyxl and csv write as what it is: numbers as numbers, dates as dates, missing as empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


def records(df: pd.DataFrame) -> list[list]:
    return [[_cell(v) for v in row] for row in df.itertuples(index=False, name=None)]


def chart_csv(chart: ExportChart) -> bytes:
    """UTF-8 with a BOM (Excel then reads Vietnamese correctly), comma-separated, a header of
    column labels in the UI's language, numbers with a dot and full precision, ISO dates; written
    by :func:`exports.sheets.csv_bytes` (no text cell starts a formula)."""
    header = [column_label(c, chart.meta.lang) for c in chart.data.columns]
    return sheets.csv_bytes([header, *records(chart.data)])


def chart_xlsx(chart: ExportChart) -> bytes:
    """A data sheet (typed numbers and dates, header frozen, filter) and a metadata sheet:
    indicator, definition, unit, source, period, area, "as of", notes, "Dữ liệu minh họa";
    written by :func:`exports.sheets.xlsx_bytes` (no text cell starts a formula)."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    lang = chart.meta.lang
    meta = chart.meta
    wb = sheets.workbook()
    ws = wb.active
    ws.title = t("exp.sheet.data", lang)
    columns = list(chart.data.columns)
    sheets.append(ws, [column_label(c, lang) for c in columns])
    head_font, head_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="A3162B")
    for cell in ws[1]:
        cell.font, cell.fill = head_font, head_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in records(chart.data):
        sheets.append(ws, row)
    number_format = "#,##0" + ("." + "0" * chart.decimals if chart.decimals else "") if chart.decimals is not None \
        else "#,##0.####"
    for j, column in enumerate(columns, start=1):
        letter = get_column_letter(j)
        sample = chart.data[column].dropna()
        first = _cell(sample.iloc[0]) if len(sample) else None
        fmt = None
        if isinstance(first, datetime):
            fmt = "yyyy-mm-dd hh:mm"
        elif isinstance(first, date):
            fmt = "yyyy-mm-dd"
        elif isinstance(first, float) and column in ("value", "last_year_value", "change", "previous_value",
                                                     "change_previous", "last_year_value", "change_last_year",
                                                     "ytd", "ytd_last_year", "target", "target_progress",
                                                     "previous_day", "change_day", "week_ago", "change_week"):
            fmt = number_format
        elif isinstance(first, float):
            fmt = "#,##0.0#"
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = fmt
        width = max([len(str(ws.cell(1, j).value))] + [len(str(v)) for v in sample.astype(str).head(200)])
        ws.column_dimensions[letter].width = min(48, max(10, width + 2))
    ws.freeze_panes = "A2"
    if ws.max_row > 1:
        ws.auto_filter.ref = ws.dimensions

    info = wb.create_sheet(t("exp.sheet.meta", lang))
    ind = meta.indicator
    rows = [
        (t("exp.meta.title", lang), meta.title),
        (t("exp.meta.indicator", lang), f"{ind.name(lang)} ({ind.code})" if ind else meta.title),
        (t("exp.meta.definition", lang), ind.definition(lang) if ind else t("exp.meta.many", lang)),
        *([(t("mark.computed", lang), ind.formula)] if ind is not None and ind.computed else []),
        (t("exp.meta.unit", lang), meta.unit or (t("exp.meta.many", lang) if ind is None else "")),
        (t("exp.meta.source", lang), meta.source),
        (t("exp.meta.period", lang), meta.period),
        (t("exp.meta.area", lang), meta.area),
        (t("exp.meta.as_of", lang), fmt_datetime(meta.as_of, lang) if meta.as_of else "–"),
        (t("exp.meta.notes", lang), "\n".join(meta.notes) or "–"),
        (t("exp.meta.status_codes", lang), t("exp.meta.status_legend", lang)),
        (t("exp.meta.exported", lang), fmt_datetime(datetime.now(), lang)),
        (t("exp.meta.spec", lang), json.dumps(chart.spec, ensure_ascii=False, sort_keys=True)),
        dataset_mark(meta.dataset, lang),
    ]
    for label, value in rows:
        sheets.append(info, [label, value])
    for (cell,) in info.iter_rows(min_col=1, max_col=1):
        cell.font = Font(bold=True)
    for row in info.iter_rows(min_col=2, max_col=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    info.column_dimensions["A"].width = 30
    info.column_dimensions["B"].width = 100
    wb.properties.title = meta.title
    wb.properties.creator = t("app.title", lang)
    wb.properties.subject = dataset_mark(meta.dataset, lang)[0]
    return sheets.xlsx_bytes(wb)
