"""Rollups: what a board would compute from many rows, computed when the rows change and kept in
the warehouse (PostgreSQL; on SQLite every read computes).

Two kinds. ``scorecard_rollup`` holds each province's scorecard rows
(:func:`data_access.provinces.province_scorecard_rows`), one row per (province, provincial
indicator): the rank among the provinces, the region's and the nation's figures, the same period
last year. ``kpi_rollup`` holds each area's KPI tile (:func:`data_access.queries.kpi_snapshot`) of
every indicator reported at its level, except the daily ones (their windows end today). For each
kind and indicator ``rollup_basis`` says at which ``version`` and by which code its rows were
computed: they are as good as a fresh computation while no stamp they depend on is newer (``*``,
``i:<code>`` of the indicator, and for a scorecard row those of its aggregation rule's
components) and the code is this release's; a reader uses those rows and computes the others
(:func:`kept_scorecard`, :func:`kept_kpis`). So a write that forgets to refresh makes a board
slower, never wrong.

Who refreshes (:func:`refresh`): an accepted submission, in its own transaction, for the
indicators it wrote and those whose rule reads them (``ingest.pipeline``); a change of the
configuration (``metadata.service``); the demo seed, ``init-db`` and ``refresh-rollups`` for all
of them. Every refresh holds the ``data_version`` row to its commit (a submission's bump holds it
already): refreshes commit one after another, each computing from what the ones before committed.
The benchmark's version that changes no value carries the current rows over
(:func:`carried_over`).

A refresh computes with the reads of the data layer on the writer's own connection, in a
context of its own (:func:`reading_through`): clearance ``admin``, no shared cache, no memo (what it
reads is not committed yet). The rows hold confidential indicators too; a reader asks for the
viewer's indicators only, and an indicator whose rule reads one the viewer may not see is computed
as the viewer sees it, not read.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import orjson
from flask import Flask, g
from sqlalchemy import Connection, Engine, bindparam, select, text

from data_access import schema
from data_access.cache.backend import code_build
from data_access.cache.scopes import current_stamps
from data_access.engine import ALL_SCOPES, array_text, current_connection, get_stamps, rows_of

#: The scorecard row's float fields (a NaN is written as null)
_FLOATS = frozenset({"value", "region_value", "nation_value", "last_year_value", "change_last_year",
                     "pct_last_year"})


def _build() -> str:
    return code_build().hex()


def parts(ind: Any) -> tuple[str, ...]:
    """The codes a scorecard row of ``ind`` reads: its own and its aggregation rule's components."""
    return tuple(c for c in (ind.code, ind.weight_code, ind.num_code, ind.den_code) if c)


def _threshold(codes: Iterable[str], stamps: dict[str, int]) -> int:
    """The newest stamp a row reading ``codes`` depends on."""
    return max([stamps.get(ALL_SCOPES, 0), *(stamps.get(f"i:{code}", 0) for code in codes)])


def enabled(conn: Connection) -> bool:
    """Rollups are kept on PostgreSQL."""
    return conn.dialect.name == "postgresql"


def enabled_on(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


# --- reading ---------------------------------------------------------------------------------------

_READ = text("SELECT s.indicator_id, b.version, b.build, s.payload FROM scorecard_rollup AS s "
             "JOIN rollup_basis AS b ON b.kind = 'scorecard' AND b.indicator_id = s.indicator_id "
             "WHERE s.area_id = :area AND s.indicator_id = ANY(CAST(:ids AS INTEGER[]))")


def kept_scorecard(area_id: int, inds: Sequence[Any], visible: dict[str, Any]) -> dict[int, tuple[Any, ...]]:
    """Indicator id → the kept scorecard row fields (code first) of ``inds`` at ``area_id``, for
    those whose rows are current; ``visible``: the viewer's catalogue (code → indicator). Empty on
    SQLite."""
    conn = current_connection()
    if not enabled(conn) or not inds:
        return {}
    wanted = {i.id: i for i in inds if all(code in visible for code in parts(i))}
    if not wanted:
        return {}
    stamps, build = current_stamps(), _build()
    out: dict[int, tuple[Any, ...]] = {}
    for ind_id, version, row_build, payload in rows_of(conn.execute(_READ, {"area": area_id,
                                                                            "ids": array_text(wanted)})):
        ind = wanted.get(ind_id)
        if ind is not None and row_build == build and version >= _threshold(parts(ind), stamps):
            out[ind_id] = (ind.code, *decode(payload))
    return out


_READ_KPI = text("SELECT k.indicator_id, b.version, b.build, k.payload FROM kpi_rollup AS k "
                 "JOIN rollup_basis AS b ON b.kind = 'kpi' AND b.indicator_id = k.indicator_id "
                 "WHERE k.area_id = :area AND k.indicator_id = ANY(CAST(:ids AS INTEGER[]))")


def kept_kpis(area_id: int, inds: Sequence[Any]) -> dict[int, tuple[Any, ...]]:
    """Indicator id → the kept KPI tile fields (after its code and area) of ``inds`` at
    ``area_id``, for those whose rows are current. Never a daily indicator's: its windows end
    today, and it changes every day. Empty on SQLite."""
    conn = current_connection()
    wanted = {i.id: i for i in inds if i.periodicity != "D"}
    if not enabled(conn) or not wanted:
        return {}
    stamps, build = current_stamps(), _build()
    out: dict[int, tuple[Any, ...]] = {}
    for ind_id, version, row_build, payload in rows_of(conn.execute(_READ_KPI, {"area": area_id,
                                                                                "ids": array_text(wanted)})):
        ind = wanted.get(ind_id)
        if ind is not None and row_build == build and version >= _threshold((ind.code,), stamps):
            out[ind_id] = decode_kpi(payload)
    return out


# --- the payload ---------------------------------------------------------------------------------

def _fields() -> tuple[str, ...]:
    from data_access.provinces import ScoreRow
    return ScoreRow._fields[1:]


def encode(row: Sequence[Any]) -> str:
    """A scorecard row's fields after its code as a JSON array (NaN as null)."""
    return orjson.dumps([_plain(name, v) for name, v in zip(_fields(), row[1:], strict=True)]).decode()


def _plain(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _FLOATS:
        return None if math.isnan(value) else float(value)
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def decode(payload: str) -> tuple[Any, ...]:
    """The fields :func:`encode` wrote, NaN restored in the float fields."""
    values = orjson.loads(payload)
    return tuple(math.nan if v is None and name in _FLOATS else float(v) if name in _FLOATS else v
                 for name, v in zip(_fields(), values, strict=True))


def encode_kpi(kpi: Any) -> str:
    """A KPI tile's fields after its code and area as a JSON array (NaN kept, the time as ISO)."""
    values = [getattr(kpi, f.name) for f in dataclasses.fields(kpi)[2:]]
    return json.dumps([v.isoformat() if isinstance(v, datetime) else list(v) if isinstance(v, tuple) else v
                       for v in values])


def decode_kpi(payload: str) -> tuple[Any, ...]:
    """The fields :func:`encode_kpi` wrote, as ``Kpi(code, area_key, *fields)`` takes them."""
    from data_access.queries import Kpi

    values = json.loads(payload)
    out = []
    for f, v in zip(dataclasses.fields(Kpi)[2:], values, strict=True):
        if f.name == "updated_at" and v is not None:
            v = datetime.fromisoformat(v)
        elif isinstance(v, list):
            v = tuple(v)
        out.append(v)
    return tuple(out)


# --- refreshing ----------------------------------------------------------------------------------

@contextmanager
def reading_through(conn: Connection) -> Iterator[None]:
    """The data layer's reads on ``conn`` (a writer's transaction) with clearance ``admin`` (every
    indicator and component, drafts too), as one
    request of an app of its own: without the shared cache or the process memo (what it reads may
    not be committed), whatever context the caller is in; the version and stamps read once."""
    app = Flask("occ-rollups")
    with app.test_request_context():
        g.occ_conn = conn
        g.occ_clearance = "admin"
        yield


def _catalogue(conn: Connection) -> dict[int, tuple[str, bool, tuple[str, ...]]]:
    """Indicator id → (code, provincial, the codes its scorecard row reads), whatever the clearance."""
    i = schema.indicator
    rows = conn.execute(select(i.c.id, i.c.code, i.c.levels, i.c.agg_weight_id, i.c.agg_num_id,
                               i.c.agg_den_id)).all()
    codes = {row.id: row.code for row in rows}
    return {row.id: (row.code, "province" in (row.levels or "").split(";"),
                     tuple(codes[x] for x in (row.id, row.agg_weight_id, row.agg_num_id, row.agg_den_id)
                           if x is not None and x in codes))
            for row in rows}


def _kpi_catalogue(conn: Connection) -> dict[int, str]:
    """Indicator id → code of those whose KPI tiles are kept (every periodicity but daily),
    whatever the clearance."""
    i = schema.indicator
    return dict(conn.execute(select(i.c.id, i.c.code).where(i.c.periodicity != "D")).all())


def _affected(conn: Connection, written: Iterable[int] | None) -> list[int]:
    """The provincial indicators whose scorecard rows read one of ``written`` (None: all)."""
    cat = _catalogue(conn)
    if written is None:
        return sorted(i for i, (_, provincial, _) in cat.items() if provincial)
    codes = {cat[int(x)][0] for x in written if int(x) in cat}
    return sorted(i for i, (_, provincial, reads) in cat.items() if provincial and codes.intersection(reads))


def refresh_scorecards(conn: Connection, written: Iterable[int] | None = None) -> dict[str, Any]:
    """Compute again, in the caller's transaction, every province's scorecard rows of the
    provincial indicators that read ``written`` (indicator ids; None: every one), at the
    ``data_version`` the transaction sees (after its bump). ``{"indicators", "rows", "seconds"}``."""
    started = time.perf_counter()
    if not enabled(conn):
        return {"indicators": 0, "rows": 0, "seconds": 0.0}
    ids = _affected(conn, None if written is None else list(written))
    if not ids:
        return {"indicators": 0, "rows": 0, "seconds": round(time.perf_counter() - started, 4)}
    from data_access.catalogue import all_indicators, area_map
    from data_access.provinces import scorecard_live, shared_values

    _serialise(conn)
    version, _stamps = get_stamps(conn)
    values = list[dict[str, Any]]()
    with reading_through(conn):
        wanted = set(ids)
        inds = [i for i in all_indicators() if i.id in wanted]
        values_at = shared_values()  # the provinces' latest periods are mostly the same: read once
        for area in area_map().values():
            if area.level == "province":
                rows = scorecard_live(area.key, inds, values_at)
                values.extend({"a": area.id, "i": ind.id, "p": encode(row)} for ind, row in zip(inds, rows, strict=True))
    if values:
        conn.execute(_UPSERT, {k: [v[k] for v in values] for k in ("a", "i", "p")})
    conn.execute(_BASIS, {"ids": [i.id for i in inds], "version": version, "build": _build()})
    return {"indicators": len(ids), "rows": len(values), "seconds": round(time.perf_counter() - started, 4)}


def refresh(conn: Connection, written: Iterable[int] | None = None) -> dict[str, Any]:
    """Every rollup that reads ``written`` (indicator ids; None: all), in the caller's
    transaction: the scorecards (:func:`refresh_scorecards`) and the KPI tiles
    (:func:`refresh_kpis`). ``{"scorecard": {...}, "kpi": {...}, "seconds"}``."""
    started = time.perf_counter()
    ids = None if written is None else [int(i) for i in written]
    out: dict[str, Any] = {"scorecard": refresh_scorecards(conn, ids), "kpi": refresh_kpis(conn, ids)}
    out["seconds"] = round(time.perf_counter() - started, 4)
    return out


def refresh_kpis(conn: Connection, written: Iterable[int] | None = None) -> dict[str, Any]:
    """Compute again, in the caller's transaction, the KPI tiles of ``written`` (indicator ids;
    None: every one; a daily indicator's are never kept) at every area of a level they are
    reported at.
    ``{"indicators", "rows", "seconds"}``."""
    started = time.perf_counter()
    if not enabled(conn):
        return {"indicators": 0, "rows": 0, "seconds": 0.0}
    kept = _kpi_catalogue(conn)
    ids = sorted(kept if written is None else {int(x) for x in written} & kept.keys())
    if not ids:
        return {"indicators": 0, "rows": 0, "seconds": round(time.perf_counter() - started, 4)}
    from data_access.catalogue import all_indicators, area_map
    from data_access.queries import kpis_live

    _serialise(conn)
    version = get_stamps(conn)[0]
    values = list[dict[str, Any]]()
    with reading_through(conn):
        wanted = set(ids)
        inds = [i for i in all_indicators() if i.id in wanted]
        for area in area_map().values():
            here = [i for i in inds if area.level in i.levels]
            if here:
                values.extend({"a": area.id, "i": ind.id, "p": encode_kpi(kpi)}
                              for ind, kpi in zip(here, kpis_live(here, area.key), strict=True))
    if values:
        conn.execute(_UPSERT_KPI, {k: [v[k] for v in values] for k in ("a", "i", "p")})
    conn.execute(_BASIS_KPI, {"ids": [i.id for i in inds], "version": version, "build": _build()})
    return {"indicators": len(inds), "rows": len(values), "seconds": round(time.perf_counter() - started, 4)}


def summary(done: dict[str, Any]) -> str:
    """What :func:`refresh` did, in a line."""
    sc, kpi = done["scorecard"], done["kpi"]
    return (f"{sc['rows']:,} scorecard rows of {sc['indicators']} indicators and {kpi['rows']:,} KPI tiles of "
            f"{kpi['indicators']} indicators kept in {done['seconds']:.1f} s.")


def _serialise(conn: Connection) -> None:
    """Hold the ``data_version`` row to the end of the transaction (a submission's bump already
    does): refreshes and the writes they follow commit one after another, each computing from
    what the one before committed, so no refresh replaces newer rows with older ones."""
    dv = schema.data_version
    conn.execute(select(dv.c.id).where(dv.c.id == 1).with_for_update())


_UPSERT = text(
    "INSERT INTO scorecard_rollup (area_id, indicator_id, payload) "
    "SELECT * FROM unnest(CAST(:a AS INTEGER[]), CAST(:i AS INTEGER[]), CAST(:p AS TEXT[])) "
    "ON CONFLICT (area_id, indicator_id) DO UPDATE SET payload = excluded.payload"
).bindparams(bindparam("a"), bindparam("i"), bindparam("p"))
_UPSERT_KPI = text(
    "INSERT INTO kpi_rollup (area_id, indicator_id, payload) "
    "SELECT * FROM unnest(CAST(:a AS INTEGER[]), CAST(:i AS INTEGER[]), CAST(:p AS TEXT[])) "
    "ON CONFLICT (area_id, indicator_id) DO UPDATE SET payload = excluded.payload"
).bindparams(bindparam("a"), bindparam("i"), bindparam("p"))
_BASIS_KPI = text(
    "INSERT INTO rollup_basis (kind, indicator_id, version, build) "
    "SELECT 'kpi', id, :version, :build FROM unnest(CAST(:ids AS INTEGER[])) AS t(id) "
    "ON CONFLICT (kind, indicator_id) DO UPDATE SET version = excluded.version, build = excluded.build"
)
_BASIS = text(
    "INSERT INTO rollup_basis (kind, indicator_id, version, build) "
    "SELECT 'scorecard', id, :version, :build FROM unnest(CAST(:ids AS INTEGER[])) AS t(id) "
    "ON CONFLICT (kind, indicator_id) DO UPDATE SET version = excluded.version, build = excluded.build"
)


def carry_over(conn: Connection, before: dict[str, int], version: int) -> int:
    """After a new version that changed no data (``engine.bump_all_data``, the benchmark's): the
    rows that were current before it, stamped ``version``, as a refresh in that transaction would
    have rewritten them (the same values: nothing they read changed). Rows already stale stay
    stale. Returns how many indicators."""
    if not enabled(conn):
        return 0
    cat = _catalogue(conn)
    kinds = {"scorecard": {i: _threshold(reads, before) for i, (_, provincial, reads) in cat.items() if provincial},
             "kpi": {i: _threshold((code,), before) for i, code in _kpi_catalogue(conn).items()}}
    carried = 0
    for kind, thresholds in kinds.items():
        if thresholds:
            carried += int(conn.execute(text(
                "UPDATE rollup_basis AS b SET version = :version FROM unnest(CAST(:ids AS INTEGER[]), "
                "CAST(:thr AS BIGINT[])) AS t(id, thr) WHERE b.kind = :kind AND b.indicator_id = t.id "
                "AND b.version >= t.thr AND b.build = :build"),
                {"version": version, "ids": list(thresholds), "thr": list(thresholds.values()), "kind": kind,
                 "build": _build()}).rowcount or 0)
    return carried


def carried_over(conn: Connection, bump: Callable[[], int]) -> int:
    """``bump()`` (a new version that changes no value) with :func:`carry_over` of the rows
    current before it; its version."""
    before = get_stamps(conn)[1] if enabled(conn) else {}
    version = bump()
    carry_over(conn, before, version)
    return version
