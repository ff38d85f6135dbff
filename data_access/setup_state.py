"""How far a centre has come from an empty warehouse (the first-run checklist, ``/admin/first-run``):
what configuration it holds, whether its units have API tokens, whether a report has come in.
Read fresh on every call (an admin page; a handful of counts), never cached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, literal, or_, select
from sqlalchemy.engine import Connection

from data_access import schema


@dataclass(frozen=True)
class SetupState:
    """Counts of what the warehouse holds, and the three steps they tick."""

    groups: int
    indicators: int
    units: int
    regimes: int
    targets: int
    tokens: int  # API tokens of active units, neither revoked nor expired
    reports: int  # accepted submissions, whatever their channel

    @property
    def configured(self) -> bool:
        """Step 1: a catalogue to report against (a package imported, or records created)."""
        return self.indicators > 0

    @property
    def units_ready(self) -> bool:
        """Step 2: a reporting unit that holds a usable API token."""
        return self.units > 0 and self.tokens > 0

    @property
    def reported(self) -> bool:
        """Step 3: a first report accepted."""
        return self.reports > 0

    @property
    def done(self) -> bool:
        return self.configured and self.units_ready and self.reported


def _count(conn: Connection, table, *where) -> int:
    return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar() or 0)


def setup_state(conn: Connection, now: datetime | None = None) -> SetupState:
    """The counts of :class:`SetupState`, read on ``conn``."""
    now = now or datetime.now()
    ind, ag, tok = schema.indicator, schema.agency, schema.api_token
    active_units = select(ag.c.id).where(ag.c.active.is_(True))
    return SetupState(
        groups=_count(conn, schema.indicator_group, schema.indicator_group.c.status != "retired"),
        indicators=_count(conn, ind, ind.c.status != "retired"),
        units=_count(conn, ag, ag.c.active.is_(True)),
        regimes=_count(conn, schema.report_regime, schema.report_regime.c.status != "retired"),
        targets=_count(conn, schema.target, schema.target.c.status != "retired"),
        tokens=_count(conn, tok, tok.c.revoked_at.is_(None), or_(tok.c.expires_at.is_(None), tok.c.expires_at > now),
                      tok.c.agency_id.in_(active_units)),
        reports=_count(conn, schema.submission, schema.submission.c.status == "accepted"),
    )


def has_configuration(conn: Connection) -> bool:
    """Whether any indicator group, indicator or reporting unit exists (one cheap probe each)."""
    return any(_exists(conn, table) for table in (schema.indicator_group, schema.indicator, schema.agency))


def _exists(conn: Connection, table) -> bool:
    return conn.execute(select(literal(1)).select_from(table).limit(1)).first() is not None


def has_submissions(conn: Connection) -> bool:
    """Whether any submission was ever recorded (accepted or not)."""
    return _exists(conn, schema.submission)
