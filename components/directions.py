"""How directions ("nhiệm vụ") are drawn: the "Giao nhiệm vụ" link, a state badge (words and icon,
never colour alone), the list's grid columns and rows, the summary cards, a direction's history
and attachments, the wall's board, the ticker's items, the daily brief's section, the markers of
an indicator's trend and the measures' charts. Pure functions of plain rows (dicts, see
:mod:`views.directions`) returning fast elements and figure dicts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from dash import MATCH, ClientsideFunction, Input, Output, clientside_callback

from components.charts import PALETTE, empty_figure, figure, layout_dict
from components.fast import el, graph, link, store
from components.grid import label_col, link_col, text_col, with_links
from components.ids import page_ids
from components.shell import with_lang
from i18n import fmt_date, fmt_datetime, fmt_number, t

Row = Mapping[str, Any]

STATE_ICON = {"draft": "✎", "assigned": "●", "in_progress": "◐", "reported_done": "◉", "returned": "↺",
              "closed": "✔", "cancelled": "✕", "overdue": "!"}
PRIORITY_ICON = {"urgent": "⚡", "high": "▲", "normal": ""}


def direction_href(ref: str, lang: str) -> str:
    return with_lang(f"/direction/{ref}", lang)


def assign_link(href: str, lang: str, *, label: str | None = None, className: str = "") -> dict:
    """The "Giao nhiệm vụ" action (a link to the pre-filled form). ``label``: the accessible name
    when several such links share a page (which tile, which unit)."""
    props: dict[str, Any] = {"className": ("assign-link " + className).strip()}
    if label:
        props["title"] = label
        props["aria-label"] = label
    return link([el("Span", "✎", className="assign-icon", **{"aria-hidden": "true"}), t("dir.assign", lang)],
                href, **props)


def with_assign(tile: dict, href: str, label: str, lang: str) -> dict:
    """A tile (a link itself) with its "Giao nhiệm vụ" link below it: links cannot nest."""
    return el("Div", [tile, assign_link(href, lang, label=label, className="assign-under")], className="tile-with-assign")


def shown_state(row: Row) -> str:
    """``overdue`` for an open direction past its deadline (computed by the reads), else its state."""
    return "overdue" if row.get("days_overdue") else str(row["state"])


def state_badge(row: Row, lang: str) -> dict:
    """The state in words with an icon; an overdue one says by how many days."""
    state = shown_state(row)
    words = t(f"dir.state.{state}", lang)
    if state == "overdue":
        words += " · " + t("dir.days_overdue", lang, days=row["days_overdue"])
    return el("Span", [el("Span", STATE_ICON.get(state, "●"), className="dir-state-icon", **{"aria-hidden": "true"}),
                       words], className=f"dir-state dir-state-{state}")


def deadline_words(row: Row, today: date, lang: str) -> str:
    """``15/12/2026 · còn 3 ngày`` / ``· quá hạn 4 ngày`` / ``· đến hạn hôm nay`` for an open direction."""
    deadline = row["deadline"]
    text = fmt_date(deadline, lang)
    if row.get("days_overdue"):
        return f"{text} · {t('dir.days_overdue', lang, days=row['days_overdue'])}"
    if row["state"] in ("assigned", "in_progress", "returned"):
        left = (deadline - today).days
        return f"{text} · " + (t("dir.due_today", lang) if left == 0 else t("dir.days_left", lang, days=left))
    return text


# --- the list --------------------------------------------------------------------------------------


def grid_columns(lang: str) -> list[dict]:
    """The list's columns: the reference links to the direction's page; dates sort as ISO dates."""
    return [
        link_col("ref", t("dir.col.ref", lang), flex=0.9, min_width=150),
        text_col("title", t("dir.col.title", lang), flex=3, min_width=320, wrapText=True, autoHeight=True),
        text_col("unit", t("dir.col.unit", lang), flex=1.4, min_width=180),
        text_col("leader", t("dir.col.leader", lang), flex=1, min_width=150),
        label_col("issued_on", "issued_on_text", t("dir.col.issued", lang), flex=0.8, min_width=120),
        label_col("deadline", "deadline_text", t("dir.col.deadline", lang), flex=1.3, min_width=210),
        text_col("state_text", t("dir.col.state", lang), flex=1.1, min_width=170,
                 cellClassRules={"dir-cell-overdue": "params.data.overdue", "dir-cell-closed": "params.data.closed"}),
        text_col("priority_text", t("dir.col.priority", lang), flex=0.7, min_width=110),
    ]


def grid_rows(rows: Iterable[Row], today: date, lang: str) -> list[dict]:
    """The grid's rows: texts in ``lang``, ISO dates to sort on, a link per reference."""
    out = []
    for r in rows:
        state = shown_state(r)
        state_text = t(f"dir.state.{state}", lang)
        if state == "overdue":
            state_text += f" ({r['days_overdue']})"
        out.append({
            "ref": r["ref"], "href": direction_href(r["ref"], lang),
            "title": ("🔒 " if r.get("confidential") else "") + str(r["title"]),
            "unit": r.get("unit") or "", "leader": r.get("leader") or "",
            "issued_on": r["issued_on"].isoformat() if r.get("issued_on") else "",
            "issued_on_text": fmt_date(r["issued_on"], lang) if r.get("issued_on") else "",
            "deadline": r["deadline"].isoformat(), "deadline_text": deadline_words(r, today, lang),
            "state_text": state_text, "overdue": state == "overdue", "closed": state == "closed",
            "priority_text": f"{PRIORITY_ICON.get(r.get('priority') or '', '')} "
                             f"{t('dir.priority.' + str(r.get('priority') or 'normal'), lang)}".strip(),
        })
    return with_links(out, "ref", "href")


def summary_cards(counts: Mapping[str, int], lang: str) -> list[dict]:
    """Open, overdue, due this week and recently closed, as the compliance page's cards."""
    cards = []
    for key, css in (("open", ""), ("overdue", " dir-card-bad"), ("week", " dir-card-warn"), ("closed", " dir-card-good")):
        cards.append(el("Div", [el("Div", t(f"dir.sum.{key}", lang), className="cmp-card-label"),
                                el("Div", fmt_number(counts.get(key, 0), 0, lang), className="cmp-card-value")],
                        className="card cmp-card dir-card" + css))
    return cards


# --- a direction's page ---------------------------------------------------------------------------


def history_list(events: Sequence[Row], lang: str) -> dict:
    """Every event, newest first: when, who (role and unit), what, the text and a new deadline."""
    items = []
    for e in sorted(events, key=lambda e: e["at"], reverse=True):
        head = [el("Strong", t(f"dir.event.{e['kind']}", lang)),
                el("Span", f" · {fmt_datetime(e['at'], lang)} · {e.get('actor') or ''}"
                           + (f" ({e['agency']})" if e.get("agency") else ""), className="muted")]
        if e.get("to_state") and e.get("to_state") != e.get("from_state"):
            head.append(el("Span", " → " + t(f"dir.state.{e['to_state']}", lang), className="dir-event-state"))
        body = [el("Div", head)]
        if e.get("text"):
            body.append(el("P", e["text"], className="dir-event-text"))
        if e.get("new_deadline"):
            body.append(el("Div", t("dir.event.deadline", lang, date=fmt_date(e["new_deadline"], lang)),
                           className="dir-event-deadline"))
        items.append(el("Li", body, className=f"dir-event dir-event-{e['kind']}"))
    return el("Ol", items, className="dir-history") if items else el("P", "–", className="muted")


def attachment_list(attachments: Sequence[Row], href: Callable[[Row], str | None], lang: str) -> dict:
    """Each file with its size and SHA-256 (what the archive keeps), a link where it may be opened."""
    if not attachments:
        return el("P", t("dir.no_attachments", lang), className="muted")
    items = []
    for a in attachments:
        size = f"{fmt_number(a['size'] / 1024, 0, lang)} KB" if a.get("size") is not None else ""
        url = href(a)
        name = el("A", a["filename"], href=url, download=a["filename"]) if url else el("Span", a["filename"])
        items.append(el("Li", [name, el("Span", f" · {size}", className="muted"),
                               el("Code", str(a.get("sha256") or "")[:16], className="dir-sha", title=a.get("sha256"))]))
    return el("Ul", items, className="dir-files")


# --- the wall, the ticker, the daily brief --------------------------------------------------------


WALL_UNITS = 7  # units with a bar on the wall's directions board (one line says the rest, two or more)


def wall_board(board: Mapping[str, Any], lang: str, today: date) -> dict:
    """The wall's directions board: overdue by unit (bars), due this week, recently closed.
    Titles of non-confidential directions only (the reads leave the others out for a display)."""
    every_unit = list(board.get("overdue_by_unit") or [])
    shown = WALL_UNITS if len(every_unit) > WALL_UNITS + 1 else len(every_unit)  # never "and 1 more unit"
    by_unit = every_unit[:shown]
    top = max((n for _, n in by_unit), default=1) or 1
    bars = [el("Div", [el("Div", unit, className="wc-label"),
                       el("Div", el("Div", className="wc-fill wdir-fill", style={"width": f"{100 * n / top:.0f}%"}),
                          className="wc-bar"),
                       el("Div", t("dir.count", lang, n=n), className="wc-value")],
                    className="wall-rate") for unit, n in by_unit]
    if len(every_unit) > shown:  # the others in one line: the board fits the screen
        rest = every_unit[shown:]
        bars.append(el("Div", t("dir.board.more_units", lang, units=len(rest), n=sum(n for _, n in rest)),
                       className="wdir-more"))

    def rows(items: Sequence[Row], css: str) -> list[dict]:
        return [el("Li", [el("Span", r.get("unit") or "", className="wo-unit"),
                          el("Span", f"{r['title']} · {deadline_words(r, today, lang) if css == 'due' else fmt_date(r.get('closed_on') or r['deadline'], lang)}",
                             className="wo-what")], className=f"wdir-{css}") for r in items[:5]]

    due = rows(board.get("due_week") or [], "due")
    closed = rows(board.get("closed") or [], "closed")
    none = el("Li", t("dir.board.none", lang), className="wo-more")
    return el("Div", [
        el("H2", [t("dir.board.title", lang),
                  el("Span", " · " + " · ".join(f"{t(f'dir.sum.{k}', lang)} {board.get('counts', {}).get(k, 0)}"
                                                for k in ("open", "overdue")), className="wb-sub")],
           className="wb-title"),
        el("Div", [
            el("Div", [el("H3", t("dir.board.overdue_by_unit", lang)),
                       el("Div", bars or [el("Div", t("dir.board.none_overdue", lang), className="wt-empty")],
                          className="wall-rates wdir-rates")], className="wall-side"),
            el("Div", [el("H3", t("dir.sum.week", lang)), el("Ul", due or [none], className="wall-overdue wdir-list"),
                       el("H3", t("dir.sum.closed", lang)), el("Ul", closed or [none], className="wall-overdue wdir-list")],
               className="wall-side"),
        ], className="wall-split"),
    ], className="wall-board-inner")


def ticker_items(rows: Iterable[Row], lang: str) -> list[tuple[str, str]]:
    """(severity, text) for the wall's ticker: each overdue direction with its unit and days."""
    return [("critical" if r.get("priority") == "urgent" else "warning",
             t("dir.ticker", lang, unit=r.get("unit") or "", title=r["title"], days=r["days_overdue"])) for r in rows]


def daily_section(due: Sequence[Row], overdue: Sequence[Row], lang: str, today: date) -> dict:
    """The daily brief's section: directions due today and overdue, each a link to its page."""

    def items(rows: Sequence[Row]) -> list[dict]:
        return [el("Li", [state_badge(r, lang),
                          el("Div", [link(f"{r['ref']} · {r['title']}", direction_href(r["ref"], lang)),
                                     el("Div", f"{r.get('unit') or ''} · {t('dir.col.deadline', lang)} "
                                               f"{deadline_words(r, today, lang)}", className="item-meta")],
                             className="item-main")], className="daily-item dir-daily-item") for r in rows]

    parts: list[Any] = [el("H2", [t("dir.daily.title", lang),
                                  el("Span", f" · {len(due) + len(overdue)}", className="muted")],
                           className="section-title")]
    if not due and not overdue:
        parts.append(el("Div", t("dir.daily.none", lang), className="empty-state"))
    for key, rows in (("dir.daily.due_today", due), ("dir.daily.overdue", overdue)):
        if rows:
            parts += [el("H3", f"{t(key, lang)} ({len(rows)})", className="dir-daily-h3"),
                      el("Ul", items(rows), className="daily-items")]
    return el("Section", parts, className="dir-daily", id="daily-directions")


# --- the indicator's trend ------------------------------------------------------------------------


MARKER_NAME = "direction-marker"  # the name of a direction's shapes on the trend (apart from the era break)


def add_markers(fig: dict, markers: Sequence[Row], lang: str) -> dict:
    """The trend with a dotted vertical line and a label at each direction's issue date (▼) and
    close date (▲), so a leader sees whether the indicator moved afterwards."""
    if not markers or not fig.get("data"):
        return fig
    shapes = list(fig.get("layout", {}).get("shapes") or [])
    notes = list(fig.get("layout", {}).get("annotations") or [])
    for m in markers:
        for when, key, sign, colour, y in (("issued_on", "dir.marker.issued", "▼", PALETTE[3], 1.0),
                                           ("closed_on", "dir.marker.closed", "▲", PALETTE[2], 0.0)):
            day = m.get(when)
            if not day:
                continue
            x = day.isoformat()
            shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
                           "name": MARKER_NAME, "line": {"color": colour, "width": 1.5, "dash": "dot"}})
            notes.append({"x": x, "xref": "x", "y": y, "yref": "paper", "showarrow": False,
                          "text": f"{sign} {t(key, lang, ref=m['ref'])}", "font": {"size": 11, "color": colour},
                          "yanchor": "bottom" if y else "top", "xanchor": "left", "bgcolor": "rgba(255,255,255,.85)",
                          "hovertext": m.get("title") or m["ref"]})
    out = dict(fig)
    out["layout"] = {**fig.get("layout", {}), "shapes": shapes, "annotations": notes}
    return out


def markers_note(markers: Sequence[Row], lang: str) -> dict | None:
    """The markers in words (the chart's text alternative does not read shapes), each a link."""
    if not markers:
        return None
    refs: list[Any] = []
    for m in markers:
        if refs:
            refs.append(", ")
        refs.append(link(m["ref"], direction_href(m["ref"], lang), title=m.get("title")))
    words = t("dir.markers.note", lang, refs="{refs}").split("{refs}")
    return el("P", [words[0], *refs, words[1] if len(words) > 1 else ""], className="ind-note dir-markers-note")


# --- measures -------------------------------------------------------------------------------------

MEASURES = {"on_time": ("on_time_rate", 1, "dir.measure.on_time"),
            "days_overdue": ("avg_days_overdue", 1, "dir.measure.days_overdue"),
            "open": ("open_load", 0, "dir.measure.open")}


#: A measure's table: its rows' texts (a store) and its body, which the browser fills from them.
measure_ids = page_ids("dir-measure", rows=lambda measure: {"type": "dir-measure-rows", "measure": measure},
                       body=lambda measure: {"type": "dir-measure-body", "measure": measure})


class UnitMeasures(Protocol):
    """A lead unit's measures, as :func:`data_access.directions.direction_unit_measures` reads them."""

    unit_vi: str
    unit_en: str
    closed: int
    closed_on_time: int
    closed_late: int
    avg_days_overdue: float
    open_load: int


def measure_figure(by_unit: Sequence[tuple[str, float]], measure: str, lang: str, *, height: int | None = 360) -> dict:
    """One measure per unit as horizontal bars, the largest at the top (fifteen at most); the bars'
    lengths rounded to 0.01 (the texts say the figure to its decimals)."""
    _, decimals, key = MEASURES[measure]
    shown = [(u, v) for u, v in by_unit if v == v][:15]
    if not shown:
        return empty_figure(lang)
    shown.reverse()
    bar = {"type": "bar", "orientation": "h", "y": [u for u, _ in shown], "x": [round(v, 2) for _, v in shown],
           "marker": {"color": PALETTE[3] if measure == "days_overdue" else PALETTE[0]},
           "text": [fmt_number(v, decimals, lang) for _, v in shown], "textposition": "outside", "cliponaxis": False,
           "hovertemplate": "%{y}: %{text}<extra></extra>"}
    layout = layout_dict(lang, height=height)
    layout["xaxis"]["title"] = {"text": t(key, lang)}
    longest = max(len(u) for u, _ in shown)  # a fixed left margin for the names: Plotly's automargin redraws
    return figure([bar], layout, extra_layout={"margin": {"l": min(260, 16 + 7 * longest), "r": 48, "t": 8, "b": 48}})


def measures_by_unit_of(units: Iterable[UnitMeasures], lang: str) -> dict[str, list[tuple[str, float]]]:
    """Each measure per lead unit as named in ``lang``, largest first (ties in the units' order): the
    on-time completion rate (%) of the directions closed in the months, the mean days overdue of
    those closed late, and the load open at the end of the last month (units with none left out).
    Units of one name (a province's committee before and after the 2025 reorganisation) are one
    bar: their directions counted together."""
    sums: dict[str, list[float]] = {}  # name -> [closed, on time, closed late, their days late summed, open]
    for u in units:
        cell = sums.setdefault(u.unit_en if lang == "en" else u.unit_vi, [0, 0, 0, 0.0, 0])
        cell[0] += u.closed
        cell[1] += u.closed_on_time
        if u.closed_late:
            cell[2] += u.closed_late
            cell[3] += u.avg_days_overdue * u.closed_late
        cell[4] += u.open_load
    measures: dict[str, list[tuple[str, float]]] = {
        "on_time": [(name, c[1] / c[0] * 100) for name, c in sums.items() if c[0]],
        "days_overdue": [(name, c[3] / c[2]) for name, c in sums.items() if c[2]],
        "open": [(name, float(c[4])) for name, c in sums.items() if c[4] > 0]}
    return {measure: sorted(rows, key=lambda row: -row[1]) for measure, rows in measures.items()}


def measure_table(by_unit: Sequence[tuple[str, float]], measure: str, lang: str) -> dict:
    """The chart's figures as a table behind "Xem bảng số liệu" (screen readers, and whoever wants
    the numbers): every unit, not only the fifteen drawn. The rows travel as their texts and the
    browser draws them (``occ.tableRows``, assets/app.js): as elements they were four fifths of the
    measures' answer (25 kB a measure for a hundred units)."""
    _, decimals, key = MEASURES[measure]
    table = el("Table", [el("Caption", t(key, lang), className="visually-hidden"),
                         el("Thead", el("Tr", [el("Th", t("dir.col.unit", lang), scope="col"),
                                               el("Th", t(key, lang), scope="col")])),
                         el("Tbody", [], id=measure_ids.body(measure))], className="cmp-table dir-measure-table")
    rows = [[unit, fmt_number(value, decimals, lang)] for unit, value in by_unit]
    return el("Details", [el("Summary", t("a11y.show_table", lang)), table, store(measure_ids.rows(measure), rows)],
              className="chart-data")


def measure_block(by_unit: Sequence[tuple[str, float]], measure: str, lang: str, *, title: str, menu: dict) -> dict:
    """One measure on the page: its title with its export ``menu``, its chart and its table."""
    return el("Div", [el("Div", [el("H3", title), menu], className="card-head"),
                      graph(measure_figure(by_unit, measure, lang), config={"displayModeBar": False},
                            className="dir-measure-graph"),
                      measure_table(by_unit, measure, lang)], className="dir-measure", **{"data-measure": measure})


clientside_callback(
    ClientsideFunction(namespace="occ", function_name="tableRows"),
    Output(measure_ids.body(MATCH), "children"),
    Input(measure_ids.rows(MATCH), "data"),
)
