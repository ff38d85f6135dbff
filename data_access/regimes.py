"""The report regimes (Decree 09 reporting forms) that carry an indicator, for its metadata panel."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd
from sqlalchemy import select

from data_access import schema
from data_access.cache.memo import cached_query
from data_access.cache.scopes import reference_scope
from data_access.catalogue import get_indicator
from data_access.engine import current_connection


class RegimeRow(NamedTuple):
    """A report regime that carries an indicator (:func:`indicator_regime_rows`)."""

    code: str
    name_vi: str
    name_en: str
    frequency: str  # D M Q S Y
    deadline_day: int
    legal_basis: str | None
    agency_vi: str  # the receiving agency
    agency_en: str


#: Columns of :func:`indicator_regimes`.
REGIME_COLUMNS = list(RegimeRow._fields)


@cached_query(scopes=reference_scope)
def indicator_regime_rows(code: str) -> tuple[RegimeRow, ...]:
    """The report regimes that carry ``code``, ordered by code: what the indicator's card lists
    (rows: a cached frame cost the card more to unpickle than the statement to run)."""
    ind = get_indicator(code)
    r, ri, a = schema.report_regime, schema.regime_indicator, schema.agency
    stmt = (select(r.c.code, r.c.name_vi, r.c.name_en, r.c.frequency, r.c.deadline_day, r.c.legal_basis,
                   a.c.name_vi.label("agency_vi"), a.c.name_en.label("agency_en"))
            .join(ri, ri.c.regime_id == r.c.id).join(a, a.c.id == r.c.receiving_agency_id)
            .where(ri.c.indicator_id == ind.id).order_by(r.c.code))
    return tuple(RegimeRow._make(x) for x in current_connection().execute(stmt).all())


def indicator_regimes(code: str) -> pd.DataFrame:
    """:func:`indicator_regime_rows` as a frame. Columns: code, name_vi, name_en, frequency (D M
    Q S Y), deadline_day, legal_basis, agency_vi, agency_en (the receiving agency)."""
    return pd.DataFrame(list(indicator_regime_rows(code)), columns=REGIME_COLUMNS)
