"""The sortable HTML table (components/sorttable.py, assets/table.js): the columns the server
describes, the words in the UI's language, and the browser's sort and search run by node."""

from __future__ import annotations

import shutil

import pytest

from components.sorttable import column, sort_table, table_problems
from tests.utils import node_json


def test_tab001_columns_show_texts_and_sort_on_values():
    num = column("value", "Giá trị", kind="number", class_field="value_class")
    assert num == {"field": "value", "header": "Giá trị", "kind": "number", "show": "value_fmt",
                   "className": "num", "classField": "value_class"}
    assert column("name", "Tên", kind="link")["href"] == "href"
    period = column("period_label", "Kỳ", sort_by="period_start")
    assert period["show"] == "period_label" and period["sortBy"] == "period_start"


def test_tab002_the_table_in_the_language_and_its_problems_named():
    cols = [column("name", "Name", kind="link"), column("value", "Value", kind="number")]
    rows = [{"code": "A", "name": "Alpha", "href": "/a", "value": 1.0, "value_fmt": "1,0"}]
    vi = sort_table("t", cols, rows, caption="Bảng", lang="vi", height=300, search_label="Tìm")
    assert vi["namespace"] == "occ_table" and vi["type"] == "SortTable"
    assert vi["props"]["words"]["count"] == "{n}/{total} dòng" and vi["props"]["height"] == 300
    en = sort_table("t", cols, rows, caption="Table", lang="en")
    assert en["props"]["words"]["count"] == "{n} of {total} rows" and "searchLabel" not in en["props"]
    assert table_problems(vi) == []
    broken = sort_table("t", cols, [{"code": "B", "name": "Beta", "value": 2.0}], caption="x", lang="vi")
    assert table_problems(broken) == ["row 0: no 'href' (Name)", "row 0: no 'value_fmt' (Value)"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_tab003_sorting_keeps_empty_cells_last_and_search_ignores_tone_marks():
    rows = [{"k": "a", "n": 3, "s": "Đà Nẵng"}, {"k": "b", "n": None, "s": "Hà Nội"},
            {"k": "c", "n": 1, "s": "Huế"}, {"k": "d", "n": 3, "s": "An Giang"}, {"k": "e", "n": 10, "s": "Cà Mau"}]
    script = (
        "globalThis.window = {React: {}}; require(process.argv[1]); const t = window.occ_table;"
        "const rows = JSON.parse(process.argv[2]); const vi = new Intl.Collator('vi', {numeric: true});"
        "const keys = (f, d) => t.sorted(rows, f, d, vi).map(r => r.k).join('');"
        "process.stdout.write(JSON.stringify({asc: keys('n', 'asc'), desc: keys('n', 'desc'), none: keys(null, null),"
        "  text: keys('s', 'asc'), folded: ['Hà Nội', 'ĐÀ NẴNG', 'Cà Mau'].map(t.folded)}));"
    )
    got = node_json(script, "table.js", rows)
    assert got["asc"] == "cadeb"  # 1, 3, 3 (the server's order kept between equals), 10; the empty last
    assert got["desc"] == "eadcb"  # ... and last whichever the direction
    assert got["none"] == "abcde"  # no sort: the server's order
    assert got["text"] == "deabc"  # An Giang, Cà Mau, Đà Nẵng, Hà Nội, Huế (Vietnamese order: Đ after D)
    assert got["folded"] == ["ha noi", "da nang", "ca mau"]
