"""One Dash component for a large static piece of a board (components.fast.static, drawn by
assets/static_tree.js): the lists of what it draws agree on both sides, anything else is named,
and every piece the boards send is drawn whole."""

from __future__ import annotations

import json
import re
from pathlib import Path

from dash import dcc, html

from components.fast import STATIC_ATTRS, STATIC_TAGS, el, link, static, static_problems
from tests.utils import text_of

JS = Path(__file__).resolve().parents[1] / "assets" / "static_tree.js"


def _js_set(name: str) -> set[str]:
    found = re.search(rf"const {name} = new Set\(\[(.*?)\]\);", JS.read_text(), re.S)
    assert found, f"{name} not found in {JS.name}"
    return set(re.findall(r'"([^"]+)"', found.group(1)))


def statics_in(node, namespace: str = "occ_static") -> list[dict]:
    """Every static piece (or the components of another of the product's ``namespace``) in a
    callback's output or a layout (components and JSON forms); not looked into."""
    found: list[dict] = []

    def visit(n):
        if hasattr(n, "to_plotly_json"):
            n = n.to_plotly_json()
        if isinstance(n, (list, tuple)):
            for c in n:
                visit(c)
        elif isinstance(n, dict) and "props" in n:
            if n.get("namespace") == namespace:
                found.append(n)
            else:
                visit(n["props"].get("children"))
                for value in n["props"].values():
                    if isinstance(value, (list, dict)) and value is not n["props"].get("children"):
                        visit(value)

    visit(node)
    return found


def test_st001_the_browser_draws_what_the_server_allows():
    assert _js_set("TAGS") == STATIC_TAGS
    assert _js_set("ATTRS") == STATIC_ATTRS
    assert not STATIC_TAGS & {"script", "iframe", "object", "embed", "style", "link", "base", "form", "svg"}
    assert not [a for a in STATIC_ATTRS if a.lower().startswith("on") or "html" in a.lower()]


def test_st002_what_would_not_be_drawn_is_named_with_its_place():
    good = el("Div", [el("Span", "a", className="x", title="t", **{"aria-label": "l"}),
                      link("b", "/indicator/X", id={"type": "kpi-tile", "code": "X"}),
                      html.Table(html.Tr(html.Td("1", colSpan=2)))], style={"width": "10%"})
    assert static_problems(good) == []
    assert static_problems([el("Div", dcc.Graph(figure={}))]) == ["tree[0]/Div: dash_core_components.Graph is not drawn"]
    assert static_problems(el("Div", "x", onClick="steal()")) == ["tree: Div.onClick is dropped"]
    assert static_problems({"type": "Script", "namespace": "dash_html_components", "props": {"children": "1"}}) == \
        ["tree: dash_html_components.Script is not drawn"]
    assert static_problems(html.Iframe(src="https://x")) == ["tree: dash_html_components.Iframe is not drawn"]
    assert static_problems(el("Div", "x", dangerouslySetInnerHTML={"__html": "<b>"})) == \
        ["tree: Div.dangerouslySetInnerHTML is dropped"]
    assert static_problems(el("Span", "x", href="/a")) == ["tree: Span.href is dropped"]
    assert static_problems(el("Div", object())) == ["tree/Div: object is not a fast element"]
    piece = static([el("P", "một"), html.P("hai")])
    assert piece["namespace"] == "occ_static" and text_of(piece) == "một hai"


def _assert_drawn_whole(output, at_least: int = 1) -> None:
    pieces = statics_in(output)
    assert len(pieces) >= at_least, f"{len(pieces)} static pieces, expected {at_least}"
    for piece in pieces:
        problems = static_problems(piece["props"]["tree"])
        assert problems == [], problems[:5]
        json.dumps(piece, default=lambda o: o.to_plotly_json())  # serialisable as Dash sends it


def test_st003_every_board_piece_is_drawn_whole(seeded_app):
    from dashboards import compliance, daily, indicator, indicators, overview, province, sectors, wall
    from views.wall import DEFAULT_SECTOR

    with seeded_app.test_request_context("/"):
        summary, matrix, overdue = compliance.render("UBND-M", "all", "vi")
        for piece in (summary, matrix, overdue):
            _assert_drawn_whole(piece)
        table = statics_in(matrix)[0]["props"]["tree"]
        assert "cmp-table" in json.dumps(table) and text_of(table).count("✔") > 10
        _assert_drawn_whole(overview.layout())
        _assert_drawn_whole(indicators.update_results("", None, "vi")[0])
        _assert_drawn_whole(sectors.update_board("G01", None, "vi")[0])
        focus = indicator.update_focus("VN", "202401", "202611", "value", [], "EXPORTS", "vi")
        revisions = indicator.update_meta(True, "VN", "EXPORTS", "vi")[1]
        for piece in (focus[0], focus[4], revisions):  # summary, breakdown's text alternative, revisions
            _assert_drawn_whole(piece)
        _assert_drawn_whole(province.layout("01"))
        from data_access.daily import latest_day

        _assert_drawn_whole(daily.render(latest_day().isoformat(), None, None, "vi"), at_least=2)
        config = {"lang": "vi", "sector": DEFAULT_SECTOR, "boards": list(wall.BOARD_CONTENT)}
        for content in wall.BOARD_CONTENT.values():
            _assert_drawn_whole(content(config))


def test_st004_parts_below_the_first_screen_stay_in_the_layout(seeded_app):
    """A deferred part (components.fast.deferred, assets/deferred.js) holds its components in the
    layout: the ids its callbacks fill are there on opening, inside one holder with a name and a
    height; only the drawing waits."""
    from components.fast import deferred
    from dashboards import indicator, province, sectors, wall
    from tests.utils import ids_in

    part = deferred(html.Div(id="x"), label="Bảng số liệu", min_height=440, id="x-box")
    assert part["namespace"] == "occ_defer" and part["type"] == "Deferred"
    assert part["props"]["label"] == "Bảng số liệu" and part["props"]["min_height"] == 440
    assert "Deferred" in (JS.parent / "deferred.js").read_text()

    def holders(node) -> dict[str, dict]:
        return {h["props"]["id"]: h for h in statics_in(node, "occ_defer")}

    with seeded_app.test_request_context("/"):
        cases = [(indicator.layout("CPI_YOY"), {"ind-table-box": ["ind-table"], "ind-meta-box": ["ind-meta", "ind-revisions"]}),
                 (sectors.layout(), {"sec-table-box": ["sec-table"]}),
                 (province.layout("01"), {"pf-trends-box": ["pf-trends"]})]
        for layout, boxes in cases:
            found = holders(layout)
            assert set(found) == set(boxes), (boxes, set(found))
            for box, inner in boxes.items():
                assert set(inner) <= set(ids_in(found[box]["props"]["children"]))
                assert found[box]["props"]["label"] and found[box]["props"]["min_height"] >= 300
    with seeded_app.test_request_context("/wall"), seeded_app.app_context():
        from unittest import mock

        with mock.patch.object(wall, "authorized", return_value=True):
            found = holders(wall.layout(boards="overview,provinces"))
        assert set(found) == {"wall-overview-box", "wall-provinces-box"}
        assert all(h["props"]["within"] == ".wall-board" and h["props"]["shown_class"] == "active"
                   for h in found.values())
