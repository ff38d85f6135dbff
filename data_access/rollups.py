"""Rollups: what a board would compute from many rows, computed when the rows change and kept in
the warehouse (PostgreSQL; on SQLite every read computes).

Two kinds. ``scorecard_rollup`` holds each province's scorecard rows
(:func:`data_access.provinces.province_scorecard_rows`), one row per (province, provincial
indicator): the rank among the provinces, the region's and the nation's figures, the same period
last year. ``kpi_rollup`` holds each area's KPI tile (:func:`data_access.queries.kpi_snapshot`) of
every indicator reported at its level. For each kind and indicator ``rollup_basis`` says at which
``version``, by which code and on which ``day`` its rows were computed: they are as good as a
fresh computation while no stamp they depend on is newer (``*``, ``i:<code>`` of the indicator,
and for a scorecard row those of its aggregation rule's components) and the code is this
release's, and, for a daily indicator's tiles (their windows end today), on the day they were
computed; a reader uses those rows and computes the others (:func:`kept_scorecard`,
:func:`kept_kpis`). So a write that forgets to refresh makes a board slower, never wrong.

Who refreshes (:func:`refresh`): an accepted submission, in its own transaction, for the
indicators it wrote and those whose rule reads them (``ingest.pipeline``), but not a daily
indicator's tiles; a change of the configuration (``metadata.service``), alike; the demo seed,
``init-db`` and ``refresh-rollups`` for all of them, the daily tiles too. The daily indicators'
tiles are refreshed apart (:func:`refresh_daily`, the scheduler's ``rollups.daily`` every minute:
``ingest.jobs``): those computed on another day or before a newer stamp of theirs, so that a daily
submission's transaction does not pay for tiles that will not hold past the day (a 1,000,000-row
daily submission paid 0.22 s for them), and the first minute of each day or after a daily
submission computes them. Every refresh holds the ``data_version`` row to its commit (a
submission's bump holds it already): refreshes commit one after another, each computing from what
the ones before committed. The benchmark's version that changes no value carries the current rows
over (:func:`carried_over`).

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
from datetime import date, datetime
from typing import Any, NamedTuple

import orjson
from flask import Flask, g
from sqlalchemy import Connection, Engine, select, text

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

def _read_sql(table: str, kind: str) -> Any:
    return text(f"SELECT r.indicator_id, b.version, b.build, b.day, r.payload FROM {table} AS r "
                f"JOIN rollup_basis AS b ON b.kind = '{kind}' AND b.indicator_id = r.indicator_id "
                "WHERE r.area_id = :area AND r.indicator_id = ANY(CAST(:ids AS INTEGER[]))")


_READ = {"scorecard": _read_sql("scorecard_rollup", "scorecard"), "kpi": _read_sql("kpi_rollup", "kpi")}


Wanted = dict[int, tuple[Any, tuple[str, ...], bool]]


def _holds(basis: Sequence[Any], reads: tuple[str, ...], daily: bool, stamps: dict[str, int], build: str,
           today: date) -> bool:
    """Whether rows of ``basis`` (version, build, day) reading ``reads`` are as good as a fresh
    computation: no stamp they depend on newer, this release's code, and (``daily``) today's."""
    version, row_build, day = basis
    return row_build == build and version >= _threshold(reads, stamps) and (not daily or day == today)


def _kept(kind: str, area_id: int, wanted: Wanted) -> Iterator[tuple[Any, str]]:
    """(indicator, payload) of the ``wanted`` rows (id → (indicator, the codes it reads, whether
    its rows hold for their day only)) of ``kind`` at ``area_id`` that are current: their basis
    not older than any stamp they depend on, their build this release's (and their day today)."""
    if not wanted:
        return
    stamps, build, today = current_stamps(), _build(), date.today()
    for ind_id, version, row_build, day, payload in rows_of(current_connection().execute(
            _READ[kind], {"area": area_id, "ids": array_text(wanted)})):
        ind, reads, daily = wanted.get(ind_id, (None, (), False))
        if ind is not None and _holds((version, row_build, day), reads, daily, stamps, build, today):
            yield ind, payload


def kept_scorecard(area_id: int, inds: Sequence[Any], visible: dict[str, Any]) -> dict[int, tuple[Any, ...]]:
    """Indicator id → the kept scorecard row fields (code first) of ``inds`` at ``area_id``, for
    those whose rows are current; ``visible``: the viewer's catalogue (code → indicator). Empty on
    SQLite."""
    if not enabled(current_connection()):
        return {}
    wanted: Wanted = {i.id: (i, parts(i), False) for i in inds if all(code in visible for code in parts(i))}
    return {ind.id: (ind.code, *decode(payload)) for ind, payload in _kept("scorecard", area_id, wanted)}


def kept_kpis(area_id: int, inds: Sequence[Any]) -> dict[int, tuple[Any, ...]]:
    """Indicator id → the kept KPI tile fields (after its code and area) of ``inds`` at
    ``area_id``, for those whose rows are current (a daily indicator's: computed today, as its
    windows end today). Empty on SQLite."""
    if not enabled(current_connection()):
        return {}
    wanted: Wanted = {i.id: (i, (i.code,), i.periodicity == "D") for i in inds}
    return {ind.id: decode_kpi(payload) for ind, payload in _kept("kpi", area_id, wanted)}


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


class _Entry(NamedTuple):
    code: str
    provincial: bool
    daily: bool
    reads: tuple[str, ...]  # the codes its scorecard row reads: its own and its rule's components


def _catalogue(conn: Connection) -> dict[int, _Entry]:
    """Every indicator by id, whatever the clearance, as the rollups need it."""
    i = schema.indicator
    rows = conn.execute(select(i.c.id, i.c.code, i.c.levels, i.c.periodicity, i.c.agg_weight_id,
                               i.c.agg_num_id, i.c.agg_den_id)).all()
    codes = {row.id: row.code for row in rows}
    return {row.id: _Entry(row.code, "province" in (row.levels or "").split(";"), row.periodicity == "D",
                           tuple(codes[x] for x in (row.id, row.agg_weight_id, row.agg_num_id, row.agg_den_id)
                                 if x is not None and x in codes))
            for row in rows}


def _affected(cat: dict[int, _Entry], written: list[int] | None) -> tuple[list[int], list[int]]:
    """(the provincial indicators whose scorecard rows read one of ``written``, the indicators of
    ``written`` whose tiles are refreshed with them: not the daily ones, :func:`refresh_daily`'s);
    None: all of them, the daily tiles too."""
    if written is None:
        return [i for i, e in cat.items() if e.provincial], list(cat)
    codes = {cat[i].code for i in written if i in cat}
    return ([i for i, e in cat.items() if e.provincial and codes.intersection(e.reads)],
            [i for i in dict.fromkeys(written) if i in cat and not cat[i].daily])


def refresh(conn: Connection, written: Iterable[int] | None = None) -> dict[str, Any]:
    """Compute again, in the caller's transaction and at the ``data_version`` it sees (after its
    bump), every rollup that reads ``written`` (indicator ids; None: all): every province's
    scorecard rows of the provincial indicators that read one of them, and their KPI tiles at
    every area of a level they are reported at (a daily indicator's with None only: else
    :func:`refresh_daily` computes them). ``{"scorecard": {"indicators", "rows"}, "kpi": {...},
    "seconds"}``."""
    started = time.perf_counter()
    scorecards, tiles = (_affected(_catalogue(conn), None if written is None else [int(i) for i in written])
                         if enabled(conn) else ([], []))
    return _recompute(conn, scorecards, tiles, started)


def _recompute(conn: Connection, scorecards: list[int], tiles: list[int], started: float) -> dict[str, Any]:
    """The scorecard rows of ``scorecards`` and the tiles of ``tiles`` computed again and stored,
    the ``data_version`` row held first and its version read after; their basis's day is the one
    the computation began on (a refresh across midnight is the earlier day's: stale the next day,
    never a day's tiles vouched for by a later day)."""
    done: dict[str, Any] = {"scorecard": {"indicators": 0, "rows": 0}, "kpi": {"indicators": 0, "rows": 0}}
    if scorecards or tiles:
        day = date.today()
        _serialise(conn)
        version = get_stamps(conn)[0]
        with reading_through(conn):
            if scorecards:
                done["scorecard"] = _store(conn, "scorecard", version, day, *_scorecard_rows(scorecards))
            if tiles:
                done["kpi"] = _store(conn, "kpi", version, day, *_tile_rows(tiles, day))
    done["seconds"] = round(time.perf_counter() - started, 4)
    return done


_DAILY_BASIS = text("SELECT indicator_id, version, build, day FROM rollup_basis "
                    "WHERE kind = 'kpi' AND indicator_id = ANY(CAST(:ids AS INTEGER[]))")


def refresh_daily(conn: Connection) -> dict[str, Any]:
    """Compute again, in the caller's transaction, the KPI tiles of the daily indicators whose kept
    rows are not current (none yet, computed on another day, before a newer stamp of theirs, or
    by other code); nothing, and no lock, while all are. As :func:`refresh` answers."""
    started = time.perf_counter()
    daily = {i: e for i, e in _catalogue(conn).items() if e.daily} if enabled(conn) else {}
    return _recompute(conn, [], _stale_daily(conn, daily) if daily else [], started)


def _stale_daily(conn: Connection, daily: dict[int, _Entry]) -> list[int]:
    """The ``daily`` indicators whose kept tiles a reader would not use today."""
    stamps, build, today = get_stamps(conn)[1], _build(), date.today()
    basis = {row[0]: row[1:] for row in rows_of(conn.execute(_DAILY_BASIS, {"ids": array_text(daily)}))}
    return [i for i, e in daily.items()
            if i not in basis or not _holds(basis[i], (e.code,), True, stamps, build, today)]


def _scorecard_rows(ids: list[int]) -> tuple[list[int], list[tuple[int, int, str]]]:
    """(the indicators, their (area, indicator, payload) rows at every province)."""
    from data_access.catalogue import all_indicators, area_map
    from data_access.provinces import scorecard_live, shared_values

    wanted = set(ids)
    inds = [i for i in all_indicators() if i.id in wanted]
    values_at = shared_values()  # the provinces' latest periods are mostly the same: read once
    rows = [(area.id, ind.id, encode(row)) for area in area_map().values() if area.level == "province" and inds
            for ind, row in zip(inds, scorecard_live(area.key, inds, values_at), strict=True)]
    return [i.id for i in inds], rows


def _tile_rows(ids: list[int], today: date) -> tuple[list[int], list[tuple[int, int, str]]]:
    """(the indicators, their (area, indicator, payload) tiles at every area of their levels; a
    daily indicator's at the areas of today only: at a province that ended, its latest day is
    past the reporting lag, and its tile reads a year of days on each view of that day, which
    nobody looks at; computed there when asked for)."""
    from data_access.catalogue import all_indicators, area_map
    from data_access.queries import kpis_live

    wanted = set(ids)
    inds = [i for i in all_indicators() if i.id in wanted]
    rows: list[tuple[int, int, str]] = []
    for area in area_map().values():
        ended = area.valid_to is not None and area.valid_to < today
        here = [i for i in inds if area.level in i.levels and not (ended and i.periodicity == "D")]
        if here:
            rows.extend((area.id, ind.id, encode_kpi(kpi)) for ind, kpi in zip(here, kpis_live(here, area.key),
                                                                              strict=True))
    return [i.id for i in inds], rows


_TABLES = {"scorecard": "scorecard_rollup", "kpi": "kpi_rollup"}
_UPSERT = {kind: text(
    f"INSERT INTO {table} (area_id, indicator_id, payload) "
    "SELECT * FROM unnest(CAST(:a AS INTEGER[]), CAST(:i AS INTEGER[]), CAST(:p AS TEXT[])) "
    "ON CONFLICT (area_id, indicator_id) DO UPDATE SET payload = excluded.payload") for kind, table in _TABLES.items()}
#: The rows of the refreshed indicators that this refresh did not write (an area that ended: a
#: daily indicator's tile there) are not theirs any more.
_DROP = {kind: text(
    f"DELETE FROM {table} AS r WHERE r.indicator_id = ANY(CAST(:ids AS INTEGER[])) AND NOT EXISTS ("
    "SELECT 1 FROM unnest(CAST(:a AS INTEGER[]), CAST(:i AS INTEGER[])) AS t(a, i) "
    "WHERE t.a = r.area_id AND t.i = r.indicator_id)") for kind, table in _TABLES.items()}
_BASIS = text(
    "INSERT INTO rollup_basis (kind, indicator_id, version, build, day) "
    "SELECT :kind, id, :version, :build, :day FROM unnest(CAST(:ids AS INTEGER[])) AS t(id) "
    "ON CONFLICT (kind, indicator_id) DO UPDATE SET version = excluded.version, build = excluded.build, "
    "day = excluded.day"
)


def _store(conn: Connection, kind: str, version: int, day: date, ids: list[int],
           rows: list[tuple[int, int, str]]) -> dict[str, int]:
    """``rows`` of ``kind`` written (the only rows of ``ids``), and the basis of ``ids`` at
    ``version`` by this code."""
    a, i, p = zip(*rows, strict=True) if rows else ((), (), ())
    if ids:
        conn.execute(_DROP[kind], {"ids": ids, "a": list(a), "i": list(i)})
    if rows:
        conn.execute(_UPSERT[kind], {"a": list(a), "i": list(i), "p": list(p)})
    if ids:
        conn.execute(_BASIS, {"kind": kind, "ids": ids, "version": version, "build": _build(), "day": day})
    return {"indicators": len(ids), "rows": len(rows)}


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


def carry_over(conn: Connection, before: dict[str, int], version: int) -> int:
    """After a new version that changed no data (``engine.bump_all_data``, the benchmark's): the
    rows that were current before it, stamped ``version``, as a refresh in that transaction would
    have rewritten them (the same values: nothing they read changed). Rows already stale stay
    stale (a daily indicator's tiles of another day too: their day is kept). Returns how many
    indicators."""
    if not enabled(conn):
        return 0
    cat = _catalogue(conn)
    kinds = {"scorecard": {i: _threshold(e.reads, before) for i, e in cat.items() if e.provincial},
             "kpi": {i: _threshold((e.code,), before) for i, e in cat.items()}}
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
