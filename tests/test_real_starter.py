"""Issue 18, the real-data starter: the statistics office's province tables shipped in
``data/gso/`` loaded by ``import-real`` through the intake pipeline; values checked against the
CSV files read here independently; a second run changes nothing; the real set and the demo are
never mixed; every mark of the data set says which one is shown."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from data_access import schema
from data_access.engine import DEMO, REAL, get_dataset, migrate, set_dataset
from ingest.real import GSO_DIR, RealDataRefused, import_real, manifest, national_gaps
from tests.conftest import make_settings

# The tables' names as published, and the warehouse keys a reader of the yearbook gives them
# (written here by hand, not by the product's matcher)
KEYS = {" WHOLE COUNTRY": "VN", "Ha Noi": "01", "Thua Thien-Hue": "46", "Ho Chi Minh city": "79-63",
        "Ba Ria - Vung Tau": "77-63", "Dak Nong": "67-63", "Ca Mau": "96-63", "Dien Bien": "11", "Kien  Giang": "91-63"}
# (file, indicator, row name, column as published, period)
CELLS = [
    ("Production of paddy by province.csv", "PADDY_PRODUCTION", "Ha Noi", "Prel. 2016", "2016"),
    ("Production of paddy by province.csv", "PADDY_PRODUCTION", "Kien  Giang", "2015", "2015"),
    ("Production of paddy by province.csv", "PADDY_PRODUCTION", " WHOLE COUNTRY", "1995", "1995"),
    ("Yield of paddy by province.csv", "PADDY_YIELD", "Ca Mau", "2010", "2010"),
    ("Infant mortality rate by province.csv", "INFANT_MORTALITY", "Thua Thien-Hue", "2005", "2005"),
    ("Retail sales of goods and services at current prices by province.csv", "RETAIL_SALES", "Ho Chi Minh city",
     "2014", "2014"),
    ("Labour force at 15 years of age and above by province.csv", "LABOUR_FORCE", "Dak Nong", "2012", "2012"),
    ("Volume of freight carried by province.csv", "FREIGHT_CARRIED", "Ba Ria - Vung Tau", "2015", "2015"),
    ("Poverty rate by province.csv", "POVERTY_RATE", "Dien Bien", "Pre. 2016", "2016"),
    ("Sex ratio of population by province.csv", "SEX_RATIO", " WHOLE COUNTRY", "2009", "2009"),
    ("Average population by province.csv", "POPULATION", "Ha Noi", "Total Prel. 2016", "2016"),  # not Male…Rural
    ("Average population by province.csv", "POPULATION", "Dak Nong", "Total 2004", "2004"),
]


def read_table(name: str) -> tuple[list[str], dict[str, list[str]]]:
    """A published table read with the csv module: its header row and its rows by first cell."""
    with open(GSO_DIR / name, encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.reader(fh, delimiter=";") if r]
    return rows[1], {r[0]: r for r in rows[2:]}


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """A warehouse holding the real data set (SQLite), and its folder."""
    tmp = tmp_path_factory.mktemp("real")
    url = f"sqlite:///{tmp / 'real.sqlite'}"
    engine = create_engine(url)
    migrate(engine)
    outcome = import_real(engine, archive_dir=tmp / "archive")
    yield url, tmp, engine, outcome
    engine.dispose()


def current(engine, code: str, key: str, period: str) -> tuple[float, str] | None:
    o, i, a = schema.current_observation, schema.indicator, schema.area
    with engine.connect() as conn:
        row = conn.execute(select(o.c.value, o.c.status).join(i, i.c.id == o.c.indicator_id)
                           .join(a, a.c.id == o.c.area_id)
                           .where(i.c.code == code, a.c.key == key, o.c.period == period)).first()
    return (row[0], row[1]) if row else None


def test_rst001_every_table_through_the_intake_pipeline(real):
    _, _, engine, outcome = real
    tables = manifest()
    assert len(tables) == 14 and outcome.configured
    assert [t.file for t, _ in outcome.reports] == [t.file for t in tables]
    for table, report in outcome.reports:
        assert report.status == "accepted" and report.format == "wide-csv" and report.channel == "cli", table.file
        assert report.mappings["area"]["Ha Noi"] == "01"
        notes = {(n.code, n.value) for n in report.notes}
        assert ("region_row_skipped", "Red River Delta") in notes and ("mapping_row_skipped", "Ha Tay") in notes
        assert "table_unit_assumed" in {w.code for w in report.warnings}
    o, i, a = schema.current_observation, schema.indicator, schema.area
    with engine.connect() as conn:
        per = conn.execute(select(i.c.code, func.count(func.distinct(o.c.period)), func.count(func.distinct(a.c.key)))
                           .join(i, i.c.id == o.c.indicator_id).join(a, a.c.id == o.c.area_id)
                           .where(a.c.level == "province").group_by(i.c.code)).all()
        in_2015 = conn.execute(select(func.count(func.distinct(a.c.key))).select_from(o)
                               .join(i, i.c.id == o.c.indicator_id).join(a, a.c.id == o.c.area_id)
                               .where(i.c.code == "PADDY_PRODUCTION", o.c.period == "2015",
                                      a.c.level == "province")).scalar()
        regional = conn.execute(select(func.count()).select_from(o).join(a, a.c.id == o.c.area_id)
                                .where(a.c.level == "region")).scalar()
        units = conn.execute(select(schema.agency.c.code)).scalars().all()
    assert sum(1 for _, years, _ in per if years >= 10) >= 10, per
    assert {code: provinces for code, _, provinces in per} == {t.indicator: 63 for t in tables}
    assert in_2015 == 63 and regional == 0  # regions are computed, never stored
    assert units == ["TCTK"]


@pytest.mark.parametrize("file,code,name,column,period", CELLS)
def test_rst002_values_equal_the_published_cells(real, file, code, name, column, period):
    _, _, engine, _ = real
    header, rows = read_table(file)
    published = rows[name][header.index(column)]
    stored = current(engine, code, KEYS[name], period)
    assert stored is not None, (code, name, period)
    assert stored[0] == pytest.approx(float(published), abs=1e-9)
    assert stored[1] == ("P" if "Pre" in column else "O")


def test_rst003_missing_cells_and_ha_tay_are_not_stored(real):
    _, _, engine, _ = real
    header, rows = read_table("Population growth rate by province.csv")
    assert rows["Ha Noi"][header.index("2008")] == ".."
    assert current(engine, "POPULATION_GROWTH", "01", "2008") is None
    assert rows["Ha Tay"][header.index("2005")] == "2.03"  # published, and not read as Hà Nội
    assert current(engine, "POPULATION_GROWTH", "01", "2005")[0] == pytest.approx(float(rows["Ha Noi"][1]))


def test_rst004_whole_country_against_the_sum_of_provinces(real):
    """The national rows are stored as published; from 2008 (after the former Hà Tây, whose rows
    are not loaded) they equal the sum of the 63 provinces to the tables' rounding."""
    _, _, engine, _ = real
    gaps = [g for g in national_gaps(engine) if int(g.period) >= 2008]
    assert {g.indicator for g in gaps} == {"PADDY_PRODUCTION", "PADDY_AREA", "FISHERY_PRODUCTION", "PIGS",
                                           "RETAIL_SALES", "FREIGHT_CARRIED", "LABOUR_FORCE", "POPULATION"}
    assert all(g.count == 63 for g in gaps)
    worst = max(gaps, key=lambda g: g.relative)
    assert worst.relative < 1e-4, worst
    header, rows = read_table("Production of paddy by province.csv")
    paddy_2008 = next(g for g in gaps if g.indicator == "PADDY_PRODUCTION" and g.period == "2008")
    assert paddy_2008.national == pytest.approx(float(rows[" WHOLE COUNTRY"][header.index("2008")]))


def test_rst005_a_second_run_changes_nothing(real):
    _, tmp, engine, _ = real

    def state():
        with engine.connect() as conn:
            return (conn.execute(select(func.count()).select_from(schema.observation)).scalar(),
                    conn.execute(select(schema.data_version.c.version)).scalar(),
                    conn.execute(select(func.count()).select_from(schema.metadata_history)).scalar())

    before = state()
    again = import_real(engine, archive_dir=tmp / "archive")
    assert not again.configured and again.written == 0
    assert {r.status for _, r in again.reports} == {"duplicate"}
    assert state() == before


def test_rst006_the_real_set_and_the_demo_are_never_mixed(real, tmp_path):
    from ingest.seed import WarehouseNotEmpty, seed_demo

    _, _, engine, _ = real
    with engine.connect() as conn:
        assert get_dataset(conn) == REAL
    with pytest.raises(WarehouseNotEmpty, match="real data set"):
        seed_demo(engine)
    demo = create_engine(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    migrate(demo)
    with demo.begin() as conn:
        set_dataset(conn, DEMO)
    with pytest.raises(RealDataRefused, match="demo"):
        import_real(demo, archive_dir=tmp_path / "archive")
    with demo.connect() as conn:  # nothing of it was written
        assert not conn.execute(select(func.count()).select_from(schema.indicator)).scalar()
    demo.dispose()


def test_rst007_a_demo_warehouse_of_before_the_mark_is_recognised(tmp_path):
    """Migration 0015 marks a warehouse the demo seed filled before it existed."""
    from datetime import datetime

    from data_access.engine import migrate as upgrade

    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    upgrade(engine, "0012")
    with engine.begin() as conn:
        conn.execute(schema.submission.insert().values(
            received_at=datetime(2024, 1, 1), channel="seed", sha256="0" * 64, status="accepted", rows_total=0,
            rows_written=0, errors=0, warnings=0, submitted_by="demo"))
        conn.execute(schema.data_version.insert().values(id=1, version=1, updated_at=datetime(2024, 1, 1)))
    upgrade(engine)
    with engine.connect() as conn:
        assert get_dataset(conn) == DEMO
    with pytest.raises(RealDataRefused):
        import_real(engine, archive_dir=tmp_path / "archive")
    engine.dispose()


def _chrome(server) -> str:
    body = {"output": "..shell-header.children...shell-footer.children..",
            "outputs": [{"id": "shell-header", "property": "children"}, {"id": "shell-footer", "property": "children"}],
            "inputs": [{"id": "shell-location", "property": "pathname", "value": "/"},
                       {"id": "shell-location", "property": "search", "value": ""}],
            "changedPropIds": ["shell-location.pathname"]}
    res = server.test_client().post("/_dash-update-component", json=body)
    assert res.status_code == 200
    return json.dumps(res.get_json(), ensure_ascii=False)


def _xlsx_meta(server, indicator: str = "PADDY_PRODUCTION") -> dict:
    from openpyxl import load_workbook

    from exports import specs as S

    spec = {"kind": "trend", "indicator": indicator, "areas": ["VN"]}
    res = server.test_client().get("/export/chart.xlsx", query_string={"spec": S.encode_spec(spec), "lang": "vi"})
    assert res.status_code == 200
    book = load_workbook(io.BytesIO(res.get_data()))
    return {r[0]: r[1] for r in book[book.sheetnames[-1]].iter_rows(values_only=True)}


def test_rst008_every_mark_says_official_statistics_with_its_source(real):
    from app import create_app
    from components.shell import dataset_badge
    from exports.packs import build_pack, pack_html

    url, tmp, _, _ = real
    server = create_app(make_settings(url, tmp))
    try:
        chrome = _chrome(server)
        assert "Số liệu chính thức" in chrome and "Nguồn: Tổng cục Thống kê" in chrome
        assert "Dữ liệu minh họa" not in chrome
        meta = _xlsx_meta(server)
        assert meta["Số liệu chính thức"].startswith("Nguồn: Tổng cục Thống kê")
        assert "Dữ liệu minh họa" not in meta
        with server.test_request_context("/"):
            wall = dataset_badge("vi", wall=True)
            pack = build_pack("Gói thử", [{"kind": "kpi_tiles", "area": "VN"}], "vi")
            assert pack.charts[0].meta.source_line().endswith("Số liệu chính thức")
            html = pack_html(pack, [b"<svg xmlns='http://www.w3.org/2000/svg'/>"])
        assert (wall.children, wall.className) == ("Số liệu chính thức", "wall-official")
        assert "Số liệu chính thức" in html and "Nguồn: Tổng cục Thống kê" in html and "minh họa" not in html
        signin = server.test_client().get("/signin").get_data(as_text=True)
        assert "Nguồn: Tổng cục Thống kê" in signin
    finally:
        server.extensions["warehouse"].dispose()


def test_rst009_the_demo_keeps_its_mark(databases, tmp_path):
    from app import create_app
    from tests.conftest import seeded_url_for

    server = create_app(make_settings(seeded_url_for("sqlite", databases), tmp_path))
    try:
        chrome = _chrome(server)
        assert "Dữ liệu minh họa" in chrome and "Số liệu chính thức" not in chrome
        assert _xlsx_meta(server, "EXPORTS")["Dữ liệu minh họa"].startswith("Số liệu trên hệ thống là dữ liệu tổng hợp")
    finally:
        server.extensions["warehouse"].dispose()


def test_rst010_command_help(root: Path):
    from click.testing import CliRunner

    from ingest.cli import import_real_cmd

    res = CliRunner().invoke(import_real_cmd, ["--help"])
    assert res.exit_code == 0 and "Số liệu chính thức" in res.output and "SEED_DEMO=0" in res.output


def test_rst011_boards_without_regimes_targets_or_monthly_data_show_empty_states(real):
    """On the annual real set: the wall's map and sector board take annual indicators, its
    reporting rates are empty (no full bar of nothing), the compliance page says no regime is
    configured; none of them raises."""
    from app import create_app
    from components.wallboards import compliance_board
    from views import wall as view

    url, tmp, _, _ = real
    server = create_app(make_settings(url, tmp))
    try:
        with server.test_request_context("/"):
            import dashboards.compliance as compliance

            assert view.wall_province_indicator() == "POPULATION"  # the first summed headline one
            title, charts = view.sector_charts("G03", "vi")  # a group of the demo: the first group instead
            assert title == "Nông nghiệp, lâm nghiệp và thủy sản"
            assert [ind.code for ind, _, _ in charts] == ["FISHERY_PRODUCTION", "PADDY_AREA", "PADDY_PRODUCTION",
                                                          "PADDY_YIELD", "PIGS"]
            assert [len(frame) for _, frame, _ in charts] == [22] * 5  # 1995-2016, the board's last 24 periods
            assert view.reporting_rates_rows("vi") == []
            board = json.dumps(compliance_board([], [], "vi").to_plotly_json(), default=str, ensure_ascii=False)
            assert "Chưa có số liệu báo cáo cho kỳ này" in board
            summary, matrix, overdue = compliance.render(None, None, "vi")
        assert summary.children == "Chưa có chế độ báo cáo nào được thiết lập"
        assert "Không có báo cáo quá hạn" in json.dumps(overdue, default=str, ensure_ascii=False)
    finally:
        server.extensions["warehouse"].dispose()


def test_rst012_the_same_load_on_both_backends(backend, databases, tmp_path):
    """import-real on SQLite and PostgreSQL: the same values, the same national check, and a
    second run that changes nothing."""
    engine = create_engine(databases.new(backend))
    migrate(engine)
    first = import_real(engine, archive_dir=tmp_path / "archive")
    again = import_real(engine, archive_dir=tmp_path / "archive")
    assert first.written == 14_715 and again.written == 0
    header, rows = read_table("Retail sales of goods and services at current prices by province.csv")
    assert current(engine, "RETAIL_SALES", "79-63", "2016") == (
        pytest.approx(float(rows["Ho Chi Minh city"][header.index("Prel. 2016")])), "P")
    assert max(g.relative for g in national_gaps(engine) if int(g.period) >= 2008) < 1e-4
    with engine.connect() as conn:
        assert get_dataset(conn) == REAL
    engine.dispose()


REGIONS = {"Red River Delta": "R2-63", "Northern midlands and mountain areas": "R1-63",
           "Northern Central area and Central coastal area": "R3-63", "Central Highlands": "R4-63",
           "South East": "R5-63", "Mekong River Delta": "R6-63"}


@pytest.mark.parametrize("file,code,column", [
    ("Production of paddy by province.csv", "PADDY_PRODUCTION", "Prel. 2016"),
    ("Yield of paddy by province.csv", "PADDY_YIELD", "2012"),  # weighted by the planted area
    ("Labour force at 15 years of age and above by province.csv", "LABOUR_FORCE", "2010"),
])
def test_rst013_skipped_regional_rows_equal_the_products_own_aggregation(real, file, code, column):
    """The tables' regional rows are skipped, not lost: the boards' regional figures, computed from
    the provinces by each indicator's rule, equal them to the tables' rounding."""
    from app import create_app
    from data_access.queries import regional_aggregates

    url, tmp, _, _ = real
    header, rows = read_table(file)
    period = column.split()[-1]
    server = create_app(make_settings(url, tmp))
    try:
        with server.test_request_context("/"):
            computed = regional_aggregates(code, period).set_index("region_key")["value"]
    finally:
        server.extensions["warehouse"].dispose()
    for name, key in REGIONS.items():
        assert computed[key] == pytest.approx(float(rows[name][header.index(column)]), abs=0.051), (name, key)


def test_rst014_a_group_of_period_columns_is_read_by_its_name():
    """``column_group``: the periods of one group of a header that repeats them under several."""
    from ingest.published import ImportMapping, period_reader

    total, male = period_reader(ImportMapping(column_group="Total")), period_reader(ImportMapping(column_group="Male"))
    assert total("Total 1995") == ("1995", False) and total("Total Prel. 2016") == ("2016", True)
    assert total("Male 1995") is None and total("1995") is None
    assert male("Male 2010") == ("2010", False) and male("Female 2010") is None  # a whole word only
    density = period_reader(ImportMapping(column_group="Average population (Thous. pers.)"))
    assert density("2011 Average population (Thous. pers.)") == ("2011", False)
    assert density("2011 Area (Km2)") is None
    assert period_reader(None)("Total 1995") is None and period_reader(None)("Prel. 2016") == ("2016", True)
