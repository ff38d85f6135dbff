"""Charts' text alternatives (issue 16): the summary sentences and data tables of
components/chart_alt.py as pure functions, the pages' callbacks giving them from the data they
draw, and the focus ring's contrast in the stylesheets."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from components.chart_alt import (
    chart_alt,
    ranking_summary,
    ranking_table,
    series_summary,
    series_table,
    spark_summary,
    summary_id,
)
from components.charts import ranking_rows
from components.fast import texts
from i18n import fmt_number
from tests.utils import page_fixture

ASSETS = Path(__file__).resolve().parent.parent / "assets"

LINES = [("VN", [("2025Q4", date(2025, 10, 1), 7.1), ("2026Q1", date(2026, 1, 1), 6.5),
                 ("2026Q2", date(2026, 4, 1), float("nan")), ("2026Q3", date(2026, 7, 1), 7.98)]),
         ("R2", [("2025Q4", date(2025, 10, 1), 8.25), ("2026Q3", date(2026, 7, 1), 1234.5)])]
NAMES = {"VN": "Cả nước", "R2": "Đồng bằng sông Hồng"}


def _find(node, tag):
    if isinstance(node, list):
        return [x for child in node for x in _find(child, tag)]
    if isinstance(node, dict) and "props" in node:
        own = [node] if node["type"] == tag else []
        return own + _find(node["props"].get("children"), tag) + _find(node["props"].get("tree"), tag)
    return []


def test_alt001_series_sentence_says_span_latest_and_extremes():
    text = series_summary("GDP", LINES, names=NAMES, unit="%", decimals=2, lang="vi")
    assert text.startswith("Biểu đồ đường GDP, từ Quý IV/2025 đến Quý III/2026.")
    assert ("Cả nước: kỳ mới nhất Quý III/2026 đạt 7,98 %; cao nhất 7,98 % (Quý III/2026), "
            "thấp nhất 6,50 % (Quý I/2026).") in text
    assert "Đồng bằng sông Hồng: kỳ mới nhất Quý III/2026 đạt 1.234,50 %" in text  # Vietnamese separators
    en = series_summary("GDP", LINES, names={"VN": "Viet Nam", "R2": "Red River Delta"}, unit="%", decimals=2,
                        lang="en")
    assert "Red River Delta: latest, Q3 2026, 1,234.50 %; highest 1,234.50 % (Q3 2026), lowest 8.25 % (Q4 2025)." in en
    assert series_summary("GDP", [("VN", [])], names=NAMES, unit="%", decimals=1, lang="vi") == "GDP: chưa có số liệu."


def test_alt002_many_lines_are_counted_not_listed():
    lines = [(f"A{i}", [("2026Q1", date(2026, 1, 1), float(i))]) for i in range(6)]
    text = series_summary("X", lines, names={}, unit="", decimals=0, lang="vi")
    assert text.count("kỳ mới nhất") == 4 and text.endswith("Và 2 đường khác trong bảng số liệu.")


def test_alt003_ranking_and_map_sentences():
    xs = pd.DataFrame({"area_key": ["01", "79", "46", "31"], "rank": [2, 1, None, 3],
                       "name_vi": ["Hà Nội", "TP. Hồ Chí Minh", "Huế", "Hải Phòng"],
                       "value": [7.5, 8.25, float("nan"), 6.0]})
    rows = ranking_rows(xs, "name_vi")
    assert [r[2] for r in rows] == ["TP. Hồ Chí Minh", "Hà Nội", "Hải Phòng"]
    ranking = ranking_summary("Xếp hạng", rows, unit="%", decimals=1, lang="vi")
    assert ranking == ("Biểu đồ xếp hạng Xếp hạng: 3 địa bàn có số liệu, từ 6,0 % đến 8,2 %. "
                       "Đứng đầu: TP. Hồ Chí Minh (8,2 %); cuối bảng: Hải Phòng (6,0 %).")
    # a direction "down" indicator ranks the lowest first: the map still says highest and lowest
    down = [(1, "31", "Hải Phòng", 6.0), (2, "01", "Hà Nội", 7.5), (3, "79", "TP. Hồ Chí Minh", 8.25)]
    text = ranking_summary("CPI", down, unit="%", decimals=2, lang="en", kind="map", missing=["Huế"])
    assert text == ("Map of CPI: 3 provinces with data, from 6.00 % to 8.25 %. Highest: TP. Hồ Chí Minh (8.25 %); "
                    "lowest: Hải Phòng (6.00 %). Not reported: Huế.")


def test_alt004_tables_have_a_caption_and_header_cells():
    table = series_table("GDP", LINES, names=NAMES, unit="%", decimals=2, lang="vi")
    assert _find(table, "Caption")[0]["props"]["children"] == "Bảng số liệu: GDP"
    heads = _find(_find(table, "Thead"), "Th")
    assert [h["props"]["children"] for h in heads] == ["Kỳ", "Cả nước (%)", "Đồng bằng sông Hồng (%)"]
    assert all(h["props"]["scope"] == "col" for h in heads)
    rows = _find(_find(table, "Tbody"), "Tr")
    # a period no line has a value for (Quý II/2026) is left out
    assert [texts(r) for r in rows] == [["Quý IV/2025", "7,10", "8,25"], ["Quý I/2026", "6,50", "–"],
                                        ["Quý III/2026", "7,98", "1.234,50"]]
    assert all(_find(r, "Th")[0]["props"]["scope"] == "row" for r in rows)
    ranked = ranking_table("X", [(1, "79", "TP. Hồ Chí Minh", 8.25)], unit="%", decimals=1, lang="en")
    assert texts(_find(ranked, "Thead")) == ["Area", "Rank", "Value (%)"]
    assert texts(_find(ranked, "Tbody")) == ["TP. Hồ Chí Minh", "1", "8.2"]


def test_alt005_chart_alt_names_the_chart_and_discloses_the_table():
    out = chart_alt("ind-trend", "Câu tóm tắt.", {"type": "Table", "namespace": "dash_html_components", "props": {}},
                    "en")
    summary, details = out
    assert summary["props"] == {"children": "Câu tóm tắt.", "id": summary_id("ind-trend"), "hidden": True}
    assert details["namespace"] == "occ_static" and details["props"]["tree"]["type"] == "Details"
    assert texts(_find(details, "Summary")) == ["Show data table"]
    assert chart_alt("x", "Nothing.", None, "vi")[1:] == []  # no data: no empty table


def test_alt006_sparkline_words():
    text = spark_summary([3.0, 9.5, 1.25, 4.0], ["202608", "202609", "202610", "202611"], unit="tỷ USD",
                         decimals=2, lang="vi")
    assert text == ("Diễn biến từ Tháng 8/2026 đến Tháng 11/2026: mới nhất 4,00 tỷ USD; cao nhất 9,50 tỷ USD "
                    "(Tháng 9/2026), thấp nhất 1,25 tỷ USD (Tháng 10/2026).")


page = page_fixture("page", "dashboards.indicator")
board = page_fixture("board", "dashboards.provinces")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_alt007_indicator_trend_and_breakdown_say_what_they_draw(page):
    fig, _, _, alt = page.update_series(["VN", "R2"], "202401", "202611", "value", [], "EXPORTS", "vi")
    rows = page.update_table(True, ["VN", "R2"], "202401", "202611", "value", [], "EXPORTS", "vi")
    summary = alt[0]["props"]["children"]
    vn = next(tr for tr in fig["data"] if tr["name"] == "Cả nước")
    last = [y for y in vn["y"] if y is not None][-1]
    assert f"Cả nước: kỳ mới nhất Tháng 11/2026 đạt {fmt_number(last, 2, 'vi')} tỷ USD" in summary
    assert f"cao nhất {fmt_number(max(y for y in vn['y'] if y is not None), 2, 'vi')} tỷ USD" in summary
    body = _find(_find(alt[1], "Tbody"), "Tr")
    assert len(body) == len({r["period_label"] for r in rows})  # one row per period drawn
    *_, breakdown_alt = page.update_focus("VN", "202401", "202611", "value", [], "EXPORTS", "vi")
    text = breakdown_alt[0]["props"]["children"]
    assert text.startswith("Biểu đồ xếp hạng Kim ngạch xuất khẩu hàng hóa") and "6 địa bàn có số liệu" in text


@pytest.mark.parametrize("backend", ["sqlite"])
def test_alt008_provinces_map_and_ranking_say_what_they_draw(board):
    out = board.update_board("GDP_GROWTH", None, None, "en")
    map_alt, ranking_alt = out[-2], out[-1]
    text = map_alt[0]["props"]["children"]
    assert text.startswith("Map of ") and "provinces with data" in text and "Highest:" in text
    reported = int(re.search(r"(\d+) provinces with data", text).group(1))
    assert 30 <= reported <= 34 and len(_find(_find(map_alt[1], "Tbody"), "Tr")) == reported
    ranked = ranking_alt[0]["props"]["children"]
    assert ranked.startswith("Ranking chart of ") and f"{reported} areas with data" in ranked
    names = [a["props"]["children"] for a in _find(out[1]["props"]["tree"], "Link")]  # the list's rows, best first
    assert len(names) == reported
    assert f"First: {names[0]} (" in ranked and f"last: {names[-1]} (" in ranked


# --- the focus ring --------------------------------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _var(css: str, name: str) -> str:
    return re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", css).group(1)


def test_alt009_focus_ring_has_3_to_1_on_every_background_it_is_drawn_on():
    style = (ASSETS / "style.css").read_text()
    access = (ASSETS / "access.css").read_text()
    wall = (ASSETS / "wall.css").read_text()
    ring, on_dark = _var(access, "focus-ring"), _var(access, "focus-ring-on-dark")
    light = [_var(style, "bg"), _var(style, "surface"), "#eef3f9", "#f6f8fa", "#fdf6ea", "#fcf0ef", "#eef8f2"]
    dark = [_var(style, "brand"), re.search(r"background: (#[0-9a-f]{6})", wall).group(1), "#121b28"]
    low = [(ring, bg, round(contrast(ring, bg), 2)) for bg in light if contrast(ring, bg) < 3]
    low += [(on_dark, bg, round(contrast(on_dark, bg), 2)) for bg in dark if contrast(on_dark, bg) < 3]
    assert low == []


def test_alt010_no_stylesheet_removes_the_focus_ring():
    """``outline: none`` (or 0) only on the main landmark, which takes the focus from the skip link
    without being a control."""
    found = []
    for path in [*ASSETS.glob("*.css"), *(ASSETS.parent / "auth" / "static").glob("*.css")]:
        css = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.S)
        for rule in re.findall(r"([^{}]+)\{([^}]*)\}", css):
            if re.search(r"outline(-style)?\s*:\s*(none|0)\b", rule[1]):
                found.append((path.name, rule[0].strip()))
    assert found == [("access.css", 'main[tabindex="-1"]:focus, main[tabindex="-1"]:focus-visible')]
