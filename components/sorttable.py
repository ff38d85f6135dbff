"""A table drawn as a plain HTML table in the browser (assets/table.js, ``occ_table.SortTable``):
sorted by any column from its header (ascending, descending, then the server's order), its rows
narrowed by a search box that ignores case and tone marks, its header and first column kept in
view while it scrolls.

For a table on a board's first screen with up to a few hundred rows: it starts at once, where the
data grid's suite (components/grid.py) costs 0.3-0.45 s to start and draw, and a screen reader
reads it as a table (caption, column and row headers, ``aria-sort``). The grid stays for long
tables and for per-column filters.

Cells show texts the server formatted (Babel numbers: ``value_fmt``) and sort on the raw values
(``value``), as the grid does.
"""

from __future__ import annotations

from typing import Any, Literal

from i18n import t

Kind = Literal["text", "number", "link"]


def column(field: str, header: str, *, kind: Kind = "text", show: str | None = None, sort_by: str | None = None,
           href: str | None = None, class_name: str | None = None, class_field: str | None = None,
           head_class_name: str | None = None) -> dict:
    """One column: sorts on ``sort_by`` (default ``field``) and shows ``show`` (default
    ``field + "_fmt"`` for numbers, else ``field``). A link column links its text to the row's
    ``href`` field. ``class_field``: a row field holding more classes for this cell."""
    col: dict[str, Any] = {"field": field, "header": header, "kind": kind,
                           "show": show or (f"{field}_fmt" if kind == "number" else field)}
    if sort_by:
        col["sortBy"] = sort_by
    if kind == "link":
        col["href"] = href or "href"
    if kind == "number":
        class_name = f"num {class_name}" if class_name else "num"
    for key, value in (("className", class_name), ("classField", class_field), ("headClassName", head_class_name)):
        if value:
            col[key] = value
    return col


def sort_table(ident: str, columns: list[dict], rows: list[dict] | None, *, caption: str, lang: str,
               height: int | None = None, row_key: str = "code", row_class_field: str | None = None,
               search_label: str | None = None, search_fields: list[str] | None = None,
               class_name: str = "") -> dict:
    """The table as its JSON form (a fast element). ``search_label``: a search box over
    ``search_fields`` (default: the first column's text); ``height``: the most it takes (px)
    before it scrolls inside. ``rows=None``: not read yet (a callback gives them): the table
    shows its frame at its full ``height``, marked busy."""
    words = {"sort": t("table.sort", lang), "count": t("table.count", lang, n="{n}", total="{total}"),
             "placeholder": t("table.search_placeholder", lang), "empty": t("table.none_match", lang)}
    props: dict[str, Any] = {"id": ident, "columns": columns, "rows": rows, "caption": caption, "lang": lang,
                             "rowKey": row_key, "words": words, "className": class_name}
    for key, value in (("height", height), ("rowClassField", row_class_field), ("searchLabel", search_label),
                       ("searchFields", search_fields)):
        if value is not None:
            props[key] = value
    return {"type": "SortTable", "namespace": "occ_table", "props": props}


def table_problems(table: dict) -> list[str]:
    """What the browser could not draw as asked (a column's field missing from a row), for tests:
    empty when every cell has its text."""
    props = table["props"]
    out = []
    for i, row in enumerate(props["rows"] or []):
        for col in props["columns"]:
            for key in ("show", "sortBy", "href", "classField"):
                if key in col and col[key] not in row:
                    out.append(f"row {i}: no {col[key]!r} ({col['header']})")
        if props.get("rowClassField") and props["rowClassField"] not in row:
            out.append(f"row {i}: no {props['rowClassField']!r}")
    return out
