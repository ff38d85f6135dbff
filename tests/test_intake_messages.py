"""Intake messages say their statistics in their own language's number format; the quoted cell
stays as the file wrote it (so the reporter finds it)."""

from __future__ import annotations

import pytest

from ingest.issues import make_issue


@pytest.mark.parametrize("median, vi, en", [(6.644, "trung vị 6,644", "median 6.644"),
                                            (6644.25, "trung vị 6.644", "median 6,644"),
                                            (12345.6, "trung vị 12.350", "median 12,350")])
def test_msg001_a_median_in_each_language(median, vi, en):
    issue = make_issue("implausible_value", row=12, column="value", value=4321.5, median=median)
    assert vi in issue.message_vi and en in issue.message_en
    assert "4321.5" in issue.message_vi and "4321.5" in issue.message_en and issue.value == "4321.5"


def test_msg002_seconds_allowed_in_each_language():
    issue = make_issue("parse_timeout", seconds=2.5)
    assert "2,5 giây" in issue.message_vi and "2.5 seconds" in issue.message_en
    whole = make_issue("parse_timeout", seconds=30.0)
    assert "30 giây" in whole.message_vi and "30 seconds" in whole.message_en
