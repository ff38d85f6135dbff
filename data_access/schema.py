# size: every table of the warehouse in one declaration, mirrored by the migrations (a test compares them)
"""The warehouse schema (SQLAlchemy Core), shared by ``ingest`` (writes) and ``data_access`` (reads).

Alembic migrations in ``migrations/`` create exactly these tables; a test checks that the
migrated database and this metadata agree.

Conventions:
* reference tables have an integer surrogate ``id`` and a stable public key (``area.key``,
  ``indicator.code``, ``agency.code``) used in URLs, files and the API;
* ``observation`` is append-only: a changed value is a new row with ``revision`` + 1;
  ``current_observation`` holds the latest revision of each (indicator, area, period) and is
  maintained by the intake in the same transaction;
* periods are stored as their key (``2025Q3``) plus ``period_start`` for ordering and ranges.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

# BigInteger primary keys autoincrement on SQLite only as INTEGER.
BigId = BigInteger().with_variant(Integer(), "sqlite")

indicator_group = Table(
    "indicator_group",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("name_vi", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("sort", Integer, nullable=False, default=0),
    Column("status", String(8), nullable=False, default="active", server_default="active"),  # active | retired (0012)
)

area = Table(
    "area",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(16), nullable=False, unique=True),
    Column("code", String(16), nullable=False),
    Column("name_vi", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("level", String(12), nullable=False),  # nation | region | province
    Column("parent_id", Integer, ForeignKey("area.id")),
    Column("valid_from", Date),  # NULL: open
    Column("valid_to", Date),  # NULL: still valid
    Column("sort", Integer, nullable=False, default=0),
    Index("ix_area_code", "code"),
)

area_membership = Table(
    "area_membership",
    metadata,
    Column("area_id", Integer, ForeignKey("area.id"), primary_key=True),
    Column("region_id", Integer, ForeignKey("area.id"), primary_key=True),
    Column("valid_from", Date),
    Column("valid_to", Date),
)

area_succession = Table(
    "area_succession",
    metadata,
    Column("old_area_id", Integer, ForeignKey("area.id"), primary_key=True),
    Column("new_area_id", Integer, ForeignKey("area.id"), nullable=False),
)

agency = Table(
    "agency",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(24), nullable=False, unique=True),
    Column("name_vi", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("short_vi", Text, nullable=False),
    Column("short_en", Text, nullable=False),
    Column("kind", String(16), nullable=False),  # ministry | ministry_level | statistics | government | province
    Column("area_id", Integer, ForeignKey("area.id")),
    Column("valid_from", Date),
    Column("valid_to", Date),
    # a retired (deactivated) unit submits nothing and leaves the compliance calendar (migration 0005)
    Column("active", Boolean, nullable=False, default=True, server_default=true()),
)

indicator = Table(
    "indicator",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("name_vi", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("group_code", String(8), ForeignKey("indicator_group.code"), nullable=False),
    Column("unit_vi", Text, nullable=False),
    Column("unit_en", Text, nullable=False),
    Column("periodicity", String(1), nullable=False),  # D M Q S Y
    Column("agency_id", Integer, ForeignKey("agency.id"), nullable=False),
    Column("aggregation", String(12), nullable=False),  # sum mean weighted ratio last none
    Column("agg_weight_id", Integer, ForeignKey("indicator.id")),
    Column("agg_num_id", Integer, ForeignKey("indicator.id")),
    Column("agg_den_id", Integer, ForeignKey("indicator.id")),
    Column("direction", String(8), nullable=False, default="neutral"),  # up down neutral
    Column("levels", String(40), nullable=False, default="nation"),  # "nation;region;province"
    Column("decimals", Integer, nullable=False, default=1),
    Column("confidential", Boolean, nullable=False, default=False),
    Column("cumulative", Boolean, nullable=False, default=False),
    Column("headline", Integer),
    Column("definition_vi", Text, nullable=False, default=""),
    Column("definition_en", Text, nullable=False, default=""),
    Column("search_text", Text, nullable=False, default=""),  # both names, folded (no diacritics)
    # metadata as data (migration 0012): a derived indicator's formula over other indicators
    # (domain.formulas), its life (draft -> active -> retired; retired ones keep their history)
    # and validity
    Column("formula", Text),
    Column("status", String(8), nullable=False, default="active", server_default="active"),
    Column("valid_from", Date),
    Column("valid_to", Date),
)

report_regime = Table(
    "report_regime",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("name_vi", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("frequency", String(1), nullable=False),
    Column("receiving_agency_id", Integer, ForeignKey("agency.id"), nullable=False),
    Column("deadline_day", Integer, nullable=False, default=25),  # day of the period's last month
    Column("deadline_month_offset", Integer, nullable=False, default=0),
    Column("content_vi", Text, nullable=False, default=""),
    Column("content_en", Text, nullable=False, default=""),
    Column("legal_basis", Text, nullable=False, default=""),
    Column("channel", Text, nullable=False, default="API; upload; CLI"),
    # Decree 09 Art. 12 data cut-off: day of the period's last month, moved by months (0012)
    Column("cutoff_day", Integer, nullable=False, default=14, server_default="14"),
    Column("cutoff_month_offset", Integer, nullable=False, default=0, server_default="0"),
    Column("valid_from", Date),
    Column("valid_to", Date),
    Column("status", String(8), nullable=False, default="active", server_default="active"),  # active | retired
)

regime_indicator = Table(
    "regime_indicator",
    metadata,
    Column("regime_id", Integer, ForeignKey("report_regime.id"), primary_key=True),
    Column("indicator_id", Integer, ForeignKey("indicator.id"), primary_key=True),
)

regime_unit = Table(
    "regime_unit",
    metadata,
    Column("regime_id", Integer, ForeignKey("report_regime.id"), primary_key=True),
    Column("agency_id", Integer, ForeignKey("agency.id"), primary_key=True),
)

submission = Table(
    "submission",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("agency_id", Integer, ForeignKey("agency.id")),
    Column("regime_id", Integer, ForeignKey("report_regime.id")),
    Column("period", String(10)),
    Column("received_at", DateTime(timezone=False), nullable=False),
    Column("channel", String(12), nullable=False),  # api | upload | cli | seed
    Column("filename", Text),
    Column("sha256", String(64), nullable=False),
    Column("archive_path", Text),
    Column("status", String(12), nullable=False),  # accepted | rejected | duplicate
    Column("rows_total", Integer, nullable=False, default=0),
    Column("rows_written", Integer, nullable=False, default=0),
    Column("errors", Integer, nullable=False, default=0),
    Column("warnings", Integer, nullable=False, default=0),
    Column("report", Text),  # JSON: the full validation report
    Column("submitted_by", Text),
    Index("ix_submission_agency_period", "agency_id", "period"),
    Index("ix_submission_sha256", "sha256"),
    Index("ix_submission_regime_period", "regime_id", "period"),  # the reporting calendar of a regime
)

observation = Table(
    "observation",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("indicator_id", Integer, ForeignKey("indicator.id"), nullable=False),
    Column("area_id", Integer, ForeignKey("area.id"), nullable=False),
    Column("period", String(10), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("value", Float, nullable=False),
    Column("status", String(1), nullable=False, default="O"),  # P provisional, O official, E estimated
    Column("revision", Integer, nullable=False, default=0),
    Column("submission_id", BigInteger, ForeignKey("submission.id")),
    Column("recorded_at", DateTime(timezone=False), nullable=False),
    Column("flag", String(16)),  # e.g. "implausible": accepted with a warning, to review
    Column("note", Text),
    # a derived indicator's value, computed by the product from its formula's inputs (migration 0014)
    Column("computed", Boolean, nullable=False, default=False, server_default=false()),
    UniqueConstraint("indicator_id", "area_id", "period", "revision", name="uq_observation_key_rev"),
)

current_observation = Table(
    "current_observation",
    metadata,
    Column("indicator_id", Integer, ForeignKey("indicator.id"), primary_key=True),
    Column("area_id", Integer, ForeignKey("area.id"), primary_key=True),
    Column("period_start", Date, primary_key=True),
    Column("period", String(10), nullable=False),
    Column("value", Float, nullable=False),
    Column("status", String(1), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("submission_id", BigInteger),
    Column("recorded_at", DateTime(timezone=False), nullable=False),
    Column("flag", String(16)),
    Column("computed", Boolean, nullable=False, default=False, server_default=false()),  # 0014
    # cross-sections (all areas of an indicator for one period) and latest-period look-ups; on
    # PostgreSQL it carries the value, so a cross-section never visits the table (migration 0008)
    Index("ix_current_indicator_period", "indicator_id", "period_start", "area_id", postgresql_include=["value"]),
)

target = Table(
    "target",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("indicator_id", Integer, ForeignKey("indicator.id"), nullable=False),
    Column("area_id", Integer, ForeignKey("area.id"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("value", Float, nullable=False),
    Column("comparison", String(8), nullable=False),  # at_least | at_most | range (value .. value_max)
    Column("source", Text, nullable=False, default=""),
    Column("value_max", Float),  # the upper bound of a range target (0012)
    Column("status", String(8), nullable=False, default="active", server_default="active"),  # active | retired
    Column("revision", Integer, nullable=False, default=0, server_default="0"),  # +1 at each change
    UniqueConstraint("indicator_id", "area_id", "year", name="uq_target_key"),
)

daily_item = Table(
    "daily_item",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("item_date", Date, nullable=False),
    Column("agency_id", Integer, ForeignKey("agency.id"), nullable=False),
    Column("category", String(24), nullable=False),
    Column("severity", String(8), nullable=False),  # info | notice | warning | critical
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False, default=""),
    Column("submission_id", BigInteger, ForeignKey("submission.id")),
    Column("recorded_at", DateTime(timezone=False), nullable=False),
    Index("ix_daily_item_date", "item_date"),
)

data_version = Table(
    "data_version",
    metadata,
    Column("id", Integer, primary_key=True),  # always 1
    Column("version", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=False), nullable=False),
    # submissions recorded, accepted or not (migration 0006): the calendar and a unit's list change
    # with each, the indicator data only when ``version`` does
    Column("submissions", BigInteger, nullable=False, server_default="0"),
    # which data set the warehouse holds (migration 0015): "demo" (the illustrative data), "real"
    # (official statistics, `flask --app app import-real`), or none yet; the two are never mixed
    Column("dataset", String(8)),
    # sessions ended (migration 0016): sign-outs, revocations, expiries; read with ``version`` on
    # every request, so a session remembered by any process is dropped at once by all of them
    Column("sessions_ended", BigInteger, nullable=False, server_default="0"),
)

# What each data_version changed (migration 0006): ``scope`` is ``*`` (anything: reference data,
# clearances, a seed), ``i:<indicator code>`` (its observations) or ``daily`` (daily items); ``version`` is the data_version of its last change.
# Caches key an entry on the newest stamp among the scopes it read (data_access.cache), so an
# accepted submission invalidates only what shows its indicators.
data_stamp = Table(
    "data_stamp",
    metadata,
    Column("scope", String(80), primary_key=True),
    Column("version", BigInteger, nullable=False),
)


# ================================================================================================
# Report intake (issue 5): API tokens and the link of a submission to the (regime, period) pairs it
# covers. Created by migration 0002.
# ================================================================================================

def _bearer_columns() -> list[Column[Any]]:
    """What every stored bearer token has besides its owner: its hash, label and dates."""
    return [
        Column("token_hash", String(64), nullable=False, unique=True),  # sha256 hex of the token
        Column("label", Text, nullable=False, default=""),
        Column("created_at", DateTime(timezone=False), nullable=False),
        Column("expires_at", DateTime(timezone=False)),  # NULL: never expires
        Column("revoked_at", DateTime(timezone=False)),
        Column("last_used_at", DateTime(timezone=False)),
    ]


api_token = Table(
    "api_token",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("agency_id", Integer, ForeignKey("agency.id"), nullable=False),
    *_bearer_columns(),
)

submission_period = Table(
    "submission_period",
    metadata,
    Column("submission_id", BigInteger, ForeignKey("submission.id"), primary_key=True),
    Column("regime_id", Integer, ForeignKey("report_regime.id"), primary_key=True),
    Column("period", String(10), primary_key=True),
    Column("rows", Integer, nullable=False, default=0),  # valid data rows of that regime and period
    Index("ix_submission_period_regime_period", "regime_id", "period"),
)


# ================================================================================================
# Wall displays (issue 6): revocable, read-only tokens carried in a wall's URL. Migration 0003.
# ================================================================================================

display_token = Table(
    "display_token",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 hex of the token
    Column("label", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("expires_at", DateTime(timezone=False)),
    Column("revoked_at", DateTime(timezone=False)),
)


# ================================================================================================
# Access control (issue 8): users, their sessions, the sign-in throttle and the append-only audit
# log. Owned by the ``auth`` package; migration 0004 (which also adds the database triggers that
# keep ``audit_log`` append-only and record every submission in it).
# ================================================================================================

app_user = Table(
    "app_user",  # "user" is a reserved word in PostgreSQL
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),  # stored lower-case
    Column("display_name", Text, nullable=False, default=""),
    Column("role", String(12), nullable=False),  # admin | leader | analyst | reporter
    Column("agency_id", Integer, ForeignKey("agency.id")),  # a reporter's unit
    Column("confidential", Boolean, nullable=False, default=False),  # an analyst's grant
    Column("password_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("demo", Boolean, nullable=False, default=False),  # created with the documented demo password
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("updated_at", DateTime(timezone=False), nullable=False),
    Column("password_changed_at", DateTime(timezone=False), nullable=False),
    Column("last_sign_in_at", DateTime(timezone=False)),
    Column("email", String(254)),  # where subscriptions and alerts are mailed (migration 0020)
)

user_session = Table(
    "user_session",
    metadata,
    Column("id", String(64), primary_key=True),  # sha256 hex of the cookie's random token
    Column("user_id", Integer, ForeignKey("app_user.id"), nullable=False),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("last_seen_at", DateTime(timezone=False), nullable=False),
    Column("revoked_at", DateTime(timezone=False)),
    Column("ip", String(64)),
    Column("user_agent", Text),
    Index("ix_user_session_user_id", "user_id"),
)

auth_throttle = Table(
    "auth_throttle",  # the sign-in throttle's counters (migration 0010); see auth/throttle.py
    metadata,
    Column("key", String(200), primary_key=True),  # "pair:<name>|dev:<id>", "pair:<name>|ip:<a>", "user:<name>", "ip:<a>"
    Column("scope", String(8), nullable=False),  # pair | user | address
    Column("username", String(64)),  # the name tried (pair and user scopes)
    Column("address", String(100)),  # the client's address (address scope, and pairs without a known device)
    Column("failures", Integer, nullable=False),
    Column("first_failure_at", DateTime(timezone=False), nullable=False),
    Column("last_failure_at", DateTime(timezone=False), nullable=False),
    Column("wait_until", DateTime(timezone=False)),  # no attempt of this key is checked before then
    Index("ix_auth_throttle_username", "username"),
    Index("ix_auth_throttle_address", "address"),
    Index("ix_auth_throttle_last_failure_at", "last_failure_at"),
)

known_device = Table(
    "known_device",  # a browser a user has signed in from: its failures are counted apart (migration 0010)
    metadata,
    Column("id", String(64), primary_key=True),  # sha256 hex of the device cookie's random token
    Column("user_id", Integer, ForeignKey("app_user.id"), nullable=False),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("last_used_at", DateTime(timezone=False), nullable=False),
    Index("ix_known_device_user_id", "user_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=False), nullable=False),
    Column("actor", Text, nullable=False),
    Column("role", String(12)),
    Column("action", String(40), nullable=False),
    Column("target", Text),
    Column("detail", Text),  # JSON object
    Column("ip", String(64)),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_actor", "actor"),
    Index("ix_audit_log_action", "action"),
)

# The render gate of exports (exports/gate.py): one row per pack render waiting or running, on
# every worker and host; a row whose lease has passed belongs to a dead process and is swept.
export_slot = Table(
    "export_slot",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(12), nullable=False),  # "pack" or "chart": each kind has its own limits
    Column("owner", String(200), nullable=False),  # the user (or address) the render is for
    Column("state", String(8), nullable=False),  # "queued" or "running"
    Column("enqueued_at", Float, nullable=False),  # epoch seconds: the queue's order
    Column("lease_until", Float, nullable=False),  # epoch seconds; renewed while its process lives
    Index("ix_export_slot_kind", "kind", "enqueued_at"),
)

# Briefing packs rendered in the background (POST /export/pack.<fmt> with Prefer: respond-async):
# the file waits here, for its owner only, until it is downloaded or expires.
export_job = Table(
    "export_job",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("fmt", String(8), nullable=False),
    Column("state", String(8), nullable=False),  # "queued", "running", "done", "failed"
    Column("created_at", Float, nullable=False),
    Column("finished_at", Float),
    Column("filename", Text),
    Column("detail", Text, nullable=False),  # JSON: what the audit entry records when the file is served
    Column("body", LargeBinary),
    Column("error", Text),
    Index("ix_export_job_created_at", "created_at"),
)

# An admin's bearer token for the configuration API (``auth.admin_tokens``; migration 0012).
admin_token = Table(
    "admin_token",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("app_user.id"), nullable=False),
    *_bearer_columns(),
)


# ================================================================================================
# Metadata as data (issue 17): every version of every configuration record (groups, units,
# indicators, regimes, targets) with its state before and after, who changed it, when and from
# when it holds. Written by ``metadata.store`` in the transaction of the change; never updated.
# Migration 0012.
# ================================================================================================

metadata_history = Table(
    "metadata_history",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(12), nullable=False),  # groups | units | indicators | regimes | targets
    Column("key", String(120), nullable=False),  # the code; a target: indicator|area|year
    Column("version", Integer, nullable=False),  # 1 for the record's creation, +1 at each change
    Column("action", String(8), nullable=False),  # create | update | retire
    Column("before", Text),  # JSON: the canonical record (domain.metadata), NULL for a creation
    Column("after", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("channel", String(12), nullable=False),  # api | cli | page | seed
    Column("change_set", String(32), nullable=False),  # the changes applied together (one transaction)
    Column("at", DateTime(timezone=False), nullable=False),
    Column("effective_from", Date),
    UniqueConstraint("kind", "key", "version", name="uq_metadata_history_version"),
    Index("ix_metadata_history_change_set", "change_set"),
)


# ================================================================================================
# Saved mappings (issue 18): how a unit's files name their areas and indicator, confirmed once by an
# officer and proposed again for the next file of the same shape (``signature``, domain.mapping);
# the API and the command line name them. Written by ``ingest.mappings``; migration 0013.
# ================================================================================================

import_mapping = Table(
    "import_mapping",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agency_id", Integer, ForeignKey("agency.id"), nullable=False),
    Column("name", String(120), nullable=False),
    Column("signature", String(64), nullable=False),  # domain.mapping.shape_signature of the file it was made for
    Column("mapping", Text, nullable=False),  # JSON: {"indicator": code|null, "areas": {...}, "indicators": {...}}
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("updated_at", DateTime(timezone=False), nullable=False),
    UniqueConstraint("agency_id", "name", name="uq_import_mapping_name"),
    Index("ix_import_mapping_signature", "agency_id", "signature"),
)


# ================================================================================================
# Directions (issue 19, "chỉ đạo, điều hành"): a leader's direction assigned to units and followed
# until closed (domain.directions: states, transitions, overdue). Written by ``directions.service``
# only; timestamps are UTC (naive), ``deadline``/``issued_on``/``closed_on`` are the centre's dates
# (Asia/Ho_Chi_Minh). Overdue is computed, never stored. Migration 0019.
# ================================================================================================

direction = Table(
    "direction",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("ref", String(20), nullable=False, unique=True),  # "NV-2026-00042"
    Column("title", Text, nullable=False),
    Column("content", Text, nullable=False, default=""),
    Column("form", String(20), nullable=False),  # thong_bao_ket_luan | cong_dien | chi_thi | van_ban
    Column("doc_number", String(60), nullable=False, default=""),  # "45/TB-VPCP"
    Column("leader", Text, nullable=False, default=""),  # the issuing leader's name
    Column("leader_key", Text, nullable=False, default=""),  # the leader's name folded (domain.text.fold), for the filter
    Column("issued_on", Date, nullable=False),
    Column("lead_agency_id", Integer, ForeignKey("agency.id"), nullable=False),
    Column("deadline", Date, nullable=False),  # current (extensions move it)
    Column("first_deadline", Date, nullable=False),
    Column("priority", String(8), nullable=False, default="normal"),  # urgent | high | normal
    Column("state", String(16), nullable=False),  # domain.directions.STATES
    Column("confidential", Boolean, nullable=False, default=False),  # concerns a confidential indicator
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("updated_at", DateTime(timezone=False), nullable=False),
    Column("reported_done_at", DateTime(timezone=False)),  # the last "done" report
    Column("closed_at", DateTime(timezone=False)),
    Column("closed_on", Date),  # the centre's date of closed_at (the measures' month)
    Column("days_late", Integer),  # at closing: days the accepted "done" report came after the deadline
    Column("search_text", Text, nullable=False, default=""),  # ref, title, content, number, leader; folded
    Column("origin", String(12), nullable=False, default="page"),  # tile | chart | profile | compliance | daily | page | api
    Column("origin_context", Text),  # JSON: indicator, area, period shown where it was created
    # the boards' counts and the measures read these alone on PostgreSQL (the INCLUDEd columns)
    # (id INCLUDEd: a unit-bound viewer's semi-join on direction_unit reads them alone too)
    Index("ix_direction_state_deadline", "state", "deadline", postgresql_include=["lead_agency_id", "confidential", "id"]),
    Index("ix_direction_lead_state", "lead_agency_id", "state", "deadline", postgresql_include=["confidential"]),
    Index("ix_direction_closed_on", "closed_on",
          postgresql_include=["lead_agency_id", "issued_on", "state", "days_late", "confidential", "id"]),
    # a unit's directions (direction_unit) checked for visibility and sorted for a page by id without
    # the heap (migration 0022 added the sort keys)
    Index("ix_direction_visible", "id", postgresql_include=["state", "confidential", "issued_on", "deadline"]),
    Index("ix_direction_issued_on", "issued_on", "id"),  # the list's sorts, in pages
    Index("ix_direction_deadline", "deadline", "id"),
    # and on PostgreSQL a trigram index of search_text for the text filter (migration 0019, when
    # the pg_trgm extension is available): ix_direction_search_trgm
)

direction_unit = Table(
    "direction_unit",
    metadata,
    Column("direction_id", BigInteger, ForeignKey("direction.id"), primary_key=True),
    Column("agency_id", Integer, ForeignKey("agency.id"), primary_key=True),
    Column("role", String(10), nullable=False),  # lead | cooperate
    Index("ix_direction_unit_agency", "agency_id", "direction_id"),
)

direction_indicator = Table(
    "direction_indicator",
    metadata,
    Column("direction_id", BigInteger, ForeignKey("direction.id"), primary_key=True),
    Column("indicator_id", Integer, ForeignKey("indicator.id"), primary_key=True),
    Index("ix_direction_indicator_indicator", "indicator_id", "direction_id"),
)

direction_area = Table(
    "direction_area",
    metadata,
    Column("direction_id", BigInteger, ForeignKey("direction.id"), primary_key=True),
    Column("area_id", Integer, ForeignKey("area.id"), primary_key=True),
    Index("ix_direction_area_area", "area_id", "direction_id"),
)

direction_event = Table(
    "direction_event",  # every state change, progress report, extension request/decision, return, edit
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("direction_id", BigInteger, ForeignKey("direction.id"), nullable=False),
    Column("at", DateTime(timezone=False), nullable=False),  # UTC
    Column("actor", Text, nullable=False),
    Column("role", String(16), nullable=False),  # the acting role (domain.directions.ACTING_ROLES)
    Column("agency_id", Integer, ForeignKey("agency.id")),  # the unit that acted (units' reports)
    Column("kind", String(20), nullable=False),  # the action (domain.directions.ACTIONS)
    Column("from_state", String(16)),
    Column("to_state", String(16), nullable=False),
    Column("text", Text, nullable=False, default=""),
    Column("new_deadline", Date),
    Index("ix_direction_event_direction", "direction_id", "at"),
)

direction_attachment = Table(
    "direction_attachment",  # a file of an event, archived like submissions (sha256 under the instance archive)
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("direction_id", BigInteger, ForeignKey("direction.id"), nullable=False),
    Column("event_id", BigInteger, ForeignKey("direction_event.id"), nullable=False),
    Column("filename", Text, nullable=False),
    Column("content_type", String(100), nullable=False),  # from the magic bytes: PDF, DOCX, XLSX
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("archive_path", Text, nullable=False),
    Column("uploaded_at", DateTime(timezone=False), nullable=False),
    Index("ix_direction_attachment_direction", "direction_id"),
)

direction_month = Table(
    "direction_month",  # the measures' summary, kept by directions.summary in every write's transaction
    metadata,
    # 0: counted for every viewer; a unit's id: the directions naming that unit (a unit-bound viewer's)
    Column("named_agency_id", Integer, primary_key=True, autoincrement=False),
    Column("month", Date, primary_key=True),  # the month's first day
    Column("lead_agency_id", Integer, primary_key=True, autoincrement=False),
    Column("confidential", Boolean, primary_key=True),
    # of the live directions (neither draft nor cancelled): issued in the month, closed_on in the month
    Column("issued", Integer, nullable=False),
    Column("ended", Integer, nullable=False),
    Column("closed", Integer, nullable=False),  # state closed, closed_on in the month
    Column("on_time", Integer, nullable=False),  # of those, days_late 0
    Column("late", Integer, nullable=False),  # of those, days_late > 0
    Column("late_days", Integer, nullable=False),  # their days_late summed
    Column("open_end", Integer, nullable=False),  # issued - ended of this month and every month before
    Index("ix_direction_month_last", "named_agency_id", "lead_agency_id", "confidential", "month",
          postgresql_include=["open_end"]),  # the last row before a month: the load open at its start
)

scorecard_rollup = Table(
    "scorecard_rollup",  # a province's scorecard rows, kept by data_access.rollups (migration 0023)
    metadata,
    Column("area_id", Integer, primary_key=True, autoincrement=False),
    Column("indicator_id", Integer, primary_key=True, autoincrement=False),
    Column("payload", Text, nullable=False),  # the row's fields after its code, as a JSON array
)

kpi_rollup = Table(
    "kpi_rollup",  # an area's KPI tiles, kept by data_access.rollups (migration 0023)
    metadata,
    Column("area_id", Integer, primary_key=True, autoincrement=False),
    Column("indicator_id", Integer, primary_key=True, autoincrement=False),
    Column("payload", Text, nullable=False),  # the tile's fields after its code and area, as a JSON array
)

rollup_basis = Table(
    "rollup_basis",  # what an indicator's kept rows were computed at (migration 0023)
    metadata,
    Column("kind", String(16), primary_key=True),  # "scorecard", "kpi"
    Column("indicator_id", Integer, primary_key=True, autoincrement=False),
    # the data_version its rows were refreshed at: valid while no stamp they depend on is newer
    Column("version", BigInteger, nullable=False),
    Column("build", String(32), nullable=False),  # the code that computed them (backend.code_build, hex)
    # the day they were computed on: a daily indicator's tiles hold for that day only (migration 0024)
    Column("day", Date),
)


# ================================================================================================
# The scheduler (issue 20, ``scheduler/``): the periodic jobs every scheduler process knows, and one
# claim per occurrence. The unique (job, due time) is the exactly-once guarantee: whichever process
# inserts the claim first runs the occurrence; every other process's insert finds it and does nothing.
# Migration 0020.
# ================================================================================================

scheduled_job = Table(
    "scheduled_job",
    metadata,
    Column("name", String(120), primary_key=True),
    Column("schedule", Text, nullable=False),  # as registered: a crontab line or "every <seconds>s"
    Column("function_path", Text, nullable=False),  # "package.module:function"
    Column("since", DateTime(timezone=False), nullable=False),  # UTC: occurrences before it never run
)

job_run = Table(
    "job_run",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("job", String(200), nullable=False),  # a registered job's name, or a run_once claim's
    Column("due_at", DateTime(timezone=False), nullable=False),  # UTC: the occurrence
    Column("late", Boolean, nullable=False, default=False),  # run after the scheduler was away
    Column("claimed_by", String(120), nullable=False),  # host:pid of the process running it
    Column("claimed_at", DateTime(timezone=False), nullable=False),
    Column("finished_at", DateTime(timezone=False)),
    Column("state", String(8), nullable=False),  # running | done | failed
    Column("error", Text),
    UniqueConstraint("job", "due_at", name="uq_job_run_occurrence"),
)

# Mail (``mail/``): one row per message to send, keyed by what it delivers (never sent twice), kept
# until the server accepted it (never lost), retried with back-off. The raw message is stored whole,
# with its Message-ID, so every attempt sends the same bytes.
mail_delivery = Table(
    "mail_delivery",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("message_id", String(250), nullable=False),
    Column("recipients", Text, nullable=False),  # comma-separated addresses
    Column("subject", Text, nullable=False),
    Column("raw", LargeBinary, nullable=False),
    Column("state", String(8), nullable=False),  # pending | sending | sent | failed (gave up)
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=False), nullable=False),  # UTC
    Column("lease_until", DateTime(timezone=False)),  # a "sending" row whose process died is taken again after it
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("sent_at", DateTime(timezone=False)),
    Column("transport", String(8)),  # smtp | outbox
    Index("ix_mail_delivery_due", "state", "next_attempt_at"),
)

# Subscriptions (``subscriptions/``): what a user has mailed to whom and when, and each occurrence's
# outcome (the delivery log on the subscription's page).
subscription = Table(
    "subscription",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("owner_id", Integer, ForeignKey("app_user.id"), nullable=False),
    Column("kind", String(12), nullable=False),  # brief | pack | board | indicator
    Column("target", Text, nullable=False, default=""),  # a pack's encoded basket, a board's path, an indicator code
    Column("fmt", String(4), nullable=False),  # pdf | png
    Column("lang", String(2), nullable=False),  # vi | en: the owner's copy
    Column("cadence", String(8), nullable=False),  # daily | weekly | monthly | on_data
    Column("at_time", String(5), nullable=False, default="07:00"),  # HH:MM, Vietnam time
    Column("weekday", Integer),  # 0 = Monday, for weekly
    Column("recipients", Text, nullable=False, default="[]"),  # JSON: [{"user": name, "lang": "vi"}] besides the owner
    Column("active", Boolean, nullable=False, default=True),
    Column("stamp", Text),  # on_data: the data stamps of what it shows at the last delivery
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("updated_at", DateTime(timezone=False), nullable=False),
    Index("ix_subscription_owner", "owner_id"),
)

subscription_delivery = Table(
    "subscription_delivery",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("subscription_id", Integer, ForeignKey("subscription.id", ondelete="CASCADE"), nullable=False),
    Column("due_at", DateTime(timezone=False), nullable=False),  # UTC
    Column("at", DateTime(timezone=False), nullable=False),
    Column("outcome", String(8), nullable=False),  # queued | sent | retrying | failed | stopped | skipped
    Column("late", Boolean, nullable=False, default=False),
    Column("reason", Text),  # a message key and its details (JSON), read in the viewer's language
    Column("mail_key", String(200)),  # the mail_delivery row(s) it queued: "<key>" prefix
    UniqueConstraint("subscription_id", "due_at", name="uq_subscription_delivery_occurrence"),
)


# ================================================================================================
# Alerts (issue 20): rules on indicators and on reporting, the alerts they raised (one row per
# occurrence: ``occurrence_key`` is unique, so a refresh or a re-submission never raises it twice),
# outgoing webhooks and the delivery log of the channels. Written by ``alerts``; migration 0021.
# ================================================================================================

alert_rule = Table(
    "alert_rule",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    # threshold | target | worsen | revision | overdue | implausible | direction (domain.alerts.KINDS)
    Column("kind", String(12), nullable=False),
    Column("indicator_id", Integer, ForeignKey("indicator.id")),  # NULL: any indicator (revision, implausible)
    Column("area_id", Integer, ForeignKey("area.id")),  # NULL: any area
    Column("regime_id", Integer, ForeignKey("report_regime.id")),  # overdue: NULL for every regime
    Column("comparison", String(12)),  # threshold: above | below; worsen: previous | last_year
    Column("threshold", Float),  # threshold: the line
    Column("percent", Float),  # worsen, revision: more than this many per cent
    Column("days", Integer),  # overdue, direction: by more than this many days
    Column("severity", String(8), nullable=False, default="warning"),  # notice | warning | critical
    Column("recipients", Text, nullable=False, default=""),  # user names to e-mail, comma-separated
    Column("webhooks", Boolean, nullable=False, default=False),  # sent to the active webhooks
    Column("active", Boolean, nullable=False, default=True),
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("updated_at", DateTime(timezone=False), nullable=False),
)

alert = Table(
    "alert",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("rule_id", Integer, ForeignKey("alert_rule.id"), nullable=False),
    Column("occurrence_key", String(200), nullable=False, unique=True),
    Column("kind", String(12), nullable=False),
    Column("severity", String(8), nullable=False),
    Column("indicator_id", Integer, ForeignKey("indicator.id")),
    Column("area_id", Integer, ForeignKey("area.id")),
    Column("agency_id", Integer, ForeignKey("agency.id")),  # overdue: the unit; direction: the lead unit
    Column("period", String(10)),
    Column("value", Float),
    Column("reference", Float),  # what the value was compared with (a line, a target, a previous value)
    Column("confidential", Boolean, nullable=False, default=False),  # of a confidential indicator
    Column("detail", Text, nullable=False, default="{}"),  # JSON: what the message says (domain.alerts)
    Column("submission_id", BigInteger),  # the intake that raised it (NULL: the schedule)
    Column("raised_at", DateTime(timezone=False), nullable=False),
    Column("acknowledged_at", DateTime(timezone=False)),
    Column("acknowledged_by", Text),
    Index("ix_alert_raised_at", "raised_at"),
)

webhook = Table(
    "webhook",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=False),  # the HMAC-SHA256 key (kept: the body is signed with it)
    Column("confidential", Boolean, nullable=False, default=False),  # may receive confidential alerts
    Column("active", Boolean, nullable=False, default=True),
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=False), nullable=False),
)

alert_delivery = Table(
    "alert_delivery",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("alert_id", BigInteger, ForeignKey("alert.id"), nullable=False),
    Column("channel", String(8), nullable=False),  # webhook | email
    Column("target", String(200), nullable=False),  # the webhook's id or the user's name
    Column("state", String(8), nullable=False),  # pending | sending | sent | failed (gave up)
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=False), nullable=False),
    Column("last_error", Text),
    Column("response_status", Integer),
    Column("sent_at", DateTime(timezone=False)),
    UniqueConstraint("alert_id", "channel", "target", name="uq_alert_delivery_once"),
    Index("ix_alert_delivery_due", "state", "next_attempt_at"),
)
