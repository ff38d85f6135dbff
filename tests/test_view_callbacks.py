"""Which Dash callbacks the response cache serves again: those declared views where they are
declared (``@cacheable``), and Dash's page router; never one with side effects."""

from __future__ import annotations

import pytest

from tests.conftest import make_settings

# What the id prefixes of the former ``VIEW_OUTPUT_PREFIXES`` selected among the server callbacks
# (computed once, when cacheability moved to the callbacks' declarations): the same set is cached
# (with the charts' text alternatives added to the outputs of the views that draw them, issue 16).
CACHED_BEFORE = frozenset({
    ".._pages_content.children..._pages_store.data..",
    "..cat-results.children...cat-count.children..",
    "..cmp-summary.children...cmp-matrix.children...cmp-overdue.children..",
    "..ind-summary.children...ind-breakdown.children...ind-breakdown-title.children...ind-breakdown-note.children"
    "...ind-breakdown-alt.children..",
    "..ind-trend-export.children...ind-breakdown-export.children..",
    "..ind-trend.figure...ind-trend-title.children...ind-trend-notes.children...ind-trend-alt.children..",
    "..pf-trends.children...pf-trends-note.children..",
    "..prov-map.spec...prov-ranking.children...prov-regions.children...prov-crumbs.children"
    "...prov-map-title.children...prov-map-sub.children...prov-ranking-title.children"
    "...prov-ranking-note.children...prov-goto.options...prov-map-alt.children...prov-ranking-alt.children..",
    "..prov-map-export.children...prov-ranking-export.children...prov-regions-export.children..",
    "..prov-period.options...prov-period.value...prov-region.options...prov-region.value..",
    "..sec-board.children...sec-summary.children..",
    "..sec-group.value...sec-agency.value...sec-group-box.hidden...sec-agency-box.hidden..",
    "..shell-header.children...shell-footer.children..",
    "..wall-asof.children...wall-ticker.children..",
    "cmp-detail.children",
    "daily-content.children",
    "ind-areas.options",
    "sec-export.children",
    '{"name":"compliance","type":"wall-board"}.children',
    '{"name":"daily","type":"wall-board"}.children',
    '{"name":"overview","type":"wall-board"}.children',
    '{"name":"provinces","type":"wall-board"}.children',
    '{"name":"sector","type":"wall-board"}.children',
    # issue 19: the directions' list and measures (keyed by clearance, role and unit like every view;
    # a write bumps the ``directions`` stamp they read), the trend's "Giao nhiệm vụ" link, the wall's board
    "..dirs-grid.rowData...dirs-count.children...dirs-page.data...dirs-prev.disabled...dirs-next.disabled..",
    "..dirs-summary.children...dirs-measures.children..",
    "ind-trend-assign.children",
    '{"name":"directions","type":"wall-board"}.children',
    # issue 22: the indicator page's row below its first screen, read once shown (its table; its card
    # with the revisions, which the focus callback gave before)
    "ind-table.rowData",
    "sec-table.rowData",  # the sectors board's table, likewise
    "..ind-meta.children...ind-revisions.children..",
    # the province profile's scorecard, read by its own callback beside the page's tiles
    "..pf-table.rows...pf-table-notes.children..",
}) - {
    # issue 21: the provinces board's region buttons answer in the browser (assets/map.js pickRegion)
    "prov-region.value@3b80218b9981d4f5ee2fc30688600cbb78a36b2218a71a79b2811d6408651645",
}

# Callbacks that act or hold one browser's own state: never served from another request's response.
SIDE_EFFECTS = {
    "dashboards.submit.upload": "runs the intake (writes the warehouse)",
    "dashboards.submit.confirm": "runs the intake with the confirmed mapping and saves it (writes the warehouse)",
    "dashboards.briefing.render": "lists the briefing basket kept in the browser's storage",
}
UPLOAD_PROPS = {"contents", "filename", "last_modified"}  # a dcc.Upload's file


@pytest.fixture(scope="module")
def callback_map(tmp_path_factory):
    """The callbacks of a built app, as Dash holds them once it has set up its routes."""
    from app import create_app

    tmp = tmp_path_factory.mktemp("views")
    server = create_app(make_settings(f"sqlite:///{tmp / 'w.sqlite'}", tmp))
    assert server.test_client().get("/_dash-dependencies").status_code == 200
    return server.extensions["dash"].callback_map


def _name(entry: dict) -> str:
    fn = entry["callback"]
    fn = getattr(fn, "__wrapped__", fn)
    return f"{fn.__module__}.{fn.__qualname__}"


def test_vcb001_the_marked_callbacks_are_those_the_prefixes_selected(callback_map):
    from web.responses import view_outputs

    assert view_outputs(callback_map) == CACHED_BEFORE


@pytest.mark.parametrize("name", sorted(SIDE_EFFECTS))
def test_vcb002_no_callback_with_side_effects_is_marked(callback_map, name):
    from web.responses import view_outputs

    views = view_outputs(callback_map)
    found = [out for out, entry in callback_map.items() if entry.get("callback") and _name(entry) == name]
    assert found, f"{name} is no longer a callback: update SIDE_EFFECTS"
    assert not views & set(found), f"{name} {SIDE_EFFECTS[name]}: it must not be @cacheable"


def test_vcb003_no_marked_callback_takes_an_upload(callback_map):
    from web.responses import view_outputs

    for output in view_outputs(callback_map):
        entry = callback_map[output]
        props = {d["property"] for d in [*entry.get("inputs", []), *entry.get("state", [])]}
        assert not props & UPLOAD_PROPS, f"{_name(entry)} takes an uploaded file: it must not be @cacheable"


def test_vcb004_marking_is_declared_on_the_function(monkeypatch):
    """``@cacheable`` registers the very function Dash calls (through its ``__wrapped__``)."""
    import functools

    from web import responses

    def view(x):
        return x

    monkeypatch.setattr(responses, "VIEW_CALLBACKS", set())
    responses.cacheable(view)
    wrapped = functools.wraps(view)(lambda *a: view(*a))
    outputs = responses.view_outputs({"a.children": {"callback": wrapped}, "b.children": {"callback": lambda: 1},
                                      "c.children": {}})
    assert outputs == {"a.children"}
