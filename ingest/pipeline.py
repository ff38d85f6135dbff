# size: the one intake pipeline (parse, validate, load) shared by the API, the upload page and the CLI, with its report
"""The intake command: ``submit()`` parses, validates and loads one submission in one transaction
and returns a :class:`SubmissionReport`. The HTTP API, the CLI and the upload page are thin shells
over it (Superset's "command" shape: validate first, then write in one transaction).

Steps:

1. hash the raw bytes (sha256) and archive them (:class:`ingest.load.Archiving`: a large file by a
   thread while it is read, stored and synced before the submission's row commits);
2. look the unit up; if the same unit already has an ACCEPTED submission with the same sha256,
   answer ``duplicate`` with that submission's id and change nothing;
3. parse (:mod:`ingest.formats`) and validate (:mod:`ingest.validate`), then check plausibility
   against the series' history (warnings, values flagged ``implausible``);
4. in one write transaction: record the ``submission`` row (accepted or rejected, with counts and
   the JSON report); when accepted, write the changed values as new revisions, the current values,
   the daily items, the links to (regime, period) (``submission_period``; ``submission.period`` and
   ``regime_id`` too when there is only one), and bump ``data_version`` when anything was written.

A rejected submission writes only its ``submission`` row: no observation, no current value, no
new ``data_version``.

Large files on PostgreSQL (from :data:`PIPELINE_MIN_ROWS` rows) are validated in chunks while a
second thread loads the chunks already validated, in the same write transaction, so that Python
and the database server work at the same time; the outcome is the same as in one piece (see
:func:`_submit_chunked`). A plain long CSV is also read a chunk at a time (:mod:`ingest.csv_stream`),
so that the server writes its first rows while the rest of the file is still being read.

Connections: given an Engine, ``submit`` uses its own connection and transactions (the normal
case). Given a Connection outside a transaction, it does the same on it. Given a Connection
inside a transaction, it writes into that transaction and the caller commits or rolls back.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import queue
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from alerts import evaluate as alert_rules
from data_access import rollups
from ingest import csv_stream, load, parse_memo
from ingest.bounds import BudgetExceeded, ReadBudget
from ingest.formats import FileError, budget_issue
from ingest.issues import FindingLists, Findings, make_issue
from ingest.mappings import apply_mapping
from ingest.published import ImportMapping
from ingest.regimes import submission_links
from ingest.validate import (
    check_plausibility,
    duplicate_keys,
    flag_implausible,
    history_stats,
    load_catalogue,
    validate,
)
from metadata import derived

CHANNELS = ("api", "upload", "cli", "seed", "bench")
ACCEPTED, REJECTED, DUPLICATE = "accepted", "rejected", "duplicate"


# IntakeLimits field -> environment variable (settings.py documents each, with its default)
_LIMIT_ENV = {
    "max_bytes": "INTAKE_MAX_BYTES",
    "max_rows": "INTAKE_MAX_ROWS",
    "parse_seconds": "INTAKE_PARSE_SECONDS",
    "max_unzipped_bytes": "INTAKE_MAX_UNZIPPED_BYTES",
    "max_zip_ratio": "INTAKE_MAX_ZIP_RATIO",
    "max_line_bytes": "INTAKE_MAX_LINE_BYTES",
    "max_columns": "INTAKE_MAX_COLUMNS",
}


@dataclass(frozen=True)
class IntakeLimits:
    """The budget of one submission, the same on every channel: the file's size, its rows, and how
    it may be read (:class:`ingest.bounds.ReadBudget`: unpacked bytes and compression ratio of an
    XLSX, a CSV line's length, the header's width, the wall-clock deadline of reading). From the
    settings (``intake_*``, read from the environment ``INTAKE_*``; see ``settings.py``), the test
    settings' ``extra`` overriding them; without settings, from the environment."""

    max_bytes: int = 50 * 1024 * 1024
    max_rows: int = 2_000_000
    max_findings: int = 1000
    parse_seconds: float = 45.0
    max_unzipped_bytes: int = 1024 * 1024 * 1024
    max_zip_ratio: int = 100
    max_line_bytes: int = 1024 * 1024
    max_columns: int = 1000

    @classmethod
    def from_settings(cls, settings: Any = None) -> IntakeLimits:
        extra = getattr(settings, "extra", None) or {}

        def pick(name: str):
            default = getattr(cls, name)
            kind = type(default)
            raw = extra.get(f"intake_{name}")
            if raw in (None, ""):
                raw = getattr(settings, f"intake_{name}", None) if settings is not None else None
            if raw in (None, ""):
                raw = os.environ.get(_LIMIT_ENV[name])
            return kind(raw) if raw not in (None, "") else default

        return cls(**{name: pick(name) for name in _LIMIT_ENV})

    def read_budget(self) -> ReadBudget:
        """A fresh budget (its deadline starts now) for reading one file."""
        return ReadBudget(max_rows=self.max_rows, max_unzipped_bytes=self.max_unzipped_bytes,
                          max_zip_ratio=self.max_zip_ratio, max_line_bytes=self.max_line_bytes,
                          max_columns=self.max_columns, parse_seconds=self.parse_seconds)


@dataclass
class SubmissionReport(FindingLists):
    """What happened to one submission. ``as_dict()`` is the API's response body and the JSON
    stored in ``submission.report``.

    ``counts``: ``rows`` (observation rows read, blank lines excluded), ``valid``,
    ``not_reported`` (blank value, skipped), ``written`` (new revisions stored), ``revised``
    (of which replace an earlier value), ``unchanged`` (identical to the current value, not
    stored again), ``flagged`` (implausible), ``daily_items``."""

    status: str
    unit: str
    channel: str
    filename: str | None
    sha256: str
    received_at: datetime
    submission_id: int | None = None
    duplicate_of: int | None = None
    format: str | None = None
    encoding: str | None = None
    periods: list[str] = field(default_factory=list)
    regimes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    mappings: dict[str, dict[str, str]] = field(default_factory=dict)  # "area": {name as written: area key}
    mapping: dict[str, Any] | None = None  # the mapping given (source, name, indicator: ImportMapping.as_record)
    truncated: bool = False
    data_version: int | None = None
    archive_path: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    alerts_raised: int = 0  # alerts the rules raised on what it wrote and delivered (alerts.evaluate)
    archiving: load.Archiving | None = field(default=None, repr=False, compare=False)  # stored before commit

    @property
    def accepted(self) -> bool:
        return self.status == ACCEPTED

    def error_codes(self) -> list[str]:
        return [e.code for e in self.errors]

    def as_dict(self) -> dict[str, Any]:
        return {
            "submission_id": self.submission_id,
            "status": self.status,
            "duplicate_of": self.duplicate_of,
            "unit": self.unit,
            "channel": self.channel,
            "filename": self.filename,
            "sha256": self.sha256,
            "received_at": self.received_at.isoformat(timespec="seconds"),
            "format": self.format,
            "encoding": self.encoding,
            "periods": self.periods,
            "regimes": self.regimes,
            "counts": self.counts,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
            "notes": [n.as_dict() for n in self.notes],
            "mappings": self.mappings,
            "mapping": self.mapping,
            "errors_total": self.errors_total,
            "warnings_total": self.warnings_total,
            "notes_total": self.notes_total,
            "truncated": self.truncated,
            "data_version": self.data_version,
        }


def default_archive_dir() -> Path:
    """``<INSTANCE_DIR>/archive`` of the current Flask app, else of the environment's settings."""
    from flask import current_app, has_app_context

    if has_app_context() and "SETTINGS" in current_app.config:
        return Path(current_app.config["SETTINGS"].instance_dir) / "archive"
    from settings import Settings

    return Path(Settings.from_env().instance_dir) / "archive"


# Not part of a file name to record: control characters (NUL cannot even be stored by PostgreSQL) and
# half of a surrogate pair (a file system's undecodable bytes; not writable as UTF-8).
_NOT_A_NAME = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_filename(filename: str | None) -> str | None:
    """The file name as given by the sender, with each character that is not text replaced by U+FFFD."""
    return _NOT_A_NAME.sub("\ufffd", filename) if filename else filename


def submit(target: Connection | Engine, *, unit_code: str, payload: bytes, filename: str | None, channel: str,
           submitted_by: str | None, received_at: datetime | None = None, archive_dir: Path | None = None,
           limits: IntakeLimits | None = None, mapping: ImportMapping | None = None) -> SubmissionReport:
    """Parse, validate and load one submission of ``unit_code``; see the module docstring.
    ``mapping``: what a published table does not say itself (its indicator)."""
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}")
    received_at = received_at or datetime.now()
    if received_at.tzinfo is not None:
        received_at = received_at.astimezone().replace(tzinfo=None)
    limits = limits or IntakeLimits.from_settings(_current_settings())
    sha = hashlib.sha256(payload).hexdigest()
    report = SubmissionReport(status=REJECTED, unit=(unit_code or "").strip().upper(), channel=channel,
                              filename=clean_filename(filename), sha256=sha, received_at=received_at)
    if len(payload) <= limits.max_bytes:  # oversized files are refused unread and not kept
        report.archiving = load.Archiving(payload, sha, received_at, archive_dir or default_archive_dir())
        report.archive_path = report.archiving.path
    if isinstance(target, Engine):
        with target.connect() as conn:
            return _submit(conn, True, report, payload, submitted_by, limits, mapping)
    return _submit(target, not target.in_transaction(), report, payload, submitted_by, limits, mapping)


def _current_settings() -> Any:
    from flask import current_app, has_app_context

    return current_app.config.get("SETTINGS") if has_app_context() else None


def _submit(conn: Connection, own: bool, report: SubmissionReport, payload: bytes, submitted_by: str | None,
            limits: IntakeLimits, mapping: ImportMapping | None = None) -> SubmissionReport:
    started = time.perf_counter()
    findings = Findings(limit=limits.max_findings)
    cat = load_catalogue(conn)
    unit = cat.units.get(report.unit)
    validated = None
    if unit is None:
        findings.error(make_issue("unknown_unit", value=report.unit))
    elif not unit.active:
        findings.error(make_issue("inactive_unit", value=report.unit))
    else:
        earlier = load.find_accepted(conn, unit.id, report.sha256)
        if earlier is not None:
            if own:
                conn.rollback()
            return _duplicate(report, earlier)
        if len(payload) > limits.max_bytes:
            findings.error(make_issue("file_too_large", size=len(payload), limit=limits.max_bytes))
        else:
            stream = None
            if own and conn.dialect.name == "postgresql" and not _maps(mapping):
                stream = csv_stream.open_stream(payload, report.filename, findings, limits.max_rows,
                                                limits.read_budget(), PIPELINE_MIN_ROWS)
            if stream is not None:
                report.format, report.encoding = stream.parsed.format, stream.parsed.encoding
                return _submit_chunked(conn, report, stream.parsed, cat, unit, findings, submitted_by, started,
                                       stream)
            parsed = parse_memo.parse(payload, report.filename, findings, limits.max_rows,
                                      budget=limits.read_budget(), mapping=mapping)
            if parsed is not None:
                report.format, report.encoding = parsed.format, parsed.encoding
                if _maps(mapping):
                    report.mapping = mapping.as_record()
                    parsed = apply_mapping(parsed, mapping, findings, report.mappings)
                declared = (parsed.declared_unit or "").strip().upper()
                if declared and declared != unit.code:
                    findings.error(make_issue("unit_mismatch", value=parsed.declared_unit, unit=unit.code))
                elif own and conn.dialect.name == "postgresql" and len(parsed.observations) >= PIPELINE_MIN_ROWS:
                    return _submit_chunked(conn, report, parsed, cat, unit, findings, submitted_by, started)
                else:
                    validated = validate(parsed, cat, unit, report.received_at, findings)
                    _record_mappings(report, validated.area_mappings)
                    if not findings.has_errors:
                        check_plausibility(conn, validated.rows, cat, findings, column=parsed.column("value"))
                        if validated.rows.empty and not validated.daily_items:
                            findings.error(make_issue("no_rows"))
    report.timings["validate_s"] = round(time.perf_counter() - started, 3)
    if own:
        conn.rollback()  # end the read snapshot; the write transaction starts fresh
        with conn.begin():
            result = _write(conn, report, findings, validated, unit, cat, submitted_by)
    else:
        result = _write(conn, report, findings, validated, unit, cat, submitted_by)
    report.timings["load_s"] = round(time.perf_counter() - started - report.timings["validate_s"], 3)
    report.timings["total_s"] = round(time.perf_counter() - started, 3)
    return result


def _maps(mapping: ImportMapping | None) -> bool:
    """Whether ``mapping`` changes what a file says (areas, indicators, a name, a proposal)."""
    return mapping is not None and bool(mapping.areas or mapping.indicators or mapping.name
                                        or mapping.source != "explicit")


def _record_mappings(report: SubmissionReport, areas: dict[str, str]) -> None:
    """Keep the names the validation read as areas (a chunk at a time) in the report."""
    if areas:
        report.mappings.setdefault("area", {}).update(areas)


def _duplicate(report: SubmissionReport, earlier: int) -> SubmissionReport:
    report.status = DUPLICATE
    report.submission_id = earlier
    report.duplicate_of = earlier
    return report


def _new_counts() -> dict[str, int]:
    return {"rows": 0, "valid": 0, "not_reported": 0, "written": 0, "revised": 0, "unchanged": 0, "flagged": 0,
            "daily_items": 0}


def _insert_row(conn: Connection, report: SubmissionReport, unit, accepted: bool, submitted_by: str | None) -> int:
    sid = load.insert_submission(conn, {
        "agency_id": unit.id if unit is not None else None,
        "received_at": report.received_at,
        "channel": report.channel,
        "filename": (report.filename or "")[:500] or None,
        "sha256": report.sha256,
        "archive_path": report.archive_path,
        "status": ACCEPTED if accepted else REJECTED,
        "submitted_by": submitted_by,
    })
    report.submission_id = sid
    return sid


def _finish(conn: Connection, report: SubmissionReport, findings: Findings, counts: dict[str, int],
            links: list[tuple[int, str, int]], periods: set[str], cat, daily_received: int) -> SubmissionReport:
    """Fill the report and the submission row (status, period, regime, counts, JSON report). The
    raw bytes are stored by then (the row names them; its transaction commits after this)."""
    if report.archiving is not None:
        report.archiving.wait()
    findings.finalize()
    report.counts = counts
    if report.status == ACCEPTED:
        report.periods = sorted({p for _, p, _ in links} | periods)
        report.regimes = sorted({cat.regimes[r].code for r, _, _ in links})
    report.take_findings(findings)
    report.truncated = findings.truncated
    regime_ids = sorted({r for r, _, _ in links})
    load.update_submission(conn, report.submission_id, {
        "status": report.status,
        "period": report.periods[0] if len(report.periods) == 1 else None,
        "regime_id": regime_ids[0] if len(regime_ids) == 1 else None,
        "rows_total": counts["rows"] + daily_received,
        "rows_written": counts["written"] + counts["daily_items"],
        "errors": report.errors_total,
        "warnings": report.warnings_total,
        "report": json.dumps(report.as_dict(), ensure_ascii=False),
    })
    load.record_submission(conn)  # news for the calendar and the unit's list, even when rejected or unchanged
    return report


def _write(conn: Connection, report: SubmissionReport, findings: Findings, validated, unit, cat,
           submitted_by: str | None) -> SubmissionReport:
    load.begin_write(conn)
    if unit is not None:
        load.lock_unit(conn, unit.id)
        earlier = load.find_accepted(conn, unit.id, report.sha256)  # again, under the lock
        if earlier is not None:
            return _duplicate(report, earlier)
    accepted = not findings.has_errors and validated is not None
    rows = validated.rows if accepted else None
    derived_ids: list[int] = []
    if accepted:
        written_ids = [int(i) for i in rows["indicator_id"].unique()]
        derived_ids = derived.affected_ids(conn, written_ids)
        load.lock_indicators(conn, written_ids + derived_ids)
    now = datetime.now()
    sid = _insert_row(conn, report, unit, accepted, submitted_by)
    counts = _new_counts()
    if validated is not None:
        counts["rows"] = validated.rows_total
        counts["not_reported"] = validated.not_reported
    links: list[tuple[int, str, int]] = []
    periods: set[str] = set()
    report.status = ACCEPTED if accepted else REJECTED
    if accepted:
        result = load.write_rows(conn, sid, rows, now)
        result.daily_items = load.write_daily_items(conn, sid, unit.id, validated.daily_items, now)
        links = submission_links(rows, unit.id, cat.regimes_carrying)
        load.write_links(conn, sid, links)
        computed = _recompute(conn, rows if result.written and derived_ids else None, sid, now)
        if result.written or result.daily_items:
            result.data_version = load.bump(conn, [*rows["indicator_id"].unique(), *computed] if result.written
                                            else (), daily=bool(result.daily_items))
            if result.written:
                _refresh_rollups(conn, report, [*rows["indicator_id"].unique(), *computed])
        counts.update(valid=len(rows), written=result.written, revised=result.revised, unchanged=result.unchanged,
                      flagged=int((rows["flag"] == "implausible").sum()), daily_items=result.daily_items)
        report.data_version = result.data_version
        periods = set(rows["period"].unique().tolist())
        _evaluate_alerts(conn, report, rows if result.written else None, now)
    daily_received = len(validated.daily_items) if validated is not None else 0
    return _finish(conn, report, findings, counts, links, periods, cat, daily_received)


def _refresh_rollups(conn: Connection, report: SubmissionReport, written: list[Any]) -> None:
    """The provinces' scorecard rows and the KPI tiles that read what this submission wrote,
    computed again in its transaction (:mod:`data_access.rollups`); their time in the report's
    timings."""
    report.timings["rollups_s"] = rollups.refresh(conn, written)["seconds"]


def _evaluate_alerts(conn: Connection, report: SubmissionReport, rows: pd.DataFrame | None, now: datetime) -> None:
    """The alert rules on what this accepted submission wrote and delivered, in its transaction
    (:mod:`alerts.evaluate`); their time in the report's timings."""
    outcome = alert_rules.on_intake(conn, report.submission_id, rows, now)
    report.timings["alerts_s"] = outcome["seconds"]
    report.timings["alerts_cpu_s"] = outcome["cpu_seconds"]  # this process's CPU (the server's is apart)
    report.alerts_raised = outcome["raised"]


def _recompute(conn: Connection, rows: pd.DataFrame | None, sid: int, now: datetime) -> list[int]:
    """The derived indicators reading what ``rows`` hold, recomputed for their periods in the
    load's transaction (:mod:`metadata.derived`); the ids of those that changed."""
    if rows is None or rows.empty:
        return []
    pairs = rows[["indicator_id", "period_start"]].drop_duplicates()
    written: dict[int, set] = {}
    for i, start in zip(pairs["indicator_id"].tolist(), pairs["period_start"].tolist(), strict=True):
        written.setdefault(int(i), set()).add(start)
    return derived.recompute(conn, written=written, submission_id=sid, now=now)


# -- large files on PostgreSQL: validation and load overlapped -----------------------------------------

# From this many rows on (PostgreSQL, own transaction), the file is validated in chunks of
# CHUNK_ROWS while a second thread loads the chunks already validated, in the same transaction:
# Python validates on one core while the server writes on the other. The outcome is the same as
# in one piece: any error anywhere (including duplicate keys across chunks, checked at the end)
# rolls the whole transaction back and records the rejected submission; plausibility is judged
# against the history read before anything is written.
PIPELINE_MIN_ROWS = 100_000
CHUNK_ROWS = 200_000
# The first chunk is smaller: the server has nothing to write until it is validated. The next
# ones double up to CHUNK_ROWS, so that Python prepares each while the server writes the one
# before (a chunk costs Python less time than the server, but not less than half of it).
FIRST_CHUNK_ROWS = 50_000


def chunk_bounds(n: int) -> list[tuple[int, int]]:
    """The (start, stop) of each chunk of ``n`` rows: the first of at most FIRST_CHUNK_ROWS, each
    next one twice the one before, up to CHUNK_ROWS."""
    bounds: list[tuple[int, int]] = []
    start, size = 0, min(CHUNK_ROWS, FIRST_CHUNK_ROWS)
    while start < n:
        bounds.append((start, min(start + size, n)))
        start, size = start + size, min(2 * size, CHUNK_ROWS)
    return bounds


class _ChunkLoader:
    """A thread that writes validated chunks with :func:`ingest.load.write_rows` on ``conn``; the
    main thread does not touch ``conn`` until :meth:`finish` returns. The main thread hands over
    chunks already prepared (:meth:`put`: :func:`ingest.load.prepare_rows`, and while every chunk
    so far was a first load, its COPY streams built), so that this thread, whose work is the
    critical path, only talks to the server: Python's part of chunk N+1 overlaps the server's
    writing of chunk N."""

    def __init__(self, conn: Connection, submission_id: int, now: datetime):
        self.conn, self.sid, self.now = conn, submission_id, now
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.result = load.WriteResult()
        self.error: BaseException | None = None
        self.busy_s = 0.0
        self.staged = False  # a chunk went through the stage (not a first load): no COPY streams built ahead
        self.thread = threading.Thread(target=self._run, name="intake-loader", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            rows = self.queue.get()
            if rows is None:
                return
            if self.error is not None:
                continue
            started = time.perf_counter()
            try:
                r = load.write_rows(self.conn, self.sid, rows, self.now)
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                self.error = exc
                continue
            self.result.written += r.written
            self.result.revised += r.revised
            self.result.unchanged += r.unchanged
            self.staged = self.staged or not r.copied
            self.busy_s += time.perf_counter() - started

    def put(self, rows: pd.DataFrame) -> None:
        prepared = load.prepare_rows(rows)
        if prepared is not None and not self.staged:
            prepared.fresh_copies(self.sid, self.now)
        self.queue.put(prepared if prepared is not None else rows)

    def finish(self) -> load.WriteResult:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.result


def _submit_chunked(conn: Connection, report: SubmissionReport, parsed, cat, unit, findings: Findings,
                    submitted_by: str | None, started: float,
                    stream: csv_stream.CsvStream | None = None) -> SubmissionReport:
    """``parsed``: the file read whole; or, with ``stream``, its description only, the rows read a
    chunk at a time from ``stream`` (:mod:`ingest.csv_stream`) while the chunks before are written."""
    if stream is None:
        obs = parsed.observations
        codes = {str(c).strip().upper() for c in pd.unique(obs["indicator_code"])}
        frames = (obs.iloc[start:stop] for start, stop in chunk_bounds(len(obs)))
    else:
        codes = set(stream.codes)
        frames = stream.frames(hi - lo for lo, hi in chunk_bounds(stream.lines))
    ids = sorted(cat.indicators[c].id for c in codes if c in cat.indicators)
    value_column = parsed.column("value")
    conn.rollback()  # end the read snapshot
    tx = conn.begin()
    loader = None
    validate_s = time.perf_counter() - started  # reading the catalogue and parsing
    parsed_s, first_chunk_s = validate_s, None
    try:
        load.begin_write(conn)
        load.lock_unit(conn, unit.id)
        earlier = load.find_accepted(conn, unit.id, report.sha256)
        if earlier is not None:
            tx.rollback()
            if stream is not None:
                stream.close()
            return _duplicate(report, earlier)
        derived_ids = derived.affected_ids(conn, ids)
        load.lock_indicators(conn, ids + derived_ids)
        stats = history_stats(conn, ids)  # before anything of this submission is written
        sid = _insert_row(conn, report, unit, True, submitted_by)
        now = datetime.now()
        loader = _ChunkLoader(conn, sid, now)
        counts = _new_counts()
        keys, daily, periods, keyed, written_keys = [], [], set(), [], []
        link_rows: dict[tuple[int, str], int] = {}
        chunks = 0
        while True:
            t = time.perf_counter()
            try:
                frame = next(frames, None)
            except (FileError, BudgetExceeded) as exc:  # a later chunk of a streamed file
                findings.error(exc.issue if isinstance(exc, FileError) else budget_issue(exc))
                break
            if frame is None:
                break
            if stream is not None:
                stream.check_codes(frame)
            chunk = dataclasses.replace(parsed, observations=frame, daily_items=parsed.daily_items if not chunks else [])
            chunks += 1
            v = validate(chunk, cat, unit, report.received_at, findings, check_duplicates=False, collect_keys=True)
            _record_mappings(report, v.area_mappings)
            keys.append(v.keys)
            counts["rows"] += v.rows_total
            counts["not_reported"] += v.not_reported
            daily += v.daily_items
            if not findings.has_errors:
                flag_implausible(v.rows, stats, cat, findings, value_column)
                for r, p, k in submission_links(v.rows, unit.id, cat.regimes_carrying):
                    link_rows[(r, p)] = link_rows.get((r, p), 0) + k
                periods |= set(v.rows["period"].unique().tolist())
                keyed.append(v.rows[["indicator_id", "period_start"]].drop_duplicates())
                written_keys.append(v.rows[["indicator_id", "area_id", "period", "period_start", "flag"]])
                counts["valid"] += len(v.rows)
                counts["flagged"] += int((v.rows["flag"] == "implausible").sum())
                validate_s += time.perf_counter() - t
                if first_chunk_s is None:  # from here on the server writes while Python validates
                    first_chunk_s = time.perf_counter() - started
                loader.put(v.rows)
            else:
                validate_s += time.perf_counter() - t
        t = time.perf_counter()
        duplicate_keys(keys, findings, parsed.column("indicator_code"))
        if not findings.has_errors and counts["valid"] == 0 and not daily:
            findings.error(make_issue("no_rows"))
        validate_s += time.perf_counter() - t
        result = loader.finish()
        load_busy = loader.busy_s
        loader = None
        finishing = time.perf_counter()
        if findings.has_errors:
            tx.rollback()
            with conn.begin():
                report.status = REJECTED
                _insert_row(conn, report, unit, False, submitted_by)
                rejected = {**_new_counts(), "rows": counts["rows"], "not_reported": counts["not_reported"]}
                _finish(conn, report, findings, rejected, [], set(), cat, len(daily))
        else:
            report.status = ACCEPTED
            result.daily_items = load.write_daily_items(conn, sid, unit.id, daily, now)
            links = sorted((r, p, k) for (r, p), k in link_rows.items())
            load.write_links(conn, sid, links)
            obs_written = pd.concat(keyed) if keyed and result.written and derived_ids else None
            computed = _recompute(conn, obs_written, sid, now)
            if result.written or result.daily_items:
                result.data_version = load.bump(conn, [*ids, *computed] if result.written else (),
                                                daily=bool(result.daily_items))
                if result.written:
                    _refresh_rollups(conn, report, [*ids, *computed])
            report.data_version = result.data_version
            counts.update(written=result.written, revised=result.revised, unchanged=result.unchanged,
                          daily_items=result.daily_items)
            _evaluate_alerts(conn, report, pd.concat(written_keys) if written_keys and result.written else None, now)
            _finish(conn, report, findings, counts, links, periods, cat, len(daily))
            tx.commit()
    except BaseException:
        if loader is not None:
            try:
                loader.finish()
            except BaseException:  # noqa: BLE001 - the first error wins
                pass
        if tx.is_active:
            tx.rollback()
        raise
    # validation and load overlap: validate_s is the validating time, load_s the writing time (the
    # loader thread's, then the final writes); their sum exceeds total_s by the overlap. parsed_s:
    # the catalogue read and the file parsed (streamed: its indicator column); first_chunk_s: the first chunk handed to the loader
    # (before it the server has nothing to write)
    report.timings.update(streamed=stream is not None, parsed_s=round(parsed_s, 3),
                          first_chunk_s=None if first_chunk_s is None else round(first_chunk_s, 3),
                          validate_s=round(validate_s, 3),
                          load_s=round(load_busy + time.perf_counter() - finishing, 3),
                          total_s=round(time.perf_counter() - started, 3), chunks=chunks)
    return report
