"""What an alert says, in the reader's language: one line for the bell's list, the wall's ticker,
the e-mail's subject and the webhook's ``text`` (from a row of :func:`data_access.alerts.alert_list`
or of :func:`alerts.delivery.alert_record`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from i18n import fmt_date, fmt_number, format_period, t


def _name(row: Mapping[str, Any], stem: str, lang: str) -> str:
    return str(row.get(f"{stem}_{'en' if lang == 'en' else 'vi'}") or "")


def _detail(row: Mapping[str, Any]) -> dict[str, Any]:
    raw = row.get("detail")
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def alert_text(row: Mapping[str, Any], lang: str) -> str:
    """One sentence: what crossed, worsened, was revised or is overdue (a report, a direction), where and when."""
    detail = _detail(row)
    period = format_period(row["period"], lang) if row.get("period") else ""
    kind = row["kind"]
    if kind == "direction":
        return t("alerts.text.direction", lang, ref=detail.get("ref", ""), title=detail.get("title", ""),
                 unit=_name(row, "agency_name", lang), days=int(row.get("value") or 0),
                 deadline=fmt_date(date.fromisoformat(detail["deadline"]), lang) if detail.get("deadline") else "")
    if kind == "overdue":
        return t("alerts.text.overdue", lang, unit=_name(row, "agency_name", lang),
                 report=_name(row, "regime_name", lang), period=period, days=int(row.get("value") or 0))
    decimals = int(row.get("decimals") or 1)
    unit = _name(row, "unit", lang)
    fields = {"name": _name(row, "indicator_name", lang), "area": _name(row, "area_name", lang), "period": period,
              "value": f"{fmt_number(row.get('value'), decimals, lang)} {unit}".strip(),
              "reference": f"{fmt_number(row.get('reference'), decimals, lang)} {unit}".strip(),
              "percent": fmt_number(abs(float(detail.get("percent") or 0)), 1, lang)}
    if kind == "threshold":
        return t(f"alerts.text.threshold.{detail.get('comparison', 'above')}", lang, **fields)
    if kind == "worsen":
        return t(f"alerts.text.worsen.{detail.get('comparison', 'previous')}", lang, **fields)
    return t(f"alerts.text.{kind}", lang, **fields)
