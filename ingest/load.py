# size: every write of an accepted submission (archive, locks, the staged comparison and the COPY of a first load) in one place
"""Writing an accepted submission: the archive, the submission row, observations and current values.

All database writes of one submission happen in ONE transaction opened by
:func:`ingest.pipeline.submit`: accepted whole or not at all, also when the process dies midway
(the database rolls the transaction back). The raw file is archived before the transaction, under
``<archive root>/YYYY/MM/<sha256>`` (content-addressed, written atomically; an orphan file from a
killed load is harmless and is reused by the next identical upload).

Rows travel through a temporary table (set-based SQL, no per-row Python round trips), except
a PostgreSQL first load (last point):

* ``intake_rows`` (indicator_id, area_id, period_idx, value, status_code, flag_code, note_idx) with
  the small side tables ``intake_periods`` and ``intake_notes``. PostgreSQL fills it with
  ``COPY ... FROM STDIN (FORMAT binary)`` built by numpy; SQLite with batched ``executemany``.
* the changed rows: those that differ from the current value of their (indicator, area, period)
  (value or status changed, or no current value yet), with ``revision`` = current revision + 1 (0
  for new keys). Identical values are skipped: re-sending a value is not a revision.
* they are appended to ``observation`` (``INSERT ... SELECT``) and upserted into
  ``current_observation`` (``INSERT ... SELECT ... ON CONFLICT ... DO UPDATE``; on PostgreSQL the
  keys without a current value take a plain ``INSERT``, cheaper than speculative insertion).
  PostgreSQL does it all in one statement (data-modifying CTEs); SQLite, which has none,
  materialises the changed rows in a second temporary table ``intake_new``.
* on PostgreSQL, rows none of whose series (indicator, area) has a current value in its span of
  periods (a first load, or the next chunk of one; :func:`has_current`) are all new: they skip the
  stage and the comparison and are written as revision 0 straight into both tables by binary
  ``COPY`` (:func:`_copy_fresh`, :mod:`ingest.pgcopy`): the same values, and for the server about
  half the work of the staged path. ``observation``'s rows go a year at a time straight into that
  year's partition (migration 0018; made first when missing), so the server routes none of them.
  The streams are built beforehand (:func:`prepare_rows`, :meth:`Prepared.fresh_copies`): the
  chunked path of :mod:`ingest.pipeline` builds chunk N+1's on its main thread while its loader
  thread feeds chunk N's to the server.
* large PostgreSQL loads check the foreign keys once per distinct key (:func:`_batched_ri`).

Concurrency: on PostgreSQL the transaction takes ``pg_advisory_xact_lock`` on the unit (so the
duplicate check and the write of one unit are serial) and on each indicator it writes, in
ascending order (so revision numbers of a key can never be computed twice; no deadlock since
everyone locks in the same order). Units writing different indicators proceed in parallel. On
SQLite the transaction starts with ``BEGIN IMMEDIATE``: writers queue (WAL + ``busy_timeout``)
instead of failing on a lock upgrade.
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Date, DateTime, Integer, bindparam, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from data_access import schema
from data_access.engine import bump_data_version, count_submission
from ingest import partitions
from ingest.pgcopy import Column, binary_copy, binary_copy_parts, pg_timestamp, take

STATUS_CODES = {"O": 0, "P": 1, "E": 2}
_LOCK_UNIT = 0x0CC1  # pg_advisory_xact_lock(namespace, id): namespaces of this module
_LOCK_INDICATOR = 0x0CC2
SQLITE_BATCH = 50_000


# -- archive -------------------------------------------------------------------------------------


def archive(payload: bytes, sha256: str, received_at: datetime, root: Path) -> str:
    """Store the raw bytes at ``root/YYYY/MM/<sha256>`` (atomically, once) and return the path
    relative to ``root``."""
    rel = archive_path(sha256, received_at)
    path = root / rel
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return rel.as_posix()


def archive_path(sha256: str, received_at: datetime) -> Path:
    """Where :func:`archive` keeps a submission's bytes, relative to the archive's root."""
    return Path(f"{received_at:%Y}") / f"{received_at:%m}" / sha256


ARCHIVE_THREAD_BYTES = 1 << 20


class Archiving:
    """The raw bytes of a submission being stored (:func:`archive`): a file of
    :data:`ARCHIVE_THREAD_BYTES` or more by a thread (writing and syncing 35 MB takes about a third
    of a second, spent while the file is read and loaded), a smaller one at once. :meth:`wait`
    before the transaction that records the submission commits: it raises what storing raised."""

    def __init__(self, payload: bytes, sha256: str, received_at: datetime, root: Path):
        self.path = archive_path(sha256, received_at).as_posix()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if len(payload) < ARCHIVE_THREAD_BYTES:
            archive(payload, sha256, received_at, root)
            return
        self._thread = threading.Thread(target=self._run, args=(payload, sha256, received_at, root),
                                        name="intake-archive")
        self._thread.start()

    def _run(self, payload: bytes, sha256: str, received_at: datetime, root: Path) -> None:
        try:
            archive(payload, sha256, received_at, root)
        except BaseException as exc:  # noqa: BLE001 - raised by wait()
            self._error = exc

    def wait(self) -> str:
        """The archive's relative path once the bytes are stored and synced."""
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return self.path


# -- transaction helpers ----------------------------------------------------------------------------


def begin_write(conn: Connection) -> None:
    """Make the current transaction a writer from its first statement (SQLite: ``BEGIN
    IMMEDIATE``, so concurrent writers wait on ``busy_timeout`` instead of failing)."""
    if conn.dialect.name == "sqlite":
        dbapi = conn.connection.dbapi_connection
        if not dbapi.in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def lock_unit(conn: Connection, unit_id: int) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:ns, :id)"), {"ns": _LOCK_UNIT, "id": int(unit_id)})


def lock_indicators(conn: Connection, indicator_ids: list[int]) -> None:
    if conn.dialect.name == "postgresql":
        for ind in sorted(set(int(i) for i in indicator_ids)):
            conn.execute(text("SELECT pg_advisory_xact_lock(:ns, :id)"), {"ns": _LOCK_INDICATOR, "id": ind})


def find_accepted(conn: Connection, unit_id: int, sha256: str) -> int | None:
    """The id of an accepted submission of ``unit_id`` with the same content, if any."""
    s = schema.submission
    return conn.execute(
        select(s.c.id).where(s.c.agency_id == unit_id, s.c.sha256 == sha256, s.c.status == "accepted")
        .order_by(s.c.id).limit(1)
    ).scalar()


def insert_submission(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(schema.submission.insert().values(**values))
    return int(result.inserted_primary_key[0])


def update_submission(conn: Connection, submission_id: int, values: dict[str, Any]) -> None:
    conn.execute(schema.submission.update().where(schema.submission.c.id == submission_id).values(**values))


# -- rows ---------------------------------------------------------------------------------------------


@dataclass
class WriteResult:
    written: int = 0
    revised: int = 0
    unchanged: int = 0
    daily_items: int = 0
    data_version: int | None = None
    copied: bool = False  # written by COPY as a first load (:func:`_copy_fresh`), not through the stage


_STATUS_SQL = "CASE r.status_code WHEN 1 THEN 'P' WHEN 2 THEN 'E' ELSE 'O' END"
# The staged rows in the columns the warehouse takes (their revision added by each use below).
_STAGED = (
    f"SELECT r.indicator_id, r.area_id, p.period, p.period_start, r.value, {_STATUS_SQL} AS status, "
    "CASE WHEN r.flag_code = 1 THEN 'implausible' END AS flag, n.note, {revision} AS revision "
    "FROM intake_rows r JOIN intake_periods p ON p.idx = r.period_idx "
    "LEFT JOIN intake_notes n ON n.idx = r.note_idx"
)
# The staged rows that differ from their current value, with their revision number.
_CHANGED = (
    _STAGED.format(revision="COALESCE(c.revision + 1, 0)") + " "
    "LEFT JOIN current_observation c ON c.indicator_id = r.indicator_id AND c.area_id = r.area_id "
    "AND c.period_start = p.period_start{narrow} "
    f"WHERE c.indicator_id IS NULL OR c.value <> r.value OR c.status <> {_STATUS_SQL}"
)
# PostgreSQL: the current rows a load can meet are those of its own indicators and periods. Said in
# the join, the planner reads them through ix_current_indicator_period instead of hashing the whole
# current_observation table (10 M rows: 7 s per chunk for a new indicator, whatever its size).
_NARROW_PG = (" AND c.indicator_id = ANY(CAST(:ind_ids AS integer[])) "
              "AND c.period_start BETWEEN :first_start AND :last_start")
_INSERT_OBSERVATION = (
    "INSERT INTO observation (indicator_id, area_id, period, period_start, value, status, revision, submission_id, "
    "recorded_at, flag, note) "
    "SELECT indicator_id, area_id, period, period_start, value, status, revision, :sid, :now, flag, note "
    "FROM {source}{where}"
)
# PostgreSQL: whether any current value lies in the span of periods of one of the rows' series
# (indicator, area: first..last period start; probed through the primary key): none, and every
# row is new (written by _copy_fresh).
_ANY_CURRENT = (
    "SELECT EXISTS (SELECT 1 FROM unnest(CAST(:g_ind AS integer[]), CAST(:g_area AS integer[]), "
    "CAST(:g_first AS date[]), CAST(:g_last AS date[])) AS g (ind, area, first_start, last_start) "
    "WHERE EXISTS (SELECT 1 FROM current_observation c WHERE c.indicator_id = g.ind AND c.area_id = g.area "
    "AND c.period_start BETWEEN g.first_start AND g.last_start))"
)
_INSERT_CURRENT = (
    "INSERT INTO current_observation (indicator_id, area_id, period_start, period, value, status, revision, "
    "submission_id, recorded_at, flag) "
    "SELECT indicator_id, area_id, period_start, period, value, status, revision, :sid, :now, flag "
    "FROM {source}{where}"
)
# SQLite needs a WHERE in INSERT ... SELECT ... ON CONFLICT (a parsing ambiguity with JOIN ... ON).
_UPSERT_CURRENT = (
    _INSERT_CURRENT + " "
    "ON CONFLICT (indicator_id, area_id, period_start) DO UPDATE SET period = excluded.period, "
    "value = excluded.value, status = excluded.status, revision = excluded.revision, "
    "submission_id = excluded.submission_id, recorded_at = excluded.recorded_at, flag = excluded.flag"
)
# From this many rows on, PostgreSQL checks the foreign keys once per distinct key (below).
BATCHED_RI_MIN_ROWS = 20_000


def _typed():
    return [bindparam("sid", type_=Integer()), bindparam("now", type_=DateTime())]


def _batched_ri(conn: Connection, columns: dict[str, np.ndarray], submission_id: int) -> bool:
    """Foreign-key checks once per distinct key instead of once per row (PostgreSQL, large loads).

    PostgreSQL checks a foreign key with a trigger per inserted row (``SELECT 1 FROM parent ...
    FOR KEY SHARE``): for a million observations that is five million look-ups and most of the
    load time. Here the referenced rows are locked ``FOR KEY SHARE`` once per distinct id, exactly
    what those triggers would do, and then the per-row triggers are switched off for this
    transaction only (``SET LOCAL session_replication_role = replica``, the mechanism of
    ``pg_restore --disable-triggers``). Integrity holds: every id was validated against the
    catalogue and its row is locked until the commit, so it cannot be deleted meanwhile.

    Only when the role may set that parameter (superuser, or ``GRANT SET ON PARAMETER
    session_replication_role`` on PostgreSQL 15+); otherwise, or when ``INTAKE_BATCHED_RI=0``,
    the ordinary per-row checks run. The warehouse tables carry no other triggers; a trigger added
    to ``observation`` or ``current_observation`` later must be reviewed against this."""
    n = len(columns["value"])
    if n < BATCHED_RI_MIN_ROWS or os.environ.get("INTAKE_BATCHED_RI", "1") in ("0", "false", "no"):
        return False
    try:
        with conn.begin_nested():
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    except DBAPIError:
        return False
    for table, key in (("indicator", "indicator_id"), ("area", "area_id")):
        ids = sorted(int(i) for i in pd.unique(columns[key]))
        found = conn.execute(text(f"SELECT id FROM {table} WHERE id IN :ids FOR KEY SHARE")
                             .bindparams(bindparam("ids", expanding=True)), {"ids": ids}).scalars().all()
        if len(found) != len(ids):
            raise RuntimeError(f"{table} ids vanished during the load: {sorted(set(ids) - set(found))[:5]}")
    conn.execute(text("SELECT id FROM submission WHERE id = :sid FOR KEY SHARE"), {"sid": submission_id})
    return True


@dataclass
class Prepared:
    """A chunk of validated rows in the shape the load writes, made without the database (so that
    :mod:`ingest.pipeline` prepares chunk N+1 while the server writes chunk N): the staged
    columns (``period_idx`` into ``period_rows``, ``note_idx`` into ``note_values``, status and
    flag codes), the period start of each ``period_idx`` (``start_days``), each series' span of
    periods (for :func:`has_current`) and the years written (their partitions of ``observation``).
    :meth:`fresh_copies` adds the binary COPY streams of a first load (built once)."""

    columns: dict[str, np.ndarray]
    period_rows: list[tuple[int, str, date]]
    start_days: np.ndarray
    note_values: list[str]
    spans: dict[str, list]
    years: set[int]
    _fresh: tuple[tuple[int, datetime], FreshCopies] | None = None

    @property
    def n(self) -> int:
        return len(self.columns["value"])

    def fresh_copies(self, submission_id: int, now: datetime) -> FreshCopies:
        """The COPY streams writing these rows as revision 0 of submission ``submission_id`` (built
        once; :func:`_fresh_streams`)."""
        if self._fresh is None or self._fresh[0] != (submission_id, now):
            self._fresh = ((submission_id, now), _fresh_streams(self, submission_id, now))
        return self._fresh[1]


@dataclass(frozen=True)
class FreshCopies:
    """Binary COPY streams of a first load: ``observation`` a stream per year (each year's rows in
    their order, for its partition), ``current_observation`` one stream of every row."""

    observation: list[tuple[int, bytes]]
    current: bytes


def prepare_rows(rows: pd.DataFrame) -> Prepared | None:
    """``rows`` (columns of :data:`ingest.validate.ROW_COLUMNS`) as a :class:`Prepared` chunk; None
    without rows."""
    if rows.empty:
        return None
    period_f, periods = pd.factorize(rows["period"])
    _, first_of = np.unique(period_f, return_index=True)  # the first row of each period (codes 0..k-1)
    starts = rows["period_start"].to_numpy(dtype=object)[first_of].tolist()
    notes = rows["note"].to_numpy(dtype=object)
    has_note = np.array([n is not None for n in notes], dtype=bool) if len(notes) else np.zeros(0, bool)
    note_idx = np.full(len(rows), -1, dtype=np.int64)
    note_values: list[str] = []
    if has_note.any():
        nf, nu = pd.factorize(notes[has_note])
        note_idx[has_note] = nf
        note_values = [str(x) for x in nu]
    columns = {
        "indicator_id": rows["indicator_id"].to_numpy(dtype=np.int64),
        "area_id": rows["area_id"].to_numpy(dtype=np.int64),
        "period_idx": period_f.astype(np.int64),
        "value": rows["value"].to_numpy(dtype=float),
        "status_code": rows["status"].map(STATUS_CODES).to_numpy(dtype=np.int64),
        "flag_code": (rows["flag"].to_numpy(dtype=object) == "implausible").astype(np.int64),
        "note_idx": note_idx,
    }
    period_rows = [(i, str(p), d) for i, (p, d) in enumerate(zip(periods, starts, strict=True))]
    start_days = np.array([d for _, _, d in period_rows], dtype="datetime64[D]")
    return Prepared(columns=columns, period_rows=period_rows, start_days=start_days, note_values=note_values,
                    spans=_spans(columns, start_days), years={d.year for d in starts})


def _spans(columns: dict[str, np.ndarray], starts: np.ndarray) -> dict[str, list]:
    """Each staged series' (indicator, area) first and last period start: :data:`_ANY_CURRENT`'s
    parameters."""
    days = starts.astype("datetime64[D]")[columns["period_idx"]]
    spans = pd.DataFrame({"ind": columns["indicator_id"], "area": columns["area_id"], "day": days}) \
        .groupby(["ind", "area"], sort=True)["day"].agg(["min", "max"]).reset_index()
    return {"g_ind": spans["ind"].astype(int).tolist(), "g_area": spans["area"].astype(int).tolist(),
            "g_first": [d.date() for d in spans["min"]], "g_last": [d.date() for d in spans["max"]]}


def has_current(conn: Connection, columns: dict[str, np.ndarray], starts: np.ndarray,
                spans: dict[str, list] | None = None) -> bool:
    """PostgreSQL: whether any current value lies in the span of periods of one of the staged
    series (an indicator and an area: from its first to its last period start; ``starts``, the
    period start of each ``period_idx``; ``spans``: those spans when already known); when none
    does, :func:`write_rows` inserts the stage as new keys without comparing it with the current
    values. Spans, not keys: a chunk of a table that continues the series of the chunk before it
    meets none of that chunk's rows."""
    return bool(conn.execute(text(_ANY_CURRENT), spans or _spans(columns, starts)).scalar())


def write_rows(conn: Connection, submission_id: int, rows: pd.DataFrame | Prepared, now: datetime) -> WriteResult:
    """Stage ``rows`` (columns of :data:`ingest.validate.ROW_COLUMNS`, or already prepared by
    :func:`prepare_rows`) and write the changed ones as new revisions to ``observation`` and
    ``current_observation``."""
    result = WriteResult()
    prepared = prepare_rows(rows) if isinstance(rows, pd.DataFrame) else rows
    if prepared is None:
        return result
    pg = conn.dialect.name == "postgresql"
    columns, period_rows, note_values = prepared.columns, prepared.period_rows, prepared.note_values
    if pg:  # a year's first values: its partition of ``observation`` (migration 0018)
        partitions.ensure_years(conn, prepared.years)
    if pg and not has_current(conn, columns, prepared.start_days, prepared.spans):
        # no current value in the span of any staged series (a first load, or the next chunk of
        # one): every row is new (revision 0) and goes straight into both tables by COPY, without
        # a stage or the comparison with the current values
        bulk = _batched_ri(conn, columns, submission_id)
        _copy_fresh(conn, prepared.fresh_copies(submission_id, now))
        if bulk:
            conn.exec_driver_sql("SET LOCAL session_replication_role = origin")
        result.written, result.unchanged, result.copied = prepared.n, 0, True
        return result

    _create_stage(conn, pg)
    note_rows = list(enumerate(note_values))
    if pg:  # many rows per statement (executemany would be one round trip per period)
        from psycopg2.extras import execute_values

        cursor = conn.connection.dbapi_connection.cursor()
        try:
            execute_values(cursor, "INSERT INTO intake_periods (idx, period, period_start) VALUES %s", period_rows,
                           page_size=5000)
            if note_rows:
                execute_values(cursor, "INSERT INTO intake_notes (idx, note) VALUES %s", note_rows, page_size=5000)
        finally:
            cursor.close()
    else:
        conn.execute(text("INSERT INTO intake_periods (idx, period, period_start) VALUES (:idx, :period, :start)")
                     .bindparams(bindparam("start", type_=Date())),
                     [{"idx": i, "period": p, "start": d} for i, p, d in period_rows])
        if note_rows:
            conn.execute(text("INSERT INTO intake_notes (idx, note) VALUES (:idx, :note)"),
                         [{"idx": i, "note": n} for i, n in note_rows])
    if pg:
        _copy_binary(conn, columns)
        conn.exec_driver_sql("ANALYZE intake_rows")
    else:
        _sqlite_insert(conn, columns)

    if pg:
        bulk = _batched_ri(conn, columns, submission_id)
        # The staged rows arrive in file order (for a table: period by period, area by area). A hash
        # join that fits in memory keeps that order, so the insert below touches the indexes'
        # pages in sequence; spilled to batches (default work_mem) it scatters them. JIT compiling
        # costs ~0.8 s per statement and buys nothing for an insert.
        conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
        conn.exec_driver_sql("SET LOCAL jit = off")
        params = {"sid": submission_id, "now": now, "ind_ids": sorted(int(i) for i in pd.unique(columns["indicator_id"])),
                  "first_start": min(d for _, _, d in period_rows), "last_start": max(d for _, _, d in period_rows)}
        typed = [*_typed(), bindparam("first_start", type_=Date()), bindparam("last_start", type_=Date())]
        # one statement: the changed rows (read once, materialised), appended to observation and
        # upserted into current_observation; data-modifying CTEs run exactly once each
        # New keys (revision 0: no current row) take a plain INSERT, which is much cheaper than the
        # speculative insertion of ON CONFLICT; revised keys are upserted. The indicator locks
        # guarantee that no other intake inserts those keys meanwhile (if anything did, the
        # INSERT fails and the whole submission rolls back: never a half-written state).
        counts = conn.execute(text(
            f"WITH new AS MATERIALIZED ({_CHANGED.format(narrow=_NARROW_PG)}), "
            f"ins AS ({_INSERT_OBSERVATION.format(source='new', where='')}), "
            f"fresh AS ({_INSERT_CURRENT.format(source='new', where=' WHERE revision = 0')} RETURNING revision), "
            f"up AS ({_UPSERT_CURRENT.format(source='new', where=' WHERE revision > 0')} RETURNING revision) "
            "SELECT (SELECT COUNT(*) FROM fresh) + (SELECT COUNT(*) FROM up), (SELECT COUNT(*) FROM up)"
        ).bindparams(*typed), params).one()
        result.written, result.revised = int(counts[0]), int(counts[1])
        if bulk:
            conn.exec_driver_sql("SET LOCAL session_replication_role = origin")
    else:
        conn.exec_driver_sql(f"CREATE TEMP TABLE intake_new AS {_CHANGED.format(narrow='')}")
        counts = conn.execute(text("SELECT COUNT(*), COALESCE(SUM(CASE WHEN revision > 0 THEN 1 ELSE 0 END), 0) "
                                   "FROM intake_new")).one()
        result.written, result.revised = int(counts[0]), int(counts[1])
        if result.written:
            params = {"sid": submission_id, "now": now}
            conn.execute(text(_INSERT_OBSERVATION.format(source="intake_new", where="")).bindparams(*_typed()), params)
            conn.execute(text(_UPSERT_CURRENT.format(source="intake_new", where=" WHERE true"))
                         .bindparams(*_typed()), params)
    result.unchanged = prepared.n - result.written
    if not pg:
        for t in ("intake_new", "intake_rows", "intake_periods", "intake_notes"):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{t}")
    return result


_OBSERVATION_COLUMNS = ("indicator_id", "area_id", "period", "period_start", "value", "status", "revision",
                        "submission_id", "recorded_at", "flag", "note")
_CURRENT_COLUMNS = ("indicator_id", "area_id", "period_start", "period", "value", "status", "revision",
                    "submission_id", "recorded_at", "flag")
_COPY = "COPY {table} ({columns}) FROM STDIN WITH (FORMAT binary)"


def _fresh_streams(prepared: Prepared, submission_id: int, now: datetime) -> FreshCopies:
    """The rows of ``prepared``, all new keys, as revision 0 of ``observation`` (a stream per year
    of their period start, the rows of each in their order) and ``current_observation``: the
    values the staged path's SQL writes (:data:`_STATUS_SQL`, the flag, the notes' join)."""
    columns, n = prepared.columns, prepared.n
    per = columns["period_idx"]
    days = prepared.start_days[per]
    fields = {
        "indicator_id": Column("int4", columns["indicator_id"]),
        "area_id": Column("int4", columns["area_id"]),
        "period": Column("text", (per, [p for _, p, _ in prepared.period_rows])),
        "period_start": Column("date", days),
        "value": Column("float8", columns["value"]),
        "status": Column("text", (columns["status_code"], sorted(STATUS_CODES, key=STATUS_CODES.get))),
        "revision": Column("int4", 0),
        "submission_id": Column("int8", submission_id),
        "recorded_at": Column("timestamp", pg_timestamp(now)),
        "flag": Column("text", (np.where(columns["flag_code"] == 1, 0, -1), ["implausible"])),
        "note": Column("text", (columns["note_idx"], prepared.note_values)),
    }
    # current_observation's rows in the order of its covering index (indicator, period start,
    # area), its primary key's (indicator, area, period start) then taking a few areas in step: a
    # table's rows (area by area, every period) would otherwise land all over the covering index
    # (about half the server's work of a 63-province table went there)
    by_index = np.lexsort((columns["area_id"], per, days, columns["indicator_id"]))
    current = binary_copy([take(fields[c], by_index) for c in _CURRENT_COLUMNS], n)
    year_of = days.astype("datetime64[Y]").astype(np.int64) + 1970
    order = None if n < 2 or bool((np.diff(year_of) >= 0).all()) else np.argsort(year_of, kind="stable")
    if order is not None:  # each year's rows together, in their order
        year_of = year_of[order]
        fields = {c: take(col, order) for c, col in fields.items()}
    years, starts = np.unique(year_of, return_index=True)
    streams = binary_copy_parts([fields[c] for c in _OBSERVATION_COLUMNS], n, [*starts.tolist(), n])
    return FreshCopies(list(zip((int(y) for y in years), streams, strict=True)), current)


def _copy_fresh(conn: Connection, copies: FreshCopies) -> None:
    """PostgreSQL: a first load's streams (:func:`_fresh_streams`) into ``observation`` and
    ``current_observation``. When ``observation`` is partitioned, each year's stream goes straight
    into its partition (made beforehand by :func:`ingest.partitions.ensure_years`; the server
    checks the partition's bounds), sparing the server the routing of every row through the parent."""
    split = partitions.is_partitioned(conn)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        for year, stream in copies.observation:
            table = f'"{partitions.partition_name(year)}"' if split else "observation"
            _copy_stream(cursor, _COPY.format(table=table, columns=", ".join(_OBSERVATION_COLUMNS)), stream)
        _copy_stream(cursor, _COPY.format(table="current_observation", columns=", ".join(_CURRENT_COLUMNS)),
                     copies.current)
    finally:
        cursor.close()


def _copy_stream(cursor: Any, sql: str, stream: bytes) -> None:
    """``sql`` (a ``COPY ... FROM STDIN``) fed ``stream`` in one piece: psycopg2 reads its file a
    block at a time, taking the GIL back for each; one block holds it once, and the thread waits
    for the server with the GIL released (the main thread prepares the next chunk meanwhile)."""
    cursor.copy_expert(sql, io.BytesIO(stream), size=max(len(stream), 1))


def _create_stage(conn: Connection, pg: bool) -> None:
    if pg:
        suffix = " ON COMMIT DROP"
        conn.exec_driver_sql("DROP TABLE IF EXISTS intake_rows, intake_periods, intake_notes, intake_new")
    else:
        suffix = ""
        for t in ("intake_rows", "intake_periods", "intake_notes", "intake_new"):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{t}")
    conn.exec_driver_sql(
        "CREATE TEMP TABLE intake_rows (indicator_id INTEGER NOT NULL, area_id INTEGER NOT NULL, "
        "period_idx INTEGER NOT NULL, value DOUBLE PRECISION NOT NULL, status_code SMALLINT NOT NULL, "
        f"flag_code SMALLINT NOT NULL, note_idx INTEGER NOT NULL){suffix}")
    conn.exec_driver_sql(
        f"CREATE TEMP TABLE intake_periods (idx INTEGER PRIMARY KEY, period VARCHAR(10) NOT NULL, "
        f"period_start DATE NOT NULL){suffix}")
    conn.exec_driver_sql(f"CREATE TEMP TABLE intake_notes (idx INTEGER PRIMARY KEY, note TEXT NOT NULL){suffix}")


_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
_BINARY_DTYPE = np.dtype([
    ("n", ">i2"),
    ("l_ind", ">i4"), ("ind", ">i4"),
    ("l_area", ">i4"), ("area", ">i4"),
    ("l_per", ">i4"), ("per", ">i4"),
    ("l_val", ">i4"), ("val", ">f8"),
    ("l_st", ">i4"), ("st", ">i2"),
    ("l_fl", ">i4"), ("fl", ">i2"),
    ("l_note", ">i4"), ("note", ">i4"),
])


def _copy_binary(conn: Connection, columns: dict[str, np.ndarray]) -> None:
    """``COPY intake_rows FROM STDIN (FORMAT binary)``: every field is fixed-width, so the whole
    buffer is one numpy structured array in network byte order."""
    n = len(columns["value"])
    rec = np.empty(n, dtype=_BINARY_DTYPE)
    rec["n"] = 7
    rec["l_ind"], rec["l_area"], rec["l_per"], rec["l_note"] = 4, 4, 4, 4
    rec["l_val"] = 8
    rec["l_st"], rec["l_fl"] = 2, 2
    rec["ind"] = columns["indicator_id"]
    rec["area"] = columns["area_id"]
    rec["per"] = columns["period_idx"]
    rec["val"] = columns["value"]
    rec["st"] = columns["status_code"]
    rec["fl"] = columns["flag_code"]
    rec["note"] = columns["note_idx"]
    buf = io.BytesIO()
    buf.write(_BINARY_HEADER)
    buf.write(rec.tobytes())
    buf.write((-1).to_bytes(2, "big", signed=True))
    buf.seek(0)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.copy_expert(
            "COPY intake_rows (indicator_id, area_id, period_idx, value, status_code, flag_code, note_idx) "
            "FROM STDIN WITH (FORMAT binary)", buf)
    finally:
        cursor.close()


def _sqlite_insert(conn: Connection, columns: dict[str, np.ndarray]) -> None:
    names = ["indicator_id", "area_id", "period_idx", "value", "status_code", "flag_code", "note_idx"]
    lists = [columns[c].tolist() for c in names]
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        sql = f"INSERT INTO intake_rows ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        n = len(lists[0])
        for start in range(0, n, SQLITE_BATCH):
            cursor.executemany(sql, zip(*(col[start:start + SQLITE_BATCH] for col in lists), strict=True))
    finally:
        cursor.close()


# -- other tables ----------------------------------------------------------------------------------


def write_daily_items(conn: Connection, submission_id: int, unit_id: int, items: list[dict[str, Any]],
                      now: datetime) -> int:
    if not items:
        return 0
    conn.execute(schema.daily_item.insert(), [
        {"item_date": it["item_date"], "agency_id": unit_id, "category": it["category"], "severity": it["severity"],
         "title": it["title"], "body": it["body"], "submission_id": submission_id, "recorded_at": now}
        for it in items
    ])
    return len(items)


def write_links(conn: Connection, submission_id: int, links: list[tuple[int, str, int]]) -> None:
    """``submission_period`` rows: (regime_id, period, rows)."""
    if links:
        conn.execute(schema.submission_period.insert(), [
            {"submission_id": submission_id, "regime_id": r, "period": p, "rows": n} for r, p, n in links
        ])


def record_submission(conn: Connection) -> None:
    count_submission(conn)


def bump(conn: Connection, indicator_ids=(), daily: bool = False) -> int:
    """Bump ``data_version`` for a submission that wrote data: stamps ``i:<code>`` of the indicators
    written and ``daily`` if daily items were; caches invalidate only what shows them
    (``data_access.cache``)."""
    scopes = ["daily"] if daily else []
    ids = sorted({int(i) for i in indicator_ids})
    if ids:
        codes = conn.execute(text("SELECT code FROM indicator WHERE id IN :ids")
                             .bindparams(bindparam("ids", expanding=True)), {"ids": ids}).scalars().all()
        scopes += [f"i:{c}" for c in codes]
    return bump_data_version(conn, scopes)
