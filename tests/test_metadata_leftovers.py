"""Issue 17, the smaller parts: derived indicators marked "computed" on the boards and in exports;
range targets (low and high) on the tiles, the indicator page and the province profile, judged by
the rule of domain/targets.py; a metadata import that retires what a full package leaves out
(service, command line, API; off by default, shown as retired in the dry run); draft indicators
hidden from everyone but admins."""

from __future__ import annotations

import json

import pytest
from flask import g

from domain.targets import target_status
from i18n import fmt_number
from ingest.reference import DEMO_PACKAGE
from metadata import service
from tests.auth_helpers import ORIGIN
from tests.conftest import app_on, seeded_sqlite_world
from tests.test_metadata_doors import client, env  # noqa: F401 - the fixture

ACTOR = service.Actor("t.admin", "admin", None, "cli")


def _text(node) -> str:
    """Every text of a layout tree (Dash components or fast elements), joined."""
    if isinstance(node, str):
        return node
    if isinstance(node, list | tuple):
        return " ".join(_text(n) for n in node)
    if isinstance(node, dict):
        props = node.get("props", {})
        return " ".join(_text(props.get(k)) for k in ("children", "title", "tree") if props.get(k) is not None)
    if hasattr(node, "to_plotly_json"):
        return _text(node.to_plotly_json())
    return ""


@pytest.fixture(scope="module")
def world(databases, tmp_path_factory):
    """A seeded demo copy with an app on it."""
    url, tmp, engine = seeded_sqlite_world(databases, tmp_path_factory, "leftovers")
    with app_on(url, tmp) as server:
        yield server, engine
    engine.dispose()


# -- computed --------------------------------------------------------------------------------------------


def test_mlo001_boards_and_exports_say_a_value_is_computed(world):
    from components.tiles import tile
    from dashboards import indicator, province, sectors
    from data_access.catalogue import get_indicator, indicator_map
    from data_access.provinces import province_scorecard_rows
    from data_access.queries import kpi_snapshot
    from data_access.series import indicator_coverage
    from exports import specs

    server, _ = world
    with server.test_request_context("/"):
        g.occ_clearance = "all"
        ind, plain = get_indicator("TRADE_TURNOVER"), get_indicator("EXPORTS")
        kpis = dict(zip(("TRADE_TURNOVER", "EXPORTS"), kpi_snapshot(("TRADE_TURNOVER", "EXPORTS"), "VN"), strict=True))
        for lang, word in (("vi", "Chỉ tiêu tính toán"), ("en", "Computed")):
            assert word in _text(tile(kpis["TRADE_TURNOVER"], ind, lang))
            assert word not in _text(tile(kpis["EXPORTS"], plain, lang))
            assert word in _text(tile(kpis["TRADE_TURNOVER"], ind, lang, "sector"))
        about = _text(indicator.metadata(ind, indicator_coverage(ind.code), "vi"))
        assert "Chỉ tiêu tính toán" in about and "EXPORTS + IMPORTS" in about
        assert "Chỉ tiêu tính toán" not in _text(indicator.metadata(plain, indicator_coverage("EXPORTS"), "vi"))
        assert "Computed" in _text(indicator.headline(ind, "VN", "en"))
        imap = indicator_map()
        rows = {r["code"]: r for r in sectors.grid_rows(kpi_snapshot(("TRADE_TURNOVER", "EXPORTS"), "VN"), imap, "en")}
        assert "Computed" in rows["TRADE_TURNOVER"]["marks"] and "Computed" not in rows["EXPORTS"]["marks"]
        scorecard = {r["code"]: r for r in province.scorecard_rows(province_scorecard_rows("01"), "01", None, "vi")}
        assert scorecard["TRADE_TURNOVER"]["indicator"].endswith("· Chỉ tiêu tính toán")
        assert "tính toán" not in scorecard["EXPORTS"]["indicator"]
        trend = specs.build({"kind": "trend", "indicator": "TRADE_TURNOVER"}, "vi")
        assert "Chỉ tiêu tính toán: EXPORTS + IMPORTS" in trend.meta.source_line()
        assert "tính toán" not in specs.build({"kind": "trend", "indicator": "EXPORTS"}, "vi").meta.source_line()
        tiles = specs.build({"kind": "kpi_tiles", "indicators": ["TRADE_TURNOVER", "EXPORTS"]}, "en")
        assert any("Computed: EXPORTS + IMPORTS" in n for n in tiles.meta.notes)


# -- range targets ------------------------------------------------------------------------------------------


def test_mlo003_the_range_rule():
    """Inside the range (bounds included): on track; outside, judged from the bound passed."""
    assert target_status(3.0, 3.0, "range", 4.5) == "on_track" == target_status(4.5, 3.0, "range", 4.5)
    assert target_status(2.9, 3.0, "range", 4.5) == "at_risk"  # 3.3 % short of the low bound
    assert target_status(2.0, 3.0, "range", 4.5) == "off_track"
    assert target_status(4.6, 3.0, "range", 4.5) == "at_risk"  # 2.2 % above the high bound
    assert target_status(6.0, 3.0, "range", 4.5) == "off_track"
    assert target_status(4.0, 3.0, "range", None) is None


def test_mlo004_range_targets_on_tiles_the_indicator_page_and_the_province_profile(world):
    from components.tiles import tile
    from dashboards import indicator, province
    from data_access.catalogue import get_indicator
    from data_access.queries import kpi_snapshot
    from data_access.series import series_with_change

    server, engine = world
    ind_code = "CPI_YOY"
    with server.test_request_context("/"):
        g.occ_clearance = "all"
        year = int(kpi_snapshot((ind_code,), "VN")[0].period[:4])
    for area in ("VN", "01"):
        row = {"indicator": ind_code, "area": area, "year": year, "comparison": "range", "value": 3.0,
               "value_max": 4.5, "source": "Nghị quyết (minh họa)"}
        key = f"{ind_code}|{area}|{year}"
        done = (service.update(engine, "targets", key, row, actor=ACTOR) if area == "VN"
                else service.create(engine, "targets", row, actor=ACTOR))
        assert done.applied, done.problems[:3]
    with server.test_request_context("/"):
        g.occ_clearance = "all"
        ind = get_indicator(ind_code)
        words = f"{fmt_number(3.0, ind.decimals, 'vi')} – {fmt_number(4.5, ind.decimals, 'vi')}"
        for area in ("VN", "01"):
            kpi = kpi_snapshot((ind_code,), area)[0]
            assert (kpi.target, kpi.target_max, kpi.target_comparison) == (3.0, 4.5, "range")
            assert kpi.target_status == target_status(kpi.value, 3.0, "range", 4.5) is not None
            assert f"Kế hoạch {words}" in _text(tile(kpi, ind, "vi"))
        page = _text(indicator.target_block(ind, kpi_snapshot((ind_code,), "VN")[0], "VN", "vi"))
        assert f"Kế hoạch {words}" in page
        assert f"Kế hoạch {words}" in _text(province.layout(key="01", lang="vi"))
        df = series_with_change(ind_code, ("VN",), f"{year - 1}01", f"{year}12")
        fig, _ = indicator.trend(ind, df, ("VN",), "value", "abs", {"VN": "Cả nước"}, "vi", False, False)
        steps = [y for trace in fig["data"] if trace.get("meta", {}).get("role") == "target" for y in trace["y"]]
        assert 3.0 in steps and 4.5 in steps  # the chart draws both bounds of the range


# -- retire what is absent -------------------------------------------------------------------------------------


def _without_flash(doc: dict) -> dict:
    doc["indicators"] = [i for i in doc["indicators"] if i["code"] != "GDP_FLASH"]
    doc["targets"] = [t for t in doc["targets"] if t["indicator"] != "GDP_FLASH"]
    for r in doc["regimes"]:
        r["indicators"] = [c for c in r["indicators"] if c != "GDP_FLASH"]
    return doc


def test_mlo005_a_full_package_retires_what_it_leaves_out_when_asked(env, tmp_path):  # noqa: F811
    """Off by default; with retire_absent the dry run lists GDP_FLASH as retired (API), the
    command line applies it; a kind the package does not hold is left alone; a package that leaves
    out a unit its active indicators use is refused with the row."""
    server, engine, cookies = env
    admin = client(server, cookies, "admin")
    doc = _without_flash(json.loads(DEMO_PACKAGE.read_bytes()))
    body = json.dumps(doc, ensure_ascii=False).encode()
    plain = admin.post("/api/v1/metadata/import?dry_run=true", data=body, content_type="application/json",
                       headers={"Origin": ORIGIN}).get_json()
    assert plain["ok"] and plain["diff"]["indicators"]["retired"] == []
    dry = admin.post("/api/v1/metadata/import?dry_run=true&retire_absent=true", data=body,
                     content_type="application/json", headers={"Origin": ORIGIN}).get_json()
    assert dry["ok"], dry["problems"][:3]
    assert not dry["applied"] and dry["diff"]["indicators"]["retired"] == ["GDP_FLASH"]
    assert dry["diff"]["regimes"]["changed"] == ["TK-Q"]
    spec = admin.get("/api/v1/openapi.json").get_json()
    params = spec["paths"]["/api/v1/metadata/import"]["post"]["parameters"]
    assert "retire_absent" in {p["name"] for p in params}

    runner = server.test_cli_runner()
    path = tmp_path / "full.json"
    path.write_bytes(body)
    done = runner.invoke(args=["metadata", "import", "--retire-absent", "--by", "t.operator", str(path)])
    assert done.exit_code == 0 and "APPLIED" in done.output, done.output
    assert service.history(engine, "indicators", "GDP_FLASH")[-1]["after"]["status"] == "retired"
    assert "--retire-absent" in runner.invoke(args=["metadata", "import", "--help"]).output

    groups_only = service.apply(engine, _package({"groups": doc["groups"]}), actor=ACTOR, retire_absent=True)
    assert groups_only.ok and groups_only.diff.empty  # indicators, units, regimes, targets untouched

    no_unit = dict(doc, units=[u for u in doc["units"] if u["code"] != "BCA"])
    refused = service.apply(engine, _package({k: no_unit[k] for k in ("units", "indicators", "regimes")}),
                            actor=ACTOR, retire_absent=True, dry_run=True)
    assert not refused.ok and {p.code for p in refused.problems} == {"retired_reference"}
    assert all(p.row is not None for p in refused.problems)


def _package(records: dict):
    from metadata.package import from_records

    return from_records(records)


# -- drafts ------------------------------------------------------------------------------------------------------


def test_mlo006_draft_indicators_are_shown_to_admins_only(env):  # noqa: F811
    server, engine, cookies = env
    from tests.auth_sessions import ensure_session

    cookies = {**cookies, "leader": ensure_session(engine, "t.leader", "leader", token="session-of-leader-" + "z" * 20)[1]}
    draft = {"code": "NEW_DRAFT_IND", "name_vi": "Chỉ tiêu dự thảo mới", "name_en": "New draft indicator",
             "group": "G01", "unit_vi": "%", "unit_en": "%", "periodicity": "M", "levels": ["nation"],
             "aggregation": "none", "direction": "up", "agency": "TK", "status": "draft"}
    assert service.create(engine, "indicators", draft, actor=ACTOR).applied
    for who, sees in (("admin", True), ("leader", False), ("analyst", False)):
        c = client(server, cookies, who)
        listed = {i["code"] for i in c.get("/api/v1/indicators").get_json()["indicators"]}
        found = {i["code"] for i in c.get("/api/v1/indicators?q=du thao moi").get_json()["indicators"]}
        assert ("NEW_DRAFT_IND" in listed) is sees and ("NEW_DRAFT_IND" in found) is sees, who
        assert "CPI_YOY" in listed
    assert service.update(engine, "indicators", "NEW_DRAFT_IND", {"status": "active"}, actor=ACTOR).applied
    c = client(server, cookies, "analyst")
    assert "NEW_DRAFT_IND" in {i["code"] for i in c.get("/api/v1/indicators").get_json()["indicators"]}


# -- export menus, built once per catalogue ------------------------------------------------------------


def test_mlo007_an_export_menu_is_built_once_until_the_catalogue_changes(world, monkeypatch):
    """A chart's menu is the same for every view until the catalogue changes: it is built once
    per process (validate not called again), and a renamed indicator's menu carries its new name."""
    from exports import menu

    server, engine = world
    built = []
    validate = menu.validate
    monkeypatch.setattr(menu, "validate", lambda raw: built.append(raw) or validate(raw))
    spec = {"kind": "trend", "indicator": "CPI_YOY", "areas": ["VN"]}

    def menu_json() -> str:
        with server.test_request_context("/"):
            return json.dumps(menu.chart_menu(spec, "vi"), ensure_ascii=False)

    old = menu_json()
    assert menu_json() == old and len(built) == 1
    with server.test_request_context("/"):
        from data_access.catalogue import get_indicator

        name = get_indicator("CPI_YOY").name_vi
    assert name in old
    assert service.update(engine, "indicators", "CPI_YOY", {"name_vi": "Giá tiêu dùng (tên mới)"}, actor=ACTOR).applied
    try:
        new = menu_json()
        assert len(built) == 2 and "Giá tiêu dùng (tên mới)" in new and "tên mới" not in old
    finally:
        service.update(engine, "indicators", "CPI_YOY", {"name_vi": name}, actor=ACTOR)
