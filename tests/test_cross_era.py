"""Issue 18: no silent mistakes across the 2025 merger. A merged province's unit (the new Bắc Ninh,
code 24) reporting a pre-merger period with its own code is asked, not guessed for: refused with an
explanation, or stored as an explicit back-cast (``24@2025``) that the comparable series uses
instead of summing the former provinces (never counted twice). The read API's ``area=`` does one
documented thing. Both backends."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app import create_app
from domain.area_refs import split_ref, unit_era_day
from tests.conftest import BACKENDS, counts, csv_bytes, current_value, make_settings, module_warehouse, send

RECEIVED = datetime(2025, 11, 20, 9, 0)


@pytest.fixture(scope="module", params=BACKENDS)
def env(request, databases, tmp_path_factory):
    url, tmp, engine = module_warehouse(request, databases, tmp_path_factory)
    app = create_app(make_settings(url, tmp))
    # the former provinces' own values, each with the code of its time: 24 = Bắc Giang and 27 = Bắc Ninh
    # before 2025-07-01 (sent before the merger)
    for unit, code, values in (("UB24-63", "24", (1810.5, 1840.0, 1860.0)), ("UB27-63", "27", (1378.2, 1400.0, 1420.0))):
        rows = [f"POPULATION,{code},{year},{v}" for year, v in zip((2019, 2020, 2021), values, strict=True)]
        report = send(engine, tmp, unit, csv_bytes(*rows), received_at=datetime(2025, 3, 1))
        assert report.status == "accepted", report.errors
    yield app, engine, tmp
    app.extensions["warehouse"].dispose()
    engine.dispose()


def test_era001_domain_rules():
    assert split_ref("24@2025") == ("24", date(2025, 12, 31))
    assert split_ref("24 @ 2025-07-01") == ("24", date(2025, 7, 1))
    assert split_ref("24") is None
    with pytest.raises(ValueError):
        split_ref("24@")
    # a unit that existed in the period reads the codes of that time; one that did not, its own era's
    assert unit_era_day(None, None, date(2019, 12, 31)) is None
    assert unit_era_day(date(2025, 7, 1), None, date(2019, 12, 31)) == date(2025, 7, 1)
    assert unit_era_day(None, date(2025, 6, 30), date(2025, 12, 31)) == date(2025, 6, 30)


def test_era002_own_code_for_a_pre_merger_period_is_refused_with_an_explanation(env):
    app, engine, tmp = env
    before = counts(engine)
    report = send(engine, tmp, "UB24", csv_bytes("POPULATION,24,2019,3188.7"), received_at=RECEIVED)
    assert report.status == "rejected"
    assert [(e.code, e.row, e.column, e.value) for e in report.errors] == [
        ("area_code_changed_meaning", 2, "area_code", "24")]
    err = report.errors[0]
    assert "24-63 Bắc Giang" in err.message_vi and "24 Bắc Ninh" in err.message_vi and "24@2025" in err.message_vi
    assert "meant 24-63 Bắc Giang" in err.message_en and "write 24-63" in err.message_en
    assert counts(engine) == before
    assert current_value(engine, "POPULATION", "24-63", "2019").value == 1810.5  # untouched


def test_era003_a_name_that_changed_meaning_is_refused_too(env):
    """"Bắc Ninh" in 2019 was the former Bắc Ninh (27-63), not the new unit's province."""
    _, engine, tmp = env
    report = send(engine, tmp, "UB24", csv_bytes("POPULATION,Bắc Ninh,2019,3188.7"), received_at=RECEIVED)
    assert [(e.code, e.row) for e in report.errors] == [("area_code_changed_meaning", 2)]
    assert "27-63 Bắc Ninh" in report.errors[0].message_en


def test_era004_former_codes_and_keys_stay_unambiguous_for_the_new_unit(env):
    """27 never meant anything else, and the key 24-63 is explicit: both accepted for the formers."""
    _, engine, tmp = env
    report = send(engine, tmp, "UB24", csv_bytes("POPULATION,24-63,2022,1880.0", "POPULATION,27,2022,1440.0"),
                  received_at=RECEIVED)
    assert report.status == "accepted", report.errors
    assert current_value(engine, "POPULATION", "24-63", "2022").value == 1880.0
    assert current_value(engine, "POPULATION", "27-63", "2022").value == 1440.0


def test_era005_backcast_is_stored_and_used_instead_of_summing(env):
    app, engine, tmp = env
    report = send(engine, tmp, "UB24", csv_bytes("POPULATION,24@2025,2019,3200.0", "POPULATION,24@2025,2021,3290.5",
                                                 "POPULATION,24,2025,3550.0"), received_at=RECEIVED)
    assert report.status == "accepted", report.errors
    assert [(n.code, n.value) for n in report.notes] == [("area_backcast", "24@2025")]
    # stored under the new province itself, not under the former Bắc Giang
    assert current_value(engine, "POPULATION", "24", "2019").value == 3200.0
    assert current_value(engine, "POPULATION", "24-63", "2019").value == 1810.5
    from data_access.queries import comparable_series

    with app.test_request_context():
        cs = comparable_series("POPULATION", ("24",), "2019", "2025")
    got = {r.period: (r.value, r.rebuilt) for r in cs.itertuples()}
    # value by value: 2019 and 2021 back-cast as sent (never 3200 + 1810.5 + 1378.2), 2020 and 2022
    # rebuilt from the two former provinces, 2025 the new province's own value; one row per period
    assert got == {"2019": (3200.0, False), "2020": (1840.0 + 1400.0, True), "2021": (3290.5, False),
                   "2022": (1880.0 + 1440.0, True), "2025": (3550.0, False)}
    assert len(cs) == 5


def test_era006_backcast_form_is_checked(env):
    _, engine, tmp = env
    report = send(engine, tmp, "UB24", csv_bytes("POPULATION,24@,2019,1", "POPULATION,24@2019,2025,1",
                                                 "POPULATION,99@2025,2019,1"), received_at=RECEIVED)
    assert [(e.code, e.row) for e in report.errors] == [
        ("bad_area_ref", 2), ("area_not_valid_for_period", 3), ("unknown_area", 4)]


def test_era007_read_api_area_means_one_thing(env):
    app, *_ = env
    client = app.test_client()

    def get(area: str, **bounds: str):
        return client.get("/api/v1/observations", query_string={"indicator": "POPULATION", "area": area, **bounds})

    # a code that changed meaning: within one era it is that era's area ...
    old = get("24", to="2024").json["observations"]
    assert [(o["area_key"], o["period"], o["value"]) for o in old] == [
        ("24-63", "2019", 1810.5), ("24-63", "2020", 1840.0), ("24-63", "2021", 1860.0), ("24-63", "2022", 1880.0)]
    assert [o["area_key"] for o in get("24", **{"from": "2025"}).json["observations"]] == ["24"]
    # ... and across the change it is a question, not a guess
    res = get("24")
    assert res.status_code == 400 and "24-63" in res.json["error"]["message_en"] and "24@2025" in \
        res.json["error"]["message_en"]
    # a key is that area; CODE@WHEN is today's province through time (back-casts, else rebuilt)
    assert {o["area_key"] for o in get("24-63").json["observations"]} == {"24-63"}
    territory = get("24@2025").json["observations"]
    assert [(o["period"], o["value"], o["rebuilt"]) for o in territory] == [
        ("2019", 3200.0, False), ("2020", 3240.0, True), ("2021", 3290.5, False), ("2022", 3320.0, True),
        ("2025", 3550.0, False)]
    assert get("01").json["count"] == 0 and get("01").status_code == 200  # one meaning: no question


# -- the back-cast as a field: territory=current (CSV and XLSX column, JSON field) --------------


def _xlsx(rows: list[tuple]) -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_era008_territory_current_is_the_backcast_form_in_every_long_format(env):
    """``territory=current`` reads the area cell in the unit's current era: for UB24, 24 (and the name
    "Bắc Ninh") in 2016-2018 is today's Bắc Ninh back-cast, stored as 24@2025 would be; a 2025 row
    with territory=current is the plain value."""
    app, engine, tmp = env
    header = "indicator_code,area_code,period,value,territory"
    report = send(engine, tmp, "UB24", csv_bytes("POPULATION,24,2016,3101.0,current", "POPULATION,24,2026,3600.0,",
                                                 header=header), received_at=datetime(2026, 12, 1))
    assert report.status == "accepted", report.errors
    assert [(n.code, n.row, n.value) for n in report.notes] == [("area_backcast", 2, "24")]
    assert current_value(engine, "POPULATION", "24", "2016").value == 3101.0
    assert current_value(engine, "POPULATION", "24-63", "2016") is None
    assert current_value(engine, "POPULATION", "24", "2026").value == 3600.0
    body = {"observations": [{"indicator_code": "POPULATION", "area_code": "Bắc Ninh", "period": "2017",
                              "value": 3120.5, "territory": "current"}]}
    import json

    report = send(engine, tmp, "UB24", json.dumps(body).encode(), filename="t.json", received_at=RECEIVED)
    assert report.status == "accepted", report.errors
    assert [w.code for w in report.warnings] == ["area_name_matched"] and report.mappings == {
        "area": {"Bắc Ninh": "24"}}
    assert [n.code for n in report.notes] == ["area_backcast"]
    assert current_value(engine, "POPULATION", "24", "2017").value == 3120.5
    assert current_value(engine, "POPULATION", "27-63", "2017") is None  # not the former Bắc Ninh
    report = send(engine, tmp, "UB24", _xlsx([("indicator_code", "area_code", "period", "value", "Territory"),
                                              ("POPULATION", "24", "2018", 3150.25, "Hiện nay")]),
                  filename="t.xlsx", received_at=RECEIVED)
    assert report.status == "accepted", report.errors
    assert current_value(engine, "POPULATION", "24", "2018").value == 3150.25
    from data_access.queries import comparable_series

    with app.test_request_context():
        cs = comparable_series("POPULATION", ("24",), "2016", "2018")
    assert [(r.period, r.value, r.rebuilt) for r in cs.itertuples()] == [
        ("2016", 3101.0, False), ("2017", 3120.5, False), ("2018", 3150.25, False)]


def test_era009_territory_current_for_units_that_existed_reads_todays_codes(env):
    """A unit that spans both eras (TK) with territory=current: 24 is today's Bắc Ninh (back-cast for
    2015); 01 never changed, so it is Hà Nội as written, with no note. A former province's unit reads
    its own last day: 24 is the former Bắc Giang."""
    _, engine, tmp = env
    header = "indicator_code,area_code,period,value,territory"
    report = send(engine, tmp, "TK", csv_bytes("POPULATION,24,2015,3050.0,current", "POPULATION,01,2015,7300.0,current",
                                               header=header), received_at=RECEIVED)
    assert report.status == "accepted", report.errors
    assert [(n.code, n.value) for n in report.notes] == [("area_backcast", "24")]
    assert current_value(engine, "POPULATION", "24", "2015").value == 3050.0
    assert current_value(engine, "POPULATION", "01", "2015").value == 7300.0
    report = send(engine, tmp, "UB24-63", csv_bytes("POPULATION,24,2015,1700.0,current", header=header),
                  received_at=RECEIVED)
    assert report.status == "accepted", report.errors
    assert report.notes == []
    assert current_value(engine, "POPULATION", "24-63", "2015").value == 1700.0


def test_era010_territory_values_are_checked(env):
    _, engine, tmp = env
    before = counts(engine)
    header = "indicator_code,area_code,period,value,territory"
    report = send(engine, tmp, "UB24", csv_bytes("POPULATION,24,2014,1,later", "POPULATION,24@2025,2013,1,current",
                                                 "POPULATION,24,2012,1,", header=header), received_at=RECEIVED)
    assert [(e.code, e.row, e.column, e.value) for e in report.errors] == [
        ("bad_territory", 2, "territory", "later"), ("bad_territory", 3, "territory", "current"),
        ("area_code_changed_meaning", 4, "area_code", "24")]
    assert "territory = current" in report.errors[2].message_en
    assert "current" in report.errors[0].message_vi and counts(engine) == before
