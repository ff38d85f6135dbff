"""The smallest real configuration of an empty centre (issue 17), shared by the service-level test
(``tests/test_empty_start.py``) and the browser journey (``tests/browser/test_first_run.py``): two
indicator groups, five monthly indicators (one the ratio of two others, one derived by a formula),
one provincial People's Committee that owns and reports them, one report regime carrying them and
one plan target; then the unit's first report."""

from __future__ import annotations

import json
from typing import Any

UNIT = "UBHN"
REGIME = "UBHN-THANG"
PERIOD = "202611"
TARGET_YEAR = 2026
HEADLINE = "BANLE"  # the first headline: the overview's first tile

GROUPS: list[dict[str, Any]] = [
    {"code": "KT", "name_vi": "Kinh tế", "name_en": "Economy", "sort": 10},
    {"code": "XH", "name_vi": "Xã hội", "name_en": "Society", "sort": 20},
]

UNITS: list[dict[str, Any]] = [
    {"code": UNIT, "name_vi": "Ủy ban nhân dân thành phố Hà Nội", "name_en": "Ha Noi People's Committee",
     "short_vi": "UBND Hà Nội", "short_en": "Ha Noi PC", "kind": "province", "area": "01"},
]


def _indicator(code: str, name_vi: str, name_en: str, group: str, unit_vi: str, unit_en: str, **extra: Any) -> dict:
    return {"code": code, "name_vi": name_vi, "name_en": name_en, "group": group, "unit_vi": unit_vi,
            "unit_en": unit_en, "periodicity": "M", "levels": ["nation", "province"], "aggregation": "sum",
            "direction": "up", "decimals": 1, "agency": UNIT, **extra}


INDICATORS: list[dict[str, Any]] = [
    _indicator("BANLE", "Tổng mức bán lẻ hàng hóa", "Retail sales of goods", "KT", "nghìn tỷ đồng",
               "trillion VND", headline=1),
    _indicator("DICHVU", "Doanh thu dịch vụ tiêu dùng", "Consumer services revenue", "KT", "nghìn tỷ đồng",
               "trillion VND"),
    _indicator("LAODONG", "Số người có việc làm", "Employed persons", "XH", "nghìn người", "thousand persons"),
    _indicator("BANLE_LD", "Bán lẻ bình quân một lao động", "Retail sales per employed person", "KT",
               "triệu đồng/người", "million VND per person", aggregation="ratio", numerator="BANLE",
               denominator="LAODONG", headline=2),
    _indicator("TIEUDUNG", "Tổng mức bán lẻ và doanh thu dịch vụ", "Retail sales and services revenue", "KT",
               "nghìn tỷ đồng", "trillion VND", formula="BANLE + DICHVU", headline=3),
]

REGIMES: list[dict[str, Any]] = [
    {"code": REGIME, "name_vi": "Báo cáo tháng của UBND thành phố Hà Nội",
     "name_en": "Monthly report of the Ha Noi People's Committee", "frequency": "M", "receiver": UNIT,
     "units": [UNIT], "indicators": ["BANLE", "DICHVU", "LAODONG"], "channel": "API",
     "cutoff_day": 14, "deadline_day": 25, "legal_basis": "Nghị định 09/2019/NĐ-CP"},
]

TARGETS: list[dict[str, Any]] = [
    {"indicator": "BANLE", "area": "VN", "year": TARGET_YEAR, "comparison": "at_least", "value": 600.0,
     "source": "Kế hoạch phát triển kinh tế - xã hội năm 2026"},
]

CONFIGURATION: dict[str, list[dict[str, Any]]] = {"groups": GROUPS, "units": UNITS, "indicators": INDICATORS,
                                                  "regimes": REGIMES, "targets": TARGETS}

# The first report: (indicator, area, value) of PERIOD; the nation's values and the unit's province.
VALUES: list[tuple[str, str, float]] = [
    ("BANLE", "VN", 612.4), ("DICHVU", "VN", 98.6), ("LAODONG", "VN", 52110.0),
    ("BANLE", "01", 71.3), ("DICHVU", "01", 12.2), ("LAODONG", "01", 4310.0),
]
SHOWN = "612,4"  # the first headline's national value as the Vietnamese boards write it


def report_body() -> bytes:
    """The first report as the API's JSON body."""
    rows = [{"indicator_code": code, "area_code": area, "period": PERIOD, "value": value}
            for code, area, value in VALUES]
    return json.dumps({"observations": rows}).encode()
