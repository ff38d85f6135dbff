"""Tables with dash-ag-grid: sortable, filterable, in the UI's language.

Numbers are formatted once, by Babel, on the server (``1.234,5`` in Vietnamese, ``1,234.5`` in
English) and travel next to the raw value: a numeric column sorts and filters on the number
(``field``) and shows the text (``field + "_fmt"``) through a one-line ``valueFormatter``.
The grid's own words (filter menus, "no rows") come from the message catalogue (``grid.*``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import dash_ag_grid as dag

from i18n import MESSAGES, fmt_number, t

if TYPE_CHECKING:
    import pandas as pd

FMT = "_fmt"

# AG Grid locale keys → our message keys (``grid.<key>``); English keeps AG Grid's defaults.
_LOCALE_KEYS = sorted(k[len("grid.ag."):] for k in MESSAGES if k.startswith("grid.ag."))


def locale_text(lang: str) -> dict | None:
    """AG Grid ``localeText`` for ``lang`` (None for English: the grid's own words)."""
    if lang == "en":
        return None
    return {k: t(f"grid.ag.{k}", lang) for k in _LOCALE_KEYS}


def text_col(field: str, header: str, *, flex: float = 1, min_width: int = 110, **extra) -> dict:
    return {"field": field, "headerName": header, "flex": flex, "minWidth": min_width,
            "filter": "agTextColumnFilter", "tooltipField": field, **extra}


def number_col(field: str, header: str, *, flex: float = 0.8, min_width: int = 110, **extra) -> dict:
    """Sorts and filters on the number ``field``; shows the Babel text ``field_fmt``."""
    return {"field": field, "headerName": header, "flex": flex, "minWidth": min_width, "type": "rightAligned",
            "filter": "agNumberColumnFilter", "cellClass": "num",
            "valueFormatter": {"function": f"params.data ? params.data['{field}{FMT}'] : ''"}, **extra}


def label_col(field: str, label_field: str, header: str, *, flex: float = 1, min_width: int = 120, **extra) -> dict:
    """Sorts on ``field`` (e.g. an ISO date) but shows and filters on ``label_field`` (e.g. "Tháng 7/2025")."""
    return {"field": field, "headerName": header, "flex": flex, "minWidth": min_width, "filter": "agTextColumnFilter",
            "valueFormatter": {"function": f"params.data ? params.data['{label_field}'] : ''"},
            "filterValueGetter": {"function": f"params.data['{label_field}']"}, **extra}


def link_col(field: str, header: str, *, flex: float = 2, min_width: int = 240, **extra) -> dict:
    """Text shown as a link (markdown renderer). Rows need ``<field>_md`` = ``[text](href)``
    (see :func:`with_links`); sorting and filtering use the plain text ``field``."""
    return {"field": field + "_md", "headerName": header, "flex": flex, "minWidth": min_width,
            "filter": "agTextColumnFilter", "cellRenderer": "markdown",
            "filterValueGetter": {"function": f"params.data['{field}']"}, **extra}


def with_links(rows: list[dict], field: str, href_field: str) -> list[dict]:
    """Add ``<field>_md`` (``[text](href)``, brackets in the text escaped) for :func:`link_col`."""
    out = []
    for r in rows:
        text = str(r.get(field, "")).replace("[", "\\[").replace("]", "\\]")
        out.append({**r, field + "_md": f"[{text}]({r[href_field]})"})
    return out


def frame_rows(df: pd.DataFrame, row_type: Any) -> Iterator[Any]:
    """The rows of ``df`` as ``row_type`` (a NamedTuple naming some of its columns), read column by
    column: several times faster than ``itertuples`` for the hundred-row tables of the boards."""
    return map(row_type._make, zip(*(df[f] for f in row_type._fields), strict=True))


def formatted(v: Any, decimals: int, lang: str) -> tuple[float | None, str]:
    """A grid number and its text: (None, "–") for a missing value (None or NaN: JSON has no NaN)."""
    return (None, "–") if v is None or v != v else (float(v), fmt_number(v, decimals, lang))


def with_formatted(rows: list[dict], fields: dict[str, int], lang: str) -> list[dict]:
    """Add ``<field>_fmt`` texts to each row for the numeric ``fields`` (field → decimals); NaN
    becomes None (JSON has no NaN) and shows as an en dash."""
    out = []
    for r in rows:
        r = dict(r)
        for f, decimals in fields.items():
            v = r.get(f)
            missing = v is None or (isinstance(v, float) and math.isnan(v))
            r[f] = None if missing else float(v)
            if r.get(f + FMT) is None:
                r[f + FMT] = "–" if missing else fmt_number(v, decimals, lang)
        out.append(r)
    return out


def data_grid(id: str | dict, columns: list[dict], rows: list[dict], *, lang: str, height: int | None = 420,
              row_id: str | None = None, auto_height: bool = False, className: str = "") -> dag.AgGrid:
    """A sortable, filterable grid with floating filters, in ``lang``. Initial sorting: put
    ``"sort": "desc"`` on a column. ``height`` None: the stylesheet sizes the grid; ``auto_height``: as tall as its rows (short tables)."""
    options = {
        "animateRows": False,
        "enableCellTextSelection": True,
        "tooltipShowDelay": 400,
        "rowHeight": 44,  # touch targets: a link in a row has 44 px to itself (tests/browser/test_tablet.py)
        "headerHeight": 44,
        "floatingFiltersHeight": 44,
        "suppressMovableColumns": True,
        # One Tab stop: Tab leaves the grid (instead of visiting every cell), the arrows move
        # inside it and Enter on a header sorts (the ARIA grid pattern).
        "tabToNextCell": {"function": "false"},
        "tabToNextHeader": {"function": "false"},
    }
    if auto_height:
        options["domLayout"] = "autoHeight"
        height = None
    text = locale_text(lang)
    if text:
        options["localeText"] = text
    return dag.AgGrid(
        id=id,
        columnDefs=columns,
        rowData=rows,
        defaultColDef={"sortable": True, "resizable": True, "floatingFilter": True, "suppressHeaderMenuButton": True,
                       "wrapHeaderText": True, "autoHeaderHeight": True,
                       "suppressFloatingFilterButton": True,  # typing in the filter is enough; its button was 16 px
                       "filterParams": {"buttons": ["reset"], "maxNumConditions": 1}},
        dashGridOptions=options,
        getRowId=f"params.data.{row_id}" if row_id else None,
        className=("data-grid " + className).strip(),
        style={"height": f"{height}px", "width": "100%"} if height else {"width": "100%"},
    )
