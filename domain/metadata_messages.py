"""What is wrong with a metadata record, in Vietnamese and English (the catalogue of
:mod:`domain.metadata`, in the style of the intake's :mod:`ingest.issues`).

Every problem has a stable ``code``, the ``kind`` of record (``groups``, ``units``,
``indicators``, ``regimes``, ``targets``), the ``row`` as the user sees it (JSON: the position in
the kind's list, from 1; XLSX: the sheet row, header = 1; None for a file-level problem or for a
record the change did not name but breaks), the record's ``key``, the ``column`` and ``value``,
and the reason in both languages.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from domain.messages import PERIODICITY_EN, PERIODICITY_VI, fill, shown

KIND_VI = {"groups": "nhóm chỉ tiêu", "units": "đơn vị báo cáo", "indicators": "chỉ tiêu",
           "regimes": "chế độ báo cáo", "targets": "mục tiêu kế hoạch"}
KIND_EN = {"groups": "indicator group", "units": "reporting unit", "indicators": "indicator",
           "regimes": "report regime", "targets": "plan target"}

# code -> (Vietnamese, English). Placeholders are filled from the problem's params.
MESSAGES: dict[str, tuple[str, str]] = {
    # -- the file ------------------------------------------------------------------------------------
    "not_a_package": ("Tệp không phải gói siêu dữ liệu: {detail}.", "The file is not a metadata package: {detail}."),
    "unsupported_version": ("Phiên bản gói “{value}” không được hỗ trợ (hỗ trợ: {supported}).",
                            "Package version '{value}' is not supported (supported: {supported})."),
    "unknown_kind": ("Phần “{value}” không phải một loại siêu dữ liệu (groups, units, indicators, regimes, targets).",
                     "Part '{value}' is not a kind of metadata (groups, units, indicators, regimes, targets)."),
    "not_a_list": ("Phần “{kind}” phải là một danh sách bản ghi.", "Part '{kind}' must be a list of records."),
    "not_a_record": ("Dòng {row} của phần “{kind}” không phải một bản ghi.", "Row {row} of part '{kind}' is not a record."),
    # -- one cell ------------------------------------------------------------------------------------
    "unknown_field": ("Cột “{column}” không thuộc bản ghi {kind_vi}.", "Column '{column}' is not a field of {kind_en} records."),
    "missing_value": ("Thiếu giá trị bắt buộc ở cột “{column}”.", "Column '{column}' needs a value."),
    "bad_code": ("Mã “{value}” không hợp lệ: chỉ dùng chữ in hoa không dấu A–Z, chữ số, “_” hoặc “-” "
                 "(tối đa {limit} ký tự).",
                 "Code '{value}' is not valid: use capital letters A-Z without diacritics, digits, '_' or '-' "
                 "(at most {limit} characters)."),
    "code_confusable": ("Mã “{value}” chỉ khác mã “{other}” ở chữ hoa, chữ thường hoặc dấu; hai mã như vậy dễ nhầm lẫn.",
                        "Code '{value}' differs from code '{other}' only by case or diacritics; they are easily confused."),
    "too_long": ("Nội dung cột “{column}” dài {length} ký tự, tối đa {limit}.",
                 "Column '{column}' is {length} characters long, at most {limit}."),
    "control_characters": ("Cột “{column}” chứa ký tự điều khiển.", "Column '{column}' holds control characters."),
    "bad_choice": ("Giá trị “{value}” của cột “{column}” không hợp lệ (chọn một trong: {choices}).",
                   "Value '{value}' of column '{column}' is not valid (one of: {choices})."),
    "bad_integer": ("“{value}” ở cột “{column}” không phải số nguyên.", "'{value}' in column '{column}' is not an integer."),
    "bad_number": ("“{value}” ở cột “{column}” không phải số hữu hạn.", "'{value}' in column '{column}' is not a finite number."),
    "bad_boolean": ("“{value}” ở cột “{column}” không phải đúng/sai (true/false hoặc 1/0).",
                    "'{value}' in column '{column}' is not true/false (or 1/0)."),
    "bad_date": ("“{value}” ở cột “{column}” không phải ngày hợp lệ (YYYY-MM-DD).",
                 "'{value}' in column '{column}' is not a valid date (YYYY-MM-DD)."),
    "out_of_range": ("Giá trị {value} của cột “{column}” phải từ {low} đến {high}.",
                     "Value {value} of column '{column}' must be between {low} and {high}."),
    "bad_list": ("Cột “{column}” phải là danh sách mã (mảng JSON, hoặc các mã cách nhau bởi dấu “;”).",
                 "Column '{column}' must be a list of codes (a JSON array, or codes separated by ';')."),
    "duplicate_in_list": ("Mã “{value}” lặp lại trong cột “{column}”.", "Code '{value}' appears twice in column '{column}'."),
    "bad_formula": ("Công thức không hợp lệ: {detail}. Chỉ dùng mã chỉ tiêu, số, + - * /, ngoặc và last_year(MÃ).",
                    "The formula is not valid: {detail}. Use indicator codes, numbers, + - * /, parentheses and "
                    "last_year(CODE)."),
    # -- one record ----------------------------------------------------------------------------------
    "duplicate_key": ("Khóa “{value}” trùng với dòng {first}.", "Key '{value}' repeats row {first}."),
    "dates_reversed": ("Ngày hết hiệu lực {value} trước ngày bắt đầu hiệu lực {start}.",
                       "Valid-to date {value} is before the valid-from date {start}."),
    "self_reference": ("Chỉ tiêu không thể là “{column}” của chính nó.", "An indicator cannot be its own '{column}'."),
    "missing_component": ("Quy tắc tổng hợp “{aggregation}” cần cột “{column}”.",
                          "Aggregation rule '{aggregation}' needs column '{column}'."),
    "stray_component": ("Cột “{column}” chỉ dùng với quy tắc tổng hợp “{needed}”, không dùng với “{aggregation}”.",
                        "Column '{column}' is used with aggregation rule '{needed}' only, not with '{aggregation}'."),
    "deadline_before_cutoff": (
        "Hạn gửi báo cáo ({deadline}) phải sau ngày chốt số liệu ({cutoff}) của kỳ {period} "
        "(Điều 12, 13 Nghị định 09/2019/NĐ-CP).",
        "The reporting deadline ({deadline}) must come after the data cut-off ({cutoff}) of period {period} "
        "(Decree 09/2019/ND-CP, Art. 12 and 13)."),
    "regime_no_units": ("Chế độ báo cáo đang áp dụng cần ít nhất một đơn vị báo cáo.",
                        "An active report regime needs at least one reporting unit."),
    "regime_no_indicators": ("Chế độ báo cáo đang áp dụng cần mang ít nhất một chỉ tiêu.",
                             "An active report regime needs to carry at least one indicator."),
    "range_needs_max": ("Mục tiêu dạng khoảng (range) cần giá trị trên (value_max).",
                        "A range target needs its upper bound (value_max)."),
    "range_reversed": ("Giá trị trên {value} nhỏ hơn giá trị dưới {low}.", "Upper bound {value} is below the lower bound {low}."),
    "max_without_range": ("Cột value_max chỉ dùng cho mục tiêu dạng khoảng (comparison = range).",
                          "Column value_max is only for range targets (comparison = range)."),
    # -- references -----------------------------------------------------------------------------------
    "unknown_reference": ("{ref_vi} “{value}” (cột “{column}”) không có trong cấu hình.",
                          "{ref_en} '{value}' (column '{column}') is not in the configuration."),
    "retired_reference": ("{ref_vi} “{value}” (cột “{column}”) đã thôi dùng; một bản ghi đang áp dụng không thể dùng nó.",
                          "{ref_en} '{value}' (column '{column}') is retired; an active record cannot use it."),
    "unit_area_missing": ("Đơn vị cấp tỉnh cần địa bàn là tỉnh, thành phố của đơn vị.",
                          "A provincial unit needs its province as its area."),
    "unit_area_level": ("Đơn vị cấp tỉnh cần địa bàn là một tỉnh, thành phố; “{value}” là địa bàn cấp “{level}”.",
                        "A provincial unit needs a province as its area; '{value}' is a '{level}' area."),
    "component_periodicity": (
        "Chỉ tiêu “{value}” (cột “{column}”) có kỳ {other}, khác kỳ {periodicity} của chỉ tiêu này.",
        "Indicator '{value}' (column '{column}') is reported {other_en}, unlike this indicator ({periodicity_en})."),
    "formula_periodicity": (
        "Công thức đọc chỉ tiêu “{value}” có kỳ {other}, khác kỳ {periodicity} của chỉ tiêu này.",
        "The formula reads indicator '{value}', reported {other_en}, unlike this indicator ({periodicity_en})."),
    "formula_cycle": ("Công thức tạo vòng lặp giữa các chỉ tiêu: {cycle}.", "Formulas read each other in a circle: {cycle}."),
    "regime_periodicity": ("Chế độ báo cáo kỳ {frequency} không mang được chỉ tiêu “{value}” có kỳ {other}.",
                           "A {frequency_en} report regime cannot carry indicator '{value}', reported {other_en}."),
    "target_retired_indicator": ("Không đặt mục tiêu kế hoạch cho chỉ tiêu “{value}” đã thôi dùng.",
                                 "No plan target can be set for indicator '{value}': it is retired."),
    "target_level": ("Chỉ tiêu “{indicator}” không có số liệu cấp “{level}” của địa bàn “{value}”.",
                     "Indicator '{indicator}' has no '{level}' level, the level of area '{value}'."),
    "target_outside_validity": ("Năm {value} nằm ngoài thời gian hiệu lực của chỉ tiêu “{indicator}” ({start} – {end}).",
                                "Year {value} is outside the validity of indicator '{indicator}' ({start} to {end})."),
    "headline_duplicate": ("Thứ tự chỉ tiêu chính {value} đã dùng cho chỉ tiêu “{other}”.",
                           "Headline position {value} is already used by indicator '{other}'."),
    # -- history ---------------------------------------------------------------------------------------
    "periodicity_locked": (
        "Chỉ tiêu “{key}” đã có số liệu: không đổi kỳ {before} → {value}. Hãy cho chỉ tiêu cũ thôi dùng và tạo chỉ tiêu "
        "mới (mã mới).",
        "Indicator '{key}' has observations: its periodicity cannot change {before} -> {value}. Retire it and create a "
        "new indicator (a new code)."),
    "frequency_locked": (
        "Chế độ báo cáo “{key}” đã có báo cáo gửi đến: không đổi tần suất {before} → {value}. Hãy cho chế độ cũ thôi "
        "áp dụng và tạo chế độ mới.",
        "Report regime '{key}' has received reports: its frequency cannot change {before} -> {value}. Retire it and "
        "create a new regime."),
    "unit_locked": (
        "Đơn vị “{key}” đã gửi báo cáo: không đổi “{column}” {before} → {value}. Hãy cho đơn vị cũ thôi hoạt động và "
        "tạo đơn vị mới.",
        "Unit '{key}' has sent reports: its '{column}' cannot change {before} -> {value}. Retire it and create a new unit."),
    "code_immutable": (
        "Không đổi mã “{key}” thành “{value}”: số liệu và báo cáo gắn với mã. Hãy cho bản ghi cũ thôi dùng và tạo bản "
        "ghi mới (thay thế).",
        "Code '{key}' cannot become '{value}': data and reports are tied to the code. Retire the old record and create "
        "a new one (replace)."),
    "status_backwards": ("Không chuyển “{key}” từ trạng thái {before} về {value}.",
                         "'{key}' cannot go back from status {before} to {value}."),
    "not_found": ("Không có {kind_vi} “{value}”.", "No {kind_en} '{value}'."),
    "already_exists": ("Đã có {kind_vi} “{value}”.", "A {kind_en} '{value}' already exists."),
}


@dataclass(frozen=True)
class Problem:
    """One reason a metadata change is refused."""

    code: str
    kind: str | None
    row: int | None
    key: str | None
    column: str | None
    value: str | None
    message_vi: str
    message_en: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def problem(code: str, kind: str | None = None, row: int | None = None, key: str | None = None,
            column: str | None = None, value: Any = None, **params: Any) -> Problem:
    """A :class:`Problem` with both messages filled from ``params`` (and kind, column, value)."""
    text = None if value is None else shown(value)
    values: dict[str, Any] = {"value": text, "column": column, "row": row, "key": key, "kind": kind,
                              "kind_vi": KIND_VI.get(kind or "", kind), "kind_en": KIND_EN.get(kind or "", kind),
                              **{k: shown(v) if isinstance(v, float) else v for k, v in params.items()}}
    for name in ("periodicity", "other", "frequency"):
        if isinstance(values.get(name), str):
            values[name + "_en"] = PERIODICITY_EN.get(values[name], values[name])
            values[name] = PERIODICITY_VI.get(values[name], values[name])
    vi, en = fill(MESSAGES[code], values)
    return Problem(code, kind, row, key, column, text, vi, en)
