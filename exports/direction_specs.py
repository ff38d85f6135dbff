"""The measures of directions as an exportable chart kind (``direction_measures``): one measure per
lead unit over the last twelve months — ``on_time`` (completion rate, %), ``days_overdue`` (mean
days late of those closed late) or ``open`` (open load) — from the same read and the same figure
builder as the /directions page, for the viewer who exports (confidential directions only for
cleared viewers). Registered with :func:`exports.specs.kind` when :mod:`exports.specs` loads."""

from __future__ import annotations

from auth.guard import current_principal
from components.directions import MEASURES, measure_figure, measures_by_unit_of
from data_access.directions import center_today, direction_measures, direction_unit_measures
from directions.service import viewer_of
from domain.directions import ADMIN, Viewer
from exports.specs import ExportChart, Meta, Table, _choice, kind
from i18n import fmt_date, fmt_number, t

MONTHS = 12


def _viewer() -> Viewer:
    """Who exports (an admin when access control is off: no principal)."""
    p = current_principal()
    return Viewer(ADMIN, None, True) if p is None else viewer_of(p)


def _label(spec: dict, lang: str) -> str:
    return t("dir.exp.title", lang, measure=t(MEASURES[spec["measure"]][2], lang))


@kind("direction_measures", fields={"measure": _choice(*MEASURES)}, required=("measure",), label=_label)
def _direction_measures(spec: dict, lang: str) -> ExportChart:
    measure = spec["measure"]
    today = center_today()
    viewer = _viewer()
    df = direction_measures(viewer, MONTHS, today)
    by_unit = measures_by_unit_of(direction_unit_measures(viewer, MONTHS, today), lang)[measure]  # as the page
    _, decimals, key = MEASURES[measure]
    table = Table((t("dir.col.unit", lang), t(key, lang)),
                  tuple((unit, fmt_number(value, decimals, lang)) for unit, value in by_unit), (False, True))
    first = df["month"].min() if not df.empty else today.replace(day=1)
    meta = Meta(kind="direction_measures", lang=lang, title=_label(spec, lang), unit=None,
                period=f"{fmt_date(first, lang)} – {fmt_date(today, lang)}", area=t("dir.filter.all", lang),
                source=t("dir.exp.source", lang), as_of=None, stem=f"DIRECTIONS_{measure.upper()}_{today.isoformat()}")
    return ExportChart(dict(spec), measure_figure(by_unit, measure, lang, height=None), df, meta, table, decimals=decimals)
