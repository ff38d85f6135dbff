"""Control builders shared by the pages: labelled dropdowns, segmented toggles, checkboxes, and
the option lists they need (periods, areas of both eras, indicator groups, agencies).

Pure functions of data (no warehouse access): pages read the catalogue and pass it in. Every
control is wrapped in a ``.control`` block with a visible ``<label>`` tied to it, so screen
readers announce it and keyboard users see where focus is (styles in ``assets/controls.css``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from dash import dcc, html

from domain.eras import ERA_SWITCH
from i18n import format_period, t

if TYPE_CHECKING:
    import pandas as pd

    from data_access.catalogue import Area


def dropdown_labels(lang: str) -> dict:
    """The Dash 4 dropdown's own words (search box, select all, ...) in ``lang``."""
    keys = ("select_all", "deselect_all", "selected_count", "search", "clear_search", "clear_selection",
            "no_options_found")
    return {k: t(f"grid.dropdown.{k}", lang) for k in keys}


def control(label: str, child: Any, *, html_for: str | None = None, className: str = "") -> html.Div:
    """A labelled block: ``<label>`` above the control."""
    return html.Div([html.Label(label, htmlFor=html_for, className="control-label"), child],
                    className=("control " + className).strip())


def dropdown(id: str | dict, options: list[dict], value: Any, *, label: str, lang: str, multi: bool = False,
             clearable: bool = False, searchable: bool = True, placeholder: str | None = None,
             className: str = "", max_height: int = 320) -> html.Div:
    """A labelled ``dcc.Dropdown`` with translated built-in labels."""
    dd = dcc.Dropdown(id=id, options=options, value=value, multi=multi, clearable=clearable,
                      searchable=searchable, placeholder=placeholder, labels=dropdown_labels(lang),
                      maxHeight=max_height, className="dropdown", search_order="original")
    return control(label, dd, html_for=id if isinstance(id, str) else None, className=className)


def segmented(id: str | dict, options: list[tuple[str, str]], value: str, *, label: str,
              className: str = "") -> html.Div:
    """A segmented toggle (radio buttons styled as one pill); ``options`` are (value, text)."""
    radio = dcc.RadioItems(id=id, options=[{"label": text, "value": v} for v, text in options], value=value,
                           inline=True, className="segmented", inputClassName="segmented-input",
                           labelClassName="segmented-option")
    return html.Div([html.Span(label, className="control-label"), radio], className=("control " + className).strip(),
                    role="group", **{"aria-label": label})


def checkbox(id: str | dict, text: str, checked: bool, *, label: str | None = None, className: str = "") -> html.Div:
    """One checkbox; its value is ``["on"]`` when checked, ``[]`` otherwise."""
    box = dcc.Checklist(id=id, options=[{"label": text, "value": "on"}], value=["on"] if checked else [],
                        className="checkbox", inputClassName="checkbox-input", labelClassName="checkbox-option")
    children = ([html.Span(label, className="control-label")] if label else []) + [box]
    return html.Div(children, className=("control " + className).strip())


def is_checked(value: Any) -> bool:
    """A checkbox value (or a URL parameter) read as a boolean."""
    if isinstance(value, list | tuple):
        return "on" in value
    return str(value or "").lower() in ("on", "1", "true", "yes")


def first_value(options: Any) -> str | None:
    """The value of the first option of a dropdown's ``options`` as the browser sends them back
    (``[{"label": ..., "value": ...}, ...]``); None when it has no well-formed option."""
    for option in options if isinstance(options, list) else []:
        if isinstance(option, dict) and isinstance(option.get("value"), str):
            return option["value"]
    return None


# --- option lists -------------------------------------------------------------------------------------


def period_options(periods: Iterable[str], lang: str, newest_first: bool = True) -> list[dict]:
    """``[{"label": "Tháng 7/2025", "value": "202507"}, ...]``."""
    keys = list(periods)
    if newest_first:
        keys = keys[::-1]
    return [{"label": format_period(p, lang), "value": p} for p in keys]


def era_suffix(area: Area, lang: str) -> str:
    """`` (trước 07/2025)`` for an area of the 63-province era, `` (từ 07/2025)`` for one that
    started on 2025-07-01, nothing for areas that span both eras."""
    if area.valid_to is not None and area.valid_to < ERA_SWITCH:
        return " " + t("grid.era.before", lang)
    if area.valid_from is not None and area.valid_from >= ERA_SWITCH:
        return " " + t("grid.era.from", lang)
    return ""


def area_label(area: Area, lang: str, *, eras: bool = True) -> str:
    """The area's name, with the era it belongs to when ``eras`` (a range that crosses 2025-07-01)."""
    return area.name(lang) + (era_suffix(area, lang) if eras else "")


def spans(area: Area, lo: date, hi: date) -> bool:
    """Whether ``area`` existed at some time between ``lo`` and ``hi``."""
    return (area.valid_from is None or area.valid_from <= hi) and (area.valid_to is None or lo <= area.valid_to)


def area_options(areas: Iterable, lang: str, lo: date, hi: date, *, keep: Iterable[str] = ()) -> list[dict]:
    """Options for an area multi-select: the areas (nation, regions, provinces; in the order
    given) that existed between ``lo`` and ``hi``, labelled with their era when the range
    crosses 2025-07-01. Keys in ``keep`` stay listed (a selected value never disappears)."""
    keep = set(keep)
    crossing = lo < ERA_SWITCH <= hi
    out = []
    for a in areas:
        if not (spans(a, lo, hi) or a.key in keep):
            continue
        text = area_label(a, lang, eras=crossing or not spans(a, lo, hi))
        if a.level == "region":
            word = t("grid.level.region", lang)
            text = f"{word} {text}" if lang == "vi" else f"{text} {word}"
        out.append({"label": text, "value": a.key, "search": f"{a.key} {a.name_vi} {a.name_en}"})
    return out


def group_options(groups: pd.DataFrame, lang: str) -> list[dict]:
    """Indicator groups of Decision 293 (frame with code, name_vi, name_en)."""
    names = groups["name_en"] if lang == "en" else groups["name_vi"]
    return [{"label": name, "value": code} for code, name in zip(groups["code"], names, strict=True)]
