"""The intake's side of the report regimes (Decree 09/2019/NĐ-CP): which regimes and periods an
accepted submission counts for, and the default regimes a catalogue implies (the seed's). The
rules themselves (deadlines, states, rates) are in :mod:`domain.regimes`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from domain.regimes import DEFAULT_DEADLINE_DAY

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


# -- the default regimes of a catalogue ---------------------------------------------------------------------

FREQ_VI = {"D": "hằng ngày", "M": "tháng", "Q": "quý", "S": "6 tháng", "Y": "năm"}
FREQ_EN = {"D": "daily", "M": "monthly", "Q": "quarterly", "S": "half-yearly", "Y": "annual"}


def catalogue_regimes(indicators: list[dict], agencies: list[dict]) -> tuple[list[dict], list[tuple[str, str]],
                                                                           list[tuple[str, str]]]:
    """The regimes a catalogue implies (the same as the demo seed's): one per owning agency and
    periodicity carrying that agency's indicators, reported by the agency; and one per periodicity
    for the provincial People's Committees (``UBND-<periodicity>``) carrying the indicators
    reported at province level. Returns (regimes, (regime, indicator) pairs, (regime, unit) pairs)."""
    names = {a["code"]: a for a in agencies}
    regimes: list[dict] = []
    carries: list[tuple[str, str]] = []
    units: list[tuple[str, str]] = []
    for agency, periodicity in sorted({(r["agency_code"], r["periodicity"]) for r in indicators}):
        code = f"{agency}-{periodicity}"
        a = names[agency]
        regimes.append({
            "code": code,
            "name_vi": f"Báo cáo {FREQ_VI[periodicity]} các chỉ tiêu của {a['name_vi']}",
            "name_en": f"{FREQ_EN[periodicity].capitalize()} indicator report of the {a['name_en']}",
            "frequency": periodicity, "deadline_day": DEFAULT_DEADLINE_DAY,
        })
        units.append((code, agency))
        carries += [(code, r["code"]) for r in indicators if r["agency_code"] == agency and r["periodicity"] == periodicity]
    provinces = sorted(a["code"] for a in agencies if a["kind"] == "province")
    for periodicity in sorted({r["periodicity"] for r in indicators if "province" in r["levels"]}):
        code = f"UBND-{periodicity}"
        regimes.append({
            "code": code,
            "name_vi": f"Báo cáo {FREQ_VI[periodicity]} tình hình kinh tế - xã hội của UBND cấp tỉnh",
            "name_en": f"{FREQ_EN[periodicity].capitalize()} socio-economic report of the provincial People's Committees",
            "frequency": periodicity, "deadline_day": DEFAULT_DEADLINE_DAY,
        })
        units += [(code, u) for u in provinces]
        carries += [(code, r["code"]) for r in indicators if r["periodicity"] == periodicity and "province" in r["levels"]]
    return regimes, carries, units
