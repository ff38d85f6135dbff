"""Findings about confidential indicators, as a viewer without the clearance reads them.

Text derived from confidential values is confidential itself: an intake finding quotes values and
statistics of a series (an implausible value and the series' median, an unparseable value cell) and
names the row's indicator. A stored report (``submission.report``: the findings with their messages
in both languages) is shown to a viewer who may not see an indicator with each finding about it
replaced by a number-free one: the row is still shown as flagged, not why. Who may see what is
decided by the reader (``data_access.compliance.report_for_viewer``); the rule is here, beside no
SQL and no screen, so that the reader and the writer (``ingest``) take it from the same place.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

# What a viewer without the confidential clearance reads instead of a finding about a confidential
# indicator, by severity: no value, no statistic, no indicator code.
REDACTED: dict[str, tuple[str, str]] = {
    "errors": ("Dòng {row}: có lỗi ở dòng này (chỉ tiêu mật; chi tiết chỉ hiển thị cho người được xem chỉ tiêu mật).",
               "Row {row}: this row has an error (confidential indicator; the details are shown only to those "
               "cleared for it)."),
    "warnings": ("Dòng {row}: giá trị được đánh dấu để rà soát (chỉ tiêu mật).",
                 "Row {row}: value flagged for review (confidential indicator)."),
    "notes": ("Dòng {row}: có ghi chú ở dòng này (chỉ tiêu mật).", "Row {row}: a note on this row (confidential indicator)."),
}


_UNKNOWN = object()


def redact_issue(issue: dict[str, Any], severity: str) -> dict[str, Any]:
    """``issue`` (an :meth:`Issue.as_dict`) as a viewer without the clearance reads it: its code,
    row and column kept, a number-free message for ``severity`` (``errors``, ``warnings``,
    ``notes``), no value, no indicator, ``redacted`` true."""
    vi, en = REDACTED[severity]
    row = issue.get("row")
    shown = "–" if row is None else row
    return {"code": issue.get("code"), "message_vi": vi.format(row=shown), "message_en": en.format(row=shown),
            "row": row, "column": issue.get("column"), "value": None, "indicator": None, "redacted": True}


def must_redact(issue: dict[str, Any], hidden: Collection[str]) -> bool:
    """Whether ``issue`` is about one of the ``hidden`` indicator codes. A row-level finding stored
    before findings named their indicator (no ``indicator`` key) counts as hidden: its indicator is
    unknown, so it is treated as confidential (fail closed)."""
    code = issue.get("indicator", _UNKNOWN)
    if code is _UNKNOWN:
        return issue.get("row") is not None
    return isinstance(code, str) and code.strip().upper() in hidden


def redact_report(report: dict[str, Any], hidden: Collection[str]) -> dict[str, Any]:
    """A copy of ``report`` (a stored or fresh ``SubmissionReport.as_dict()``, with or without the
    read-back fields) whose findings about the ``hidden`` indicator codes are replaced by
    :func:`redact_issue`. Counts, statuses and the other findings are kept; ``report`` itself (it
    may be a cached value) is not changed."""
    out = dict(report)
    for severity in REDACTED:
        items = report.get(severity)
        if isinstance(items, list):
            out[severity] = [redact_issue(i, severity) if isinstance(i, dict) and must_redact(i, hidden) else i
                             for i in items]
    return out
