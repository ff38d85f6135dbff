"""The intake's side of the report regimes (Decree 09/2019/NĐ-CP): which regimes and periods an
accepted submission counts for. The rules themselves (deadlines, states, rates) are in
:mod:`domain.regimes`; the regimes are configuration (:mod:`metadata`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

# -- links of a submission to regimes and periods -------------------------------------------------------


def submission_links(rows: pd.DataFrame, unit_id: int,
                     regimes_carrying: Callable[[int, int], Iterable[int]]) -> list[tuple[int, str, int]]:
    """(regime id, period, rows) for the valid rows of a submission: each row counts for every
    regime of the unit that carries its indicator. ``regimes_carrying(unit_id, indicator_id)``
    returns regime ids (see :meth:`ingest.validate.Catalogue.regimes_carrying`). Vectorised: one
    look-up per distinct indicator, one count per regime."""
    if rows.empty:
        return []
    period_codes, periods = pd.factorize(rows["period"])
    indicators = rows["indicator_id"].to_numpy()
    by_regime: dict[int, list[int]] = {}
    for ind in pd.unique(indicators):
        for regime in regimes_carrying(unit_id, int(ind)):
            by_regime.setdefault(regime, []).append(int(ind))
    out = []
    for regime, inds in by_regime.items():
        counts = np.bincount(period_codes[np.isin(indicators, inds)], minlength=len(periods))
        out += [(regime, str(periods[i]), int(n)) for i, n in enumerate(counts) if n]
    return sorted(out)
