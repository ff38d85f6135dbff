"""The one tile builder and the one sparkline give, on the demo warehouse, exactly what the three
tile builders and two sparklines they replaced gave (fingerprints recorded from the old builders
in tests/data/tiles_golden.json; SVG data URIs compared decoded, as the browser reads them). The
sector cards' and the card sparkline's fingerprints were recorded again when their colours changed
for contrast (issue 16): with the former colours they give the former fingerprints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.sparkline import spark_svg
from components.status import direction
from components.tiles import target_is_level, tile
from i18n import fmt_number, format_period
from tests.tile_outputs import fingerprint, outputs

GOLDEN = json.loads((Path(__file__).parent / "data" / "tiles_golden.json").read_text())

OLD_SPARK_ALT = {"vi": "Diễn biến từ {first} ({v0}) đến {last} ({v1})", "en": "From {first} ({v0}) to {last} ({v1})"}


def with_old_spark_words(card: dict, kpi, ind, lang: str) -> dict:
    """A sector card with its sparkline's words as the old builder wrote them: the words changed
    on purpose (issue 16: the latest value, the highest and the lowest; tests/test_chart_alt.py
    checks them); everything else must still equal the old builder's card."""
    for node in card["props"]["children"]["props"]["children"]:
        if isinstance(node, dict) and node["props"].get("className") == "sm-chart" and "alt" in node["props"]:
            node["props"]["alt"] = OLD_SPARK_ALT[lang].format(
                first=format_period(kpi.spark_periods[0], lang), v0=fmt_number(kpi.spark[0], ind.decimals, lang),
                last=format_period(kpi.spark_periods[-1], lang), v1=fmt_number(kpi.spark[-1], ind.decimals, lang))
    return card


NEW = {
    "desk": lambda k, i, lang, ytd: tile(k, i, lang),
    "desk-href": lambda k, i, lang, ytd: tile(k, i, lang, href=f"/x/{k.code}"),
    "sector": lambda k, i, lang, ytd: with_old_spark_words(
        tile(k, i, lang, "sector", href=f"/indicator/{k.code}", ytd=ytd), k, i, lang),
    "wall": lambda k, i, lang, ytd: tile(k, i, lang, "wall"),
    "spark-tile": lambda k, i, lang, ytd: spark_svg(k.spark, variant="tile"),
    "spark-card": lambda k, i, lang, ytd: spark_svg(k.spark, k.spark_periods, status=k.target_status, lang=lang,
                                                    target=k.target if target_is_level(i) and k.target is not None
                                                    else None),
}


@pytest.mark.parametrize("backend", ["sqlite"])
def test_til001_builders_equal_the_old_ones_on_the_demo(seeded_app):
    with seeded_app.test_request_context("/"):
        got = {group: fingerprint(out) for group, out in outputs(NEW)}
    assert set(got) == set(GOLDEN)
    assert [g for g in sorted(got) if got[g] != GOLDEN[g]] == []


def test_til002_direction_one_rule_with_the_walls_band():
    assert direction(1.0, "up") == "good" and direction(1.0, "down") == "bad"
    assert direction(-1.0, "down") == "good" and direction(None, "up") == "neutral"
    assert direction(0.04, "up") == "neutral" and direction(5.0, "neutral") == "neutral"
    assert direction(0.04, "up", dead_band=0) == "good"  # the wall colours every change


@pytest.mark.parametrize("text", ["<svg a='#1' b=\"x\">50%25 % \n Tháng 1 · ñ</svg>", "%%##<<>>\"\"\n\n", "", "plain"])
def test_til003_data_uri_text_escapes_what_a_data_uri_must_and_decodes_back(text):
    """A sparkline's SVG in a data URI: '%', '#', '<', '>', '"' and newlines escaped ('%' first, so
    an escape is never escaped again), the rest as it is; the browser's decoding gives it back."""
    from urllib.parse import unquote

    from components.sparkline import data_uri_text

    escaped = data_uri_text(text)
    assert unquote(escaped) == text
    assert not set("#<>\"\n") & set(escaped) and escaped.count("%") == sum(text.count(c) for c in "%#<>\"\n")
