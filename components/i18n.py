"""Words and formats in one place: the UI message catalogue (Vietnamese first, English) and
locale-aware number and date formatting with Babel."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"
_LOCALE = {"vi": "vi_VN", "en": "en_US"}

MESSAGES: dict[str, dict[str, str]] = {
    "app.title": {"vi": "Trung tâm Thông tin, Chỉ đạo điều hành", "en": "Government Operations Center"},
    "app.subtitle": {"vi": "Hệ thống thông tin báo cáo Chính phủ", "en": "Government Reporting Information System"},
    "app.illustrative": {"vi": "Dữ liệu minh họa", "en": "Illustrative data"},
    "app.illustrative_note": {
        "vi": "Số liệu trên hệ thống là dữ liệu tổng hợp minh họa, không phải số liệu chính thức.",
        "en": "Figures shown are synthetic illustrative data, not official statistics.",
    },
    "nav.overview": {"vi": "Tổng quan", "en": "Overview"},
    "nav.sectors": {"vi": "Lĩnh vực", "en": "Sectors"},
    "nav.provinces": {"vi": "Địa phương", "en": "Provinces"},
    "nav.indicators": {"vi": "Chỉ tiêu", "en": "Indicators"},
    "nav.compliance": {"vi": "Tình hình báo cáo", "en": "Reporting compliance"},
    "nav.daily": {"vi": "Thông tin hằng ngày", "en": "Daily brief"},
    "nav.submit": {"vi": "Gửi báo cáo", "en": "Submit a report"},
    "lang.switch": {"vi": "English", "en": "Tiếng Việt"},
    "data.as_of": {"vi": "Số liệu cập nhật", "en": "Data as of"},
    "data.version": {"vi": "Phiên bản dữ liệu", "en": "Data version"},
    "data.observations": {"vi": "Số quan sát", "en": "Observations"},
    "empty.no_data": {"vi": "Chưa có số liệu báo cáo cho kỳ này", "en": "No data reported for this period"},
    "page.not_found": {"vi": "Không tìm thấy trang", "en": "Page not found"},
    "status.on_track": {"vi": "Đạt kế hoạch", "en": "On track"},
    "status.at_risk": {"vi": "Có nguy cơ không đạt", "en": "At risk"},
    "status.off_track": {"vi": "Không đạt kế hoạch", "en": "Off track"},
    "status.no_target": {"vi": "Chưa có chỉ tiêu kế hoạch", "en": "No plan target"},
    "mark.provisional": {"vi": "Sơ bộ", "en": "Provisional"},
    "mark.revised": {"vi": "Đã điều chỉnh", "en": "Revised"},
    "mark.flagged": {"vi": "Cần rà soát", "en": "Under review"},
    "kpi.vs_previous": {"vi": "so với kỳ trước", "en": "vs previous period"},
    "kpi.vs_last_year": {"vi": "so với cùng kỳ", "en": "vs same period last year"},
    "kpi.ytd": {"vi": "Lũy kế từ đầu năm", "en": "Year to date"},
    "kpi.target": {"vi": "Kế hoạch", "en": "Target"},
    "overview.lede": {
        "vi": "Các chỉ tiêu chủ yếu phục vụ chỉ đạo, điều hành của Chính phủ, Thủ tướng Chính phủ.",
        "en": "The headline indicators for the Government's direction and operations.",
    },
}


def norm_lang(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = DEFAULT_LANG, **params) -> str:
    """The message ``key`` in ``lang`` (Vietnamese when the language is unknown)."""
    entry = MESSAGES[key]
    text = entry.get(norm_lang(lang)) or entry[DEFAULT_LANG]
    return text.format(**params) if params else text


def fmt_number(value: float | int | None, decimals: int = 1, lang: str | None = DEFAULT_LANG) -> str:
    """``1.234,5`` in Vietnamese, ``1,234.5`` in English; an en dash for a missing value."""
    if value is None or value != value:  # None or NaN
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=_LOCALE[norm_lang(lang)])


def fmt_signed(value: float | None, decimals: int = 1, lang: str | None = DEFAULT_LANG) -> str:
    if value is None or value != value:
        return "–"
    rounded = round(value, decimals)
    text = fmt_number(abs(rounded), decimals, lang)
    return ("+" if rounded > 0 else "−" if rounded < 0 else "±") + text


def fmt_percent(ratio: float | None, decimals: int = 1, lang: str | None = DEFAULT_LANG) -> str:
    if ratio is None or ratio != ratio:
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
    return format_percent(ratio, format=pattern, locale=_LOCALE[norm_lang(lang)])


def fmt_date(d: date | datetime | None, lang: str | None = DEFAULT_LANG) -> str:
    """``14/07/2025`` in Vietnamese, ``Jul 14, 2025`` in English."""
    if d is None:
        return "–"
    if isinstance(d, datetime):
        d = d.date()
    if norm_lang(lang) == "vi":
        return format_date(d, format="dd/MM/yyyy", locale="vi_VN")
    return format_date(d, format="medium", locale="en_US")


def fmt_datetime(d: datetime | None, lang: str | None = DEFAULT_LANG) -> str:
    if d is None:
        return "–"
    if norm_lang(lang) == "vi":
        return format_datetime(d, format="HH:mm dd/MM/yyyy", locale="vi_VN")
    return format_datetime(d, format="MMM d, yyyy HH:mm", locale="en_US")


def plotly_separators(lang: str | None) -> str:
    """Plotly's ``layout.separators``: decimal then thousands."""
    return ",." if norm_lang(lang) == "vi" else ".,"
