"""Issue 18: a back-cast (a value of today's merged province for a period before it existed) is read
only by the comparable series, instead of the former provinces' sum; every plain reader leaves it
out, so it is never shown as a value of the earlier era's areas nor counted beside them.

The world: the new Bắc Ninh (24, from 2025-07-01) = the former Bắc Giang (24-63) + the former Bắc Ninh
(27-63). Both formers reported POPULATION for 2019-2024; the new province's unit sent back-casts
(``24@2025``) for 2019, 2020, 2021 and 2024 (none for 2022 and 2023) and its own 2025 value; the
statistics office sent HOUSEHOLDS of the new territory as back-casts only (2019-2024). Every reader is
checked value by value, on both backends."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
import pytest

from app import create_app
from tests.conftest import BACKENDS, csv_bytes, make_settings, module_warehouse, send

BG = {2019: 1800.0, 2020: 1810.0, 2021: 1820.0, 2022: 1830.0, 2023: 1840.0, 2024: 1850.0}  # former Bắc Giang
BN = {2019: 1300.0, 2020: 1310.0, 2021: 1320.0, 2022: 1330.0, 2023: 1340.0, 2024: 1350.0}  # former Bắc Ninh
BACKCAST = {2019: 3111.0, 2020: 3122.0, 2021: 3133.0, 2024: 3211.0}  # never BG + BN (3100 ... 3200)
OWN_2025 = 3600.0
HOUSEHOLDS_BACKCAST = {y: 900.0 + y - 2019 for y in range(2019, 2025)}
YEARS = [str(y) for y in range(2019, 2025)]


@pytest.fixture(scope="module", params=BACKENDS)
def env(request, databases, tmp_path_factory):
    url, tmp, engine = module_warehouse(request, databases, tmp_path_factory)
    app = create_app(make_settings(url, tmp))
    for unit, code, values in (("UB24-63", "24", BG), ("UB27-63", "27", BN)):
        report = send(engine, tmp, unit, csv_bytes(*(f"POPULATION,{code},{y},{v}" for y, v in values.items())),
                      received_at=datetime(2025, 3, 1))
        assert report.status == "accepted", report.errors
    rows = [f"POPULATION,24@2025,{y},{v}" for y, v in BACKCAST.items()] + [f"POPULATION,24,2025,{OWN_2025}"]
    report = send(engine, tmp, "UB24", csv_bytes(*rows), received_at=datetime(2025, 11, 20))
    assert report.status == "accepted", report.errors
    report = send(engine, tmp, "TK", csv_bytes(*(f"HOUSEHOLDS,24@2025,{y},{v}" for y, v in HOUSEHOLDS_BACKCAST.items())),
                  received_at=datetime(2025, 11, 20))
    assert report.status == "accepted", report.errors
    yield app
    app.extensions["warehouse"].dispose()
    engine.dispose()


def test_bcr001_plain_series_leave_backcasts_out_comparable_uses_them(env):
    from data_access.queries import comparable_series, series, series_windows

    with env.test_request_context():
        plain = series("POPULATION", ("24",), "2019", "2025")
        kept = series("POPULATION", ("24",), "2019", "2025", backcasts=True)
        formers = series("POPULATION", ("24-63", "27-63"), "2019", "2025")
        windows = series_windows((("POPULATION", "2019", "2025"),), ("24", "24-63"))
        cs = comparable_series("POPULATION", ("24",), "2019", "2025")
    assert list(zip(plain["period"], plain["value"], strict=True)) == [("2025", OWN_2025)]
    assert list(zip(kept["period"], kept["value"], strict=True)) == [
        *((str(y), v) for y, v in BACKCAST.items()), ("2025", OWN_2025)]
    assert {(k, p): v for k, p, v in zip(formers["area_key"], formers["period"], formers["value"], strict=True)} == {
        **{("24-63", str(y)): v for y, v in BG.items()}, **{("27-63", str(y)): v for y, v in BN.items()}}
    assert [(k, p, v) for k, p, v in zip(windows["area_key"], windows["period"], windows["value"], strict=True)
            if k == "24"] == [("24", "2025", OWN_2025)]
    assert len(windows) == 7  # 24-63's six years and 24's own 2025
    # the comparable series: each back-cast as sent, 2022-2023 rebuilt from the formers, 2025 its own
    got = {r.period: (r.value, r.rebuilt) for r in cs.itertuples()}
    assert got == {"2019": (3111.0, False), "2020": (3122.0, False), "2021": (3133.0, False),
                   "2022": (1830.0 + 1330.0, True), "2023": (1840.0 + 1340.0, True), "2024": (3211.0, False),
                   "2025": (OWN_2025, False)}


def test_bcr002_cross_sections_and_regions_of_the_old_era_never_count_a_backcast(env):
    from data_access.catalogue import region_members
    from data_access.queries import cross_section, regional_aggregates, regional_series

    with env.test_request_context():
        members = region_members(date(2019, 12, 31))
        region_bg = next(r for r, keys in members.items() if "24-63" in keys)
        region_bn = next(r for r, keys in members.items() if "27-63" in keys)
        for year in YEARS:
            xs = cross_section("POPULATION", year)
            reported = xs.dropna(subset=["value"])
            assert len(xs) == 63 and "24" not in set(xs["area_key"])
            assert dict(zip(reported["area_key"], reported["value"], strict=True)) == {
                "24-63": BG[int(year)], "27-63": BN[int(year)]}
            agg = regional_aggregates("POPULATION", year).set_index("region_key")
            assert (agg.loc[region_bg, "value"], agg.loc[region_bg, "n_reported"]) == (BG[int(year)], 1)
            assert (agg.loc[region_bn, "value"], agg.loc[region_bn, "n_reported"]) == (BN[int(year)], 1)
            assert agg["n_reported"].sum() == 2
        rs = regional_series("POPULATION", "2019", "2024")
        assert list(rs[rs["region_key"] == region_bg]["value"]) == list(BG.values())
        assert list(rs[rs["region_key"] == region_bn]["value"]) == list(BN.values())
        assert rs["n_reported"].sum() == 12
        xs25 = cross_section("POPULATION", "2025").dropna(subset=["value"])
        assert dict(zip(xs25["area_key"], xs25["value"], strict=True)) == {"24": OWN_2025}


def test_bcr003_periods_provinces_reported_count_only_the_eras_provinces(env):
    from data_access.provinces import latest_province_period, province_periods

    with env.test_request_context():
        periods = province_periods("POPULATION")
        households = province_periods("HOUSEHOLDS")
        latest_old = latest_province_period("POPULATION", era="63")
    assert list(zip(periods["period"], periods["n_reported"], periods["n_provinces"], strict=True)) == [
        *((y, 2, 63) for y in YEARS), ("2025", 1, 34)]
    assert households.empty  # back-casts only: no province of any era reported it
    assert latest_old == "2024"


def test_bcr004_tiles_latest_period_and_scorecard_show_the_provinces_own_periods(env):
    from data_access.provinces import province_scorecard
    from data_access.queries import kpi_snapshot
    from data_access.series import latest_period

    with env.test_request_context():
        pop, households = kpi_snapshot(("POPULATION", "HOUSEHOLDS"), "24")
        former = kpi_snapshot(("POPULATION",), "24-63")[0]
        latest = latest_period("POPULATION", "24", until="2024")
        latest_households = latest_period("HOUSEHOLDS", "24")
        card = province_scorecard("24").set_index("code")
    assert (pop.period, pop.value, pop.previous_value, pop.last_year_value) == ("2025", OWN_2025, None, None)
    assert pop.spark == (OWN_2025,) and pop.spark_periods == ("2025",)
    assert (households.period, households.value, households.spark) == (None, None, ())
    assert (former.period, former.value, former.previous_value) == ("2024", 1850.0, 1840.0)
    assert former.spark == tuple(BG.values())
    assert latest is None and latest_households is None
    row = card.loc["POPULATION"]
    assert (row["period"], row["value"], row["rank"], row["n_reported"]) == ("2025", OWN_2025, 1, 1)
    # the same period last year is the territory's own back-cast, as the comparable series reads it
    assert (row["last_year_period"], row["last_year_value"], bool(row["last_year_rebuilt"])) == ("2024", 3211.0, False)
    assert row["change_last_year"] == OWN_2025 - 3211.0
    hh = card.loc["HOUSEHOLDS"]
    assert pd.isna(hh["period"]) and math.isnan(hh["value"])


def test_bcr005_indicator_page_series_plain_and_comparable(env):
    from data_access.series import area_series, series_with_change

    with env.test_request_context():
        plain = area_series("POPULATION", ("24", "24-63"), "2019", "2025")
        comparable = series_with_change("POPULATION", ("24",), "2020", "2025", comparable=True)
    assert [(k, p) for k, p in zip(plain["area_key"], plain["period"], strict=True) if k == "24"] == [("24", "2025")]
    got = {r.period: (r.value, r.rebuilt, r.status, r.last_year_value) for r in comparable.itertuples()}
    assert got["2020"] == (3122.0, False, "O", 3111.0)  # a back-cast keeps its status mark
    assert got["2022"][:2] == (3160.0, True) and pd.isna(got["2022"][2]) and got["2022"][3] == 3133.0
    assert got["2025"] == (OWN_2025, False, "O", 3211.0)


def test_bcr006_read_api_plain_reads_and_the_territory(env):
    client = env.test_client()

    def get(**query: str):
        res = client.get("/api/v1/observations", query_string={"indicator": "POPULATION", **query})
        assert res.status_code == 200, res.json
        return [(o["area_key"], o["period"], o["value"], o["rebuilt"]) for o in res.json["observations"]]

    everything = get()
    assert [r for r in everything if r[0] == "24"] == [("24", "2025", OWN_2025, False)]
    assert len(everything) == 6 + 6 + 1  # the two formers' years and the new province's own
    assert get(area="24", to="2024") == [("24-63", y, BG[int(y)], False) for y in YEARS]
    assert get(area="24", **{"from": "2025"}) == [("24", "2025", OWN_2025, False)]
    assert get(area="27", to="2024") == [("27-63", y, BN[int(y)], False) for y in YEARS]
    assert get(area="24@2025") == [
        ("24", "2019", 3111.0, False), ("24", "2020", 3122.0, False), ("24", "2021", 3133.0, False),
        ("24", "2022", 3160.0, True), ("24", "2023", 3180.0, True), ("24", "2024", 3211.0, False),
        ("24", "2025", OWN_2025, False)]
    assert get(area="24-63@2024") == [("24-63", y, BG[int(y)], False) for y in YEARS]
    # CODE@WHEN reads the code on that day: in 2019 24 was Bắc Giang (its own series, no rebuild)
    assert get(area="24@2019") == [("24-63", y, BG[int(y)], False) for y in YEARS]
    assert get(area="24@2025-07-01", to="2021") == [
        ("24", "2019", 3111.0, False), ("24", "2020", 3122.0, False), ("24", "2021", 3133.0, False)]
    # a code that changed meaning, asked across the change: a question listing both meanings
    res = client.get("/api/v1/observations", query_string={"indicator": "POPULATION", "area": "24", "from": "2019",
                                                           "to": "2025"})
    assert res.status_code == 400
    assert "24-63 (24 Bắc Giang" in res.json["error"]["message_en"] and "24 (24 Bắc Ninh" in \
        res.json["error"]["message_en"] and "24@2025" in res.json["error"]["message_en"]
    # a code that no longer exists, read on a day after its end
    assert client.get("/api/v1/observations", query_string={"indicator": "POPULATION",
                                                            "area": "27@2025"}).status_code == 400
