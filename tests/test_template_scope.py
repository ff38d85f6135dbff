"""XLSX reporting forms (``GET /api/v1/templates/<unit>/<period>.xlsx``) stay within their unit
and their clearance: a unit's token or reporter gets its own unit's form only (with the
confidential indicators the unit itself reports); anyone else gets a form only with the
confidential grant, and without it no confidential code or name in any form."""

from __future__ import annotations

import html
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app import create_app
from auth.tokens import create_token
from data_access import schema
from tests.auth_helpers import CONFIDENTIAL_CODES, leaks
from tests.auth_sessions import session_cookies
from tests.conftest import make_settings, seeded_sqlite_world

# Periods in which the units responsible for confidential indicators owe them: TK reports
# GDP_FLASH quarterly, NHNN NPL_RATIO quarterly and FX_RESERVES monthly, BTC
# BUDGET_DEFICIT_FORECAST monthly.
PERIODS = ("2025Q3", "202509")


@pytest.fixture(scope="module")
def world(databases, tmp_path_factory):
    url, tmp, engine = seeded_sqlite_world(databases, tmp_path_factory, "tplscope")
    cookies = session_cookies(engine, "tpl", (("leader", "leader", None, False), ("analyst", "analyst", None, False),
                                              ("analyst_c", "analyst", None, True), ("reporter", "reporter", "TK", False)))
    tokens = {unit: create_token(engine, unit)[0] for unit in ("TK", "UB01", "NHNN")}
    with engine.connect() as conn:
        a = schema.agency
        units = sorted(conn.execute(select(a.c.code).where(a.c.active.is_(True))).scalars())
    engine.dispose()
    server = create_app(make_settings(url, tmp, auth_required=True))
    # the same warehouse with the request guard off: the route's own unit check, alone
    unguarded = create_app(make_settings(url, tmp / "unguarded", auth_required=False))
    yield {"server": server, "unguarded": unguarded, "cookies": cookies, "tokens": tokens, "units": units}
    server.extensions["warehouse"].dispose()
    unguarded.extensions["warehouse"].dispose()


def _client(world, who: str):
    c = world["server"].test_client()
    if who in world["cookies"]:
        c.set_cookie("occ_session", world["cookies"][who])
    return c


def _get(world, who: str, unit: str, period: str, token_unit: str | None = None):
    headers = {"Authorization": f"Bearer {world['tokens'][token_unit]}"} if token_unit else {}
    return _client(world, who).get(f"/api/v1/templates/{unit}/{period}.xlsx", headers=headers)


def _codes(body: bytes) -> set[str]:
    ws = load_workbook(io.BytesIO(body))["Dữ liệu"]
    return {r[0] for r in ws.iter_rows(min_row=2, values_only=True)}


def _xml_text(body: bytes) -> str:
    """Every part of the XLSX package, uncompressed and unescaped (openpyxl writes non-ASCII
    letters as character references): cells, comments, properties, hidden sheets."""
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        return html.unescape("".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()))


def test_tps001_unit_token_gets_another_units_template_403(world):
    for token_unit, other in (("TK", "UB01"), ("UB01", "TK"), ("TK", "NHNN"), ("NHNN", "tk")):
        for period in PERIODS:
            res = _get(world, "token", other, period, token_unit=token_unit)
            assert res.status_code == 403, (token_unit, other, period, res.status_code)
            assert res.json["error"]["code"] in ("another_unit", "forbidden")  # the route's, or the guard's
            assert not leaks(res.get_data())
    own = _get(world, "token", "tk", "2025Q3", token_unit="TK")  # the unit's code in any case
    assert own.status_code == 200 and "GDP_FLASH" in _codes(own.data)


@pytest.mark.slow  # every unit's forms
def test_tps002_no_confidential_code_or_name_without_the_grant(world):
    """An analyst without the grant, over every active unit and both periodicities: the forms it
    may have hold no confidential code, name or unit of measure in any part of the file."""
    served = 0
    for unit in world["units"]:
        for period in PERIODS:
            res = _get(world, "analyst", unit, period)
            assert res.status_code in (200, 404), (unit, period, res.status_code)
            if res.status_code == 200:
                served += 1
                assert not leaks(_xml_text(res.data)), (unit, period, leaks(_xml_text(res.data)))
                assert not _codes(res.data) & set(CONFIDENTIAL_CODES)
            else:
                assert not leaks(res.get_data()), (unit, period)
    assert served > 20  # the public rows are still served
    public = _codes(_get(world, "analyst", "TK", "2025Q3").data)
    assert public and "GDP_FLASH" not in public


@pytest.mark.parametrize("who", ["leader", "analyst_c"])
def test_tps003_cleared_callers_get_every_row(world, who):
    tk = _get(world, who, "TK", "2025Q3").data
    assert "GDP_FLASH" in _codes(tk)
    assert "Ước tính nhanh tốc độ tăng GDP (chưa công bố)" in leaks(_xml_text(tk))  # the leak check sees names
    assert {"NPL_RATIO"} <= _codes(_get(world, who, "NHNN", "2025Q3").data)
    assert {"FX_RESERVES"} <= _codes(_get(world, who, "NHNN", "202509").data)


def test_tps004_a_unit_reports_the_confidential_indicators_it_is_responsible_for(world):
    """A unit's own form carries its confidential rows (it must report them), through its token
    or its reporter, and nothing of another unit."""
    by_token = _codes(_get(world, "token", "NHNN", "2025Q3", token_unit="NHNN").data)
    assert "NPL_RATIO" in by_token and "GDP_FLASH" not in by_token
    assert "FX_RESERVES" in _codes(_get(world, "token", "NHNN", "202509", token_unit="NHNN").data)
    assert "GDP_FLASH" in _codes(_get(world, "reporter", "TK", "2025Q3").data)
    assert _get(world, "reporter", "NHNN", "2025Q3").status_code == 403


def test_tps005_the_route_checks_the_tokens_unit_itself(world):
    """Without the request guard (access control off) the route still refuses another unit's form
    to a unit's token: the check does not rest on the guard alone."""
    client = world["unguarded"].test_client()
    auth = {"Authorization": f"Bearer {world['tokens']['TK']}"}
    res = client.get("/api/v1/templates/UB01/202507.xlsx", headers=auth)
    assert res.status_code == 403 and res.json["error"]["code"] == "another_unit"
    assert not leaks(res.get_data())
    assert "GDP_FLASH" in _codes(client.get("/api/v1/templates/TK/2025Q3.xlsx", headers=auth).data)
