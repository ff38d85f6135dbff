"""Findings of the intake (errors, warnings, notes) and their messages in Vietnamese and English.

Every finding has a stable ``code`` (used by the API, the tests and the upload page), the ``row``
as the user sees it in the file (CSV and XLSX: the spreadsheet row, header = row 1, so the first
data row is 2; JSON: the position in the ``observations`` or ``daily_items`` array, from 1; file-level
findings have no row), the ``column`` as named in the file (JSON daily items: ``daily_items.<field>``),
the offending ``value`` as text, the ``indicator`` code of the row when the file names one (every
row-level finding of the observations; None for file-level findings and daily items), and the
reason in both languages.

Findings about a confidential indicator quote its values and statistics of its series (the
implausible value and the series' median, an unparseable value cell): text derived from
confidential values is confidential itself. :func:`domain.findings.redact_report` is the one
function that turns a stored report into what a viewer without the clearance may read
(``data_access.compliance.report_for_viewer`` decides who that is): the row is still shown as
flagged, not why in numbers.

Severity:
* **error**: the whole submission is rejected, nothing is written;
* **warning**: accepted, the value is stored with a flag (``implausible``) for review;
* **note**: information only (a blank value skipped as "not reported", an ignored column).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from domain.messages import PERIODICITY_EN, PERIODICITY_VI, fill, shown  # noqa: F401 (the validator reads them here)
from i18n import fmt_significant

# code -> (Vietnamese, English). Placeholders are filled from the finding's params.
MESSAGES: dict[str, tuple[str, str]] = {
    # -- file level ------------------------------------------------------------------------
    "empty_file": ("Tệp rỗng, không có nội dung.", "The file is empty."),
    "file_too_large": ("Tệp quá lớn ({size} byte); giới hạn là {limit} byte.",
                       "The file is too large ({size} bytes); the limit is {limit} bytes."),
    "too_many_rows": ("Tệp có quá nhiều dòng ({rows}); giới hạn là {limit} dòng.",
                      "The file has too many rows ({rows}); the limit is {limit} rows."),
    "bad_encoding": ("Không đọc được bảng mã của tệp; hãy lưu tệp dưới dạng UTF-8 (hoặc Windows-1258).",
                     "Cannot read the file's text encoding; save it as UTF-8 (or Windows-1258)."),
    "unreadable_file": ("Không đọc được tệp {format}: {detail}.", "Cannot read the {format} file: {detail}."),
    # the budget of reading an upload (ingest.bounds): refused before the file costs more
    "sheet_too_many_rows": (
        "Dòng {row} của trang tính “{sheet}” vượt quá giới hạn {limit} dòng số liệu (sau dòng tiêu đề); "
        "tệp bị từ chối, phần sau không được đọc.",
        "Row {row} of sheet '{sheet}' is beyond the limit of {limit} data rows (after the header); "
        "the file is refused and the rest is not read."),
    "sheet_dimension_too_large": (
        "Trang tính “{sheet}” khai báo vùng dữ liệu {ref} ({rows} dòng), vượt quá giới hạn {limit} dòng số liệu; "
        "tệp bị từ chối trước khi đọc.",
        "Sheet '{sheet}' declares the range {ref} ({rows} rows), beyond the limit of {limit} data rows; "
        "the file is refused before reading."),
    "too_many_columns": (
        "Tệp có quá nhiều cột ({count}); giới hạn là {limit} cột.",
        "The file has too many columns ({count}); the limit is {limit} columns."),
    "zip_too_many_members": (
        "Tệp XLSX chứa {count} thành phần, vượt quá giới hạn {limit}; tệp bị từ chối trước khi giải nén.",
        "The XLSX file holds {count} parts, more than the limit of {limit}; it is refused before unpacking."),
    "zip_too_large": (
        "Tệp XLSX giải nén ra hơn {limit} byte (đến thành phần “{member}”: {size} byte); "
        "tệp bị từ chối để bảo vệ hệ thống.",
        "The XLSX file unpacks to more than {limit} bytes ({size} bytes by part '{member}'); "
        "it is refused to protect the service."),
    "zip_ratio_too_high": (
        "Thành phần “{member}” của tệp XLSX nén với tỷ lệ {ratio}:1, vượt quá giới hạn {limit}:1 "
        "(dấu hiệu của “bom nén”); tệp bị từ chối trước khi giải nén.",
        "Part '{member}' of the XLSX file is compressed {ratio}:1, beyond the limit of {limit}:1 "
        "(the mark of a zip bomb); the file is refused before unpacking."),
    "zip_damaged": (
        "Thành phần “{member}” của tệp XLSX bị hỏng: kích thước hoặc mã kiểm tra không khớp với nội dung.",
        "Part '{member}' of the XLSX file is damaged: its declared size or checksum does not match its content."),
    "line_too_long": (
        "Dòng {row} của tệp CSV dài hơn giới hạn {limit} byte; tệp bị từ chối, phần sau không được đọc.",
        "Line {row} of the CSV file is longer than the limit of {limit} bytes; the file is refused and the rest "
        "is not read."),
    "field_too_long": (
        "Ô “{column}” ở dòng {row} dài {length} ký tự, vượt quá giới hạn {limit}.",
        "Cell '{column}' in row {row} is {length} characters long, beyond the limit of {limit}."),
    "parse_timeout": (
        "Đọc tệp mất quá {seconds} giây cho phép; tệp bị từ chối. Hãy chia tệp thành nhiều tệp nhỏ hơn.",
        "Reading the file took longer than the {seconds} seconds allowed; it is refused. Split it into smaller files."),
    "json_wrong_type": (
        "Nội dung JSON là một giá trị kiểu {kind}, không phải một đối tượng; hãy gửi "
        "{{\"unit\": …, \"observations\": [{{\"indicator_code\", \"area_code\", \"period\", \"value\"}}, …]}}.",
        "The JSON document is a {kind}, not an object; send "
        "{{\"unit\": …, \"observations\": [{{\"indicator_code\", \"area_code\", \"period\", \"value\"}}, …]}}."),
    "macro_workbook": (
        "Tệp là sổ tính có macro (chứa “{member}”); không nhận tệp có mã VBA. Hãy lưu lại dưới dạng "
        "Excel Workbook (.xlsx) rồi gửi lại.",
        "The file is a macro-enabled workbook (it holds '{member}'); files with VBA code are not accepted. "
        "Save it as an Excel Workbook (.xlsx) and send it again."),
    # published shapes (ingest.published)
    "indicator_required": (
        "Tệp {format} không ghi mã chỉ tiêu; hãy chọn chỉ tiêu của số liệu (tham số indicator, "
        "--indicator ở dòng lệnh).",
        "The {format} file names no indicator; give the indicator of its values (the parameter "
        "'indicator', --indicator on the command line)."),
    "table_shape_unknown": (
        "Không nhận ra cấu trúc bảng {format}: cần một dòng (hoặc cột) tiêu đề gồm các kỳ (ví dụ 2019, 2020, "
        "Sơ bộ 2023) và các dòng địa bàn.",
        "Cannot read the {format} table's shape: it needs a header row (or column) of periods (e.g. 2019, 2020, "
        "Prel. 2023) and rows of areas."),
    "table_dimension_missing": ("Bảng {format} không có chiều “{dimension}”.",
                                "The {format} table has no '{dimension}' dimension."),
    "table_too_many_dimensions": (
        "Bảng {format} có thêm chiều nhiều giá trị ({dimensions}); mỗi tệp chỉ nhận một chỉ tiêu theo địa bàn và kỳ.",
        "The {format} table has more dimensions with several values ({dimensions}); a file holds one indicator "
        "by area and period."),
    "table_data_count": ("Bảng {format} có {count} giá trị, cần {expected}.",
                         "The {format} table holds {count} values where {expected} are expected."),
    "table_bad_period": ("Kỳ “{value}” của bảng {format} không phải mã kỳ.",
                         "Period '{value}' of the {format} table is not a period key."),
    "sdmx_message_unsupported": (
        "Tệp là thông điệp {message} của {version}; chỉ nhận thông điệp số liệu GenericData (SDMX-ML 2.0, 2.1), "
        "CompactData (2.0), StructureSpecificData (2.1, 3.0) hoặc tệp SDMX-CSV.",
        "The file is a {message} message of {version}; only the data messages GenericData (SDMX-ML 2.0, 2.1), "
        "CompactData (2.0), StructureSpecificData (2.1, 3.0) or an SDMX-CSV file are read."),
    "xml_dtd_refused": ("Tệp XML có khai báo DTD/ENTITY; không nhận (rủi ro bảo mật).",
                        "The XML file declares a DTD or entities; refused (a security risk)."),
    "table_unit_unknown": (
        "Đơn vị “{value}” của bảng không quy đổi được sang đơn vị “{unit}” của chỉ tiêu {indicator}.",
        "The table's unit '{value}' cannot be converted to the unit '{unit}' of indicator {indicator}."),
    "bad_structure": ("Cấu trúc JSON không đúng: {detail}.", "Wrong JSON structure: {detail}."),
    "missing_column": ("Thiếu cột bắt buộc “{column}”.", "Required column '{column}' is missing."),
    "duplicate_column": ("Cột “{column}” xuất hiện nhiều lần.", "Column '{column}' appears more than once."),
    "no_rows": ("Tệp không có giá trị số liệu nào để nhận.", "The file holds no values to accept."),
    "unknown_unit": ("Đơn vị báo cáo “{value}” không có trong danh mục.", "Reporting unit '{value}' is not in the catalogue."),
    "inactive_unit": ("Đơn vị báo cáo “{value}” đã ngừng hoạt động; không nhận báo cáo của đơn vị này.",
                      "Reporting unit '{value}' has been deactivated; its reports are not accepted."),
    "unit_mismatch": ("Tệp khai báo đơn vị “{value}” nhưng được gửi bởi đơn vị “{unit}”; mỗi đơn vị chỉ gửi báo cáo của mình.",
                      "The file declares unit '{value}' but was sent by unit '{unit}'; a unit may only submit its own reports."),
    # -- rows ---------------------------------------------------------------------------------
    "empty_cell": ("Ô “{column}” để trống.", "Cell '{column}' is empty."),
    "unknown_indicator": ("Mã chỉ tiêu “{value}” không có trong danh mục.", "Indicator code '{value}' is not in the catalogue."),
    "indicator_derived": (
        "Chỉ tiêu “{value}” là chỉ tiêu tính toán: hệ thống tự tính từ công thức {formula}; đơn vị không gửi số liệu "
        "của chỉ tiêu này.",
        "Indicator '{value}' is computed: the system calculates it from its formula {formula}; units do not submit "
        "its values."),
    "indicator_draft": ("Chỉ tiêu “{value}” đang ở dạng dự thảo, chưa nhận số liệu cho đến khi được đưa vào sử dụng.",
                        "Indicator '{value}' is a draft: it takes no data until it is made active."),
    "indicator_retired": ("Chỉ tiêu “{value}” đã ngừng sử dụng; không nhận số liệu mới (số liệu cũ được giữ nguyên).",
                          "Indicator '{value}' has been retired: it takes no new data (its history is kept)."),
    "unknown_area": ("Mã địa bàn “{value}” không có trong danh mục.{hint_vi}",
                     "Area code '{value}' is not in the catalogue.{hint_en}"),
    "bad_area_ref": (
        "“{value}” không đúng dạng MÃ@NĂM hoặc MÃ@YYYY-MM-DD (ví dụ 24@2025: địa bàn tỉnh 24 năm 2025), "
        "hoặc mã không có hiệu lực vào ngày đó.",
        "'{value}' is not of the form CODE@YEAR or CODE@YYYY-MM-DD (e.g. 24@2025: the territory of province 24 "
        "in 2025), or the code was not valid on that day."),
    "bad_territory": (
        "Phạm vi “{value}” không hợp lệ: ghi current (địa bàn hiện nay của đơn vị, tính ngược về kỳ trước) hoặc "
        "để trống; không ghi cùng với dạng MÃ@NĂM ở ô địa bàn.",
        "Territory '{value}' is not valid: write current (the reporting unit's area of today, back-cast to "
        "earlier periods) or leave it empty; do not combine it with the form CODE@YEAR in the area cell."),
    "area_code_changed_meaning": (
        "Ở kỳ {period}, mã “{value}” là {then}, không phải {now} của đơn vị {unit} (ngày {unit_day}); "
        "nhận theo mã sẽ ghi số liệu sang một địa bàn khác. Nếu là số liệu của {then} cũ, ghi mã {then_key}; "
        "nếu là số liệu của địa bàn {now} hiện nay tính ngược về kỳ trước, ghi {backcast} (hoặc cột territory "
        "= current).",
        "In period {period}, '{value}' meant {then}, not {now} of unit {unit} (on {unit_day}); read as written, "
        "the value would be stored under another territory. For the former {then}, write {then_key}; for the "
        "territory of today's {now} back-cast to that period, write {backcast} (or the column territory = "
        "current)."),
    "area_name_ambiguous": (
        "Tên địa bàn “{value}” ứng với nhiều địa bàn: {candidates}; hãy ghi mã.",
        "Area name '{value}' matches several areas: {candidates}; write the code."),
    "area_name_not_in_use": (
        "Tên địa bàn “{value}” không dùng ở kỳ {period}, hoặc là địa bàn đã sáp nhập mà kho số liệu không lưu "
        "riêng.{hint_vi}",
        "Area name '{value}' was not in use in period {period}, or names a merged territory the warehouse holds "
        "no area of.{hint_en}"),
    "area_not_valid_for_period": (
        "Mã địa bàn “{value}” không còn/chưa có hiệu lực vào ngày {date} (cuối kỳ {period}); "
        "từ 01/07/2025 dùng mã của 34 tỉnh, thành phố mới.",
        "Area code '{value}' is not valid on {date} (end of period {period}); "
        "from 1 July 2025 use the codes of the 34 new provinces."),
    "wrong_area_level": (
        "Chỉ tiêu {indicator} không báo cáo ở cấp “{level}” (cấp được nhận: {levels}).",
        "Indicator {indicator} is not reported at level '{level}' (accepted levels: {levels})."),
    "bad_period": ("“{value}” không phải mã kỳ hợp lệ (ví dụ 2025, 2025S1, 2025Q3, 202507, 2025-07-14).",
                   "'{value}' is not a period key (e.g. 2025, 2025S1, 2025Q3, 202507, 2025-07-14)."),
    "wrong_periodicity": ("Chỉ tiêu {indicator} có kỳ báo cáo {expected}, không nhận kỳ “{value}”.",
                          "Indicator {indicator} is reported {expected_en}; period '{value}' does not fit."),
    "future_period": ("Kỳ {value} chưa bắt đầu (ngày nhận {date}).", "Period {value} has not started yet (received {date})."),
    "bad_number": ("“{value}” không phải là số.", "'{value}' is not a number."),
    "non_finite_number": (
        "“{value}” không phải là một số hữu hạn (NaN, Infinity không phải số liệu); ghi số, hoặc để trống "
        "(null) nếu chưa báo cáo.",
        "'{value}' is not a finite number (NaN and Infinity are not data); write a number, or leave it empty "
        "(null) when not reported."),
    "ambiguous_number": (
        "“{value}” không rõ dấu phân cách là dấu thập phân hay dấu hàng nghìn; hãy ghi rõ, ví dụ 1234 hoặc 1.234,0 (hoặc 1,234.0).",
        "'{value}' is ambiguous (decimal or thousands separator?); write it unambiguously, e.g. 1234 or 1.234,0 or 1,234.0."),
    "bad_status": ("Trạng thái “{value}” không hợp lệ (P sơ bộ, O chính thức, E ước tính).",
                   "Status '{value}' is not valid (P provisional, O official, E estimated)."),
    "duplicate_key": ("Trùng chỉ tiêu, địa bàn và kỳ với dòng {first}.", "Same indicator, area and period as row {first}."),
    "not_responsible": (
        "Đơn vị {unit} không được giao báo cáo chỉ tiêu {indicator} cho địa bàn {area}.",
        "Unit {unit} is not responsible for reporting {indicator} for area {area}."),
    "bad_date": ("“{value}” không phải ngày hợp lệ (YYYY-MM-DD).", "'{value}' is not a valid date (YYYY-MM-DD)."),
    "future_date": ("Ngày {value} sau ngày nhận {date}.", "Date {value} is after the day received ({date})."),
    "bad_severity": ("Mức độ “{value}” không hợp lệ (info, notice, warning, critical).",
                     "Severity '{value}' is not valid (info, notice, warning, critical)."),
    "too_long": ("Nội dung ô “{column}” quá dài ({length} ký tự, tối đa {limit}).",
                 "Cell '{column}' is too long ({length} characters, at most {limit})."),
    # -- warnings -------------------------------------------------------------------------------
    "implausible_value": (
        "Giá trị {value} bất thường so với chuỗi số liệu (trung vị {median}); đã nhận và đánh dấu để rà soát.",
        "Value {value} is implausible against the series (median {median}); accepted and flagged for review."),
    "area_name_matched": (
        "Tên địa bàn “{value}” được hiểu là {label} (mã {key}); hãy kiểm tra, và ghi mã ở lần gửi sau.",
        "Area name '{value}' was read as {label} (code {key}); check it, and write the code next time."),
    "table_unit_scaled": (
        "Bảng ghi đơn vị “{value}”; giá trị của chỉ tiêu {indicator} được nhân với {factor} để theo đơn vị “{unit}”.",
        "The table states the unit '{value}'; values of {indicator} were multiplied by {factor} to be in '{unit}'."),
    "table_unit_assumed": (
        "Bảng không ghi đơn vị; giá trị được hiểu theo đơn vị “{unit}” của chỉ tiêu {indicator}.",
        "The table states no unit; values are taken in the unit '{unit}' of indicator {indicator}."),
    # -- notes -----------------------------------------------------------------------------------
    "not_reported": ("Ô giá trị để trống: dòng được bỏ qua (chưa báo cáo).", "Empty value: row skipped (not reported)."),
    "area_backcast": (
        "“{value}”: số liệu của địa bàn {label} hiện nay tính ngược về kỳ trước khi địa bàn được thành lập "
        "(back-cast); chuỗi so sánh được dùng giá trị này thay cho tổng các tỉnh cũ.",
        "'{value}': values of today's {label} territory back-cast to periods before it was formed; the comparable "
        "series uses them instead of the sum of the former provinces."),
    "area_label_read": (
        "Mã “{file_code}” của tệp không phải mã địa bàn của hệ thống, hoặc chỉ địa bàn khác với tên “{value}” đi kèm; "
        "địa bàn được đọc theo tên.",
        "The file's code '{file_code}' is not one of the product's area codes, or designates another area than its "
        "label '{value}': the area is read from the label."),
    "region_row_skipped": (
        "Dòng “{value}” là số liệu vùng; số liệu vùng được tính từ các tỉnh, dòng được bỏ qua.",
        "Row '{value}' is a regional figure; regional figures are computed from the provinces, the row is skipped."),
    "mapping_row_skipped": (
        "Các dòng “{value}” không được nạp: cách đối chiếu đã xác nhận bỏ qua tên này.",
        "The rows of '{value}' are not loaded: the confirmed mapping skips this name."),
    "ignored_column": ("Cột “{column}” không dùng đến, được bỏ qua.", "Column '{column}' is not used and was ignored."),
}


@dataclass(frozen=True)
class Issue:
    """One finding. ``row``/``column``/``value``/``indicator`` are None for file-level findings."""

    code: str
    message_vi: str
    message_en: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    indicator: str | None = None  # the row's indicator code as written (upper case), when it has one

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def make_issue(code: str, row: int | None = None, column: str | None = None, value: Any = None,
               indicator: str | None = None, **params: Any) -> Issue:
    """Build an :class:`Issue` with both messages filled from ``params`` (plus ``value``/``column``/
    ``indicator``). A row-level finding of an observation names its ``indicator``, so that a
    finding about a confidential one can be redacted (:func:`redact_report`)."""
    text = None if value is None else shown(value)
    values = {"value": text, "column": column, "row": row, "indicator": indicator, **params}
    vi = fill(MESSAGES[code], _localised(values, "vi"))[0]
    en = fill(MESSAGES[code], _localised(values, "en"))[1]
    return Issue(code, vi, en, row, column, text, indicator or None)


def _localised(values: dict[str, Any], lang: str) -> dict[str, Any]:
    """Statistics (float parameters other than the quoted cell ``value``) in the message's language:
    ``trung vị 6,644`` / ``median 6.644``."""
    return {k: fmt_significant(v, 4, lang) if isinstance(v, float) and k != "value" else v for k, v in values.items()}


@dataclass(kw_only=True)
class FindingLists:
    """Errors, warnings and notes, each list with how many there were in all (the lists may be cut)."""

    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)
    errors_total: int = 0
    warnings_total: int = 0
    notes_total: int = 0

    def take_findings(self, other: FindingLists) -> None:
        """Hold ``other``'s lists and counts."""
        for f in fields(FindingLists):
            setattr(self, f.name, getattr(other, f.name))


@dataclass
class Findings(FindingLists):
    """Errors, warnings and notes of one submission.

    Checks add findings freely (each check materialises at most ``limit`` of its findings and
    counts the rest); :meth:`finalize` sorts by row and keeps the first ``limit`` of each list, so
    a file of a million bad rows still gives a readable report. The ``*_total`` counters are exact.
    """

    limit: int = 1000

    def error(self, issue: Issue) -> None:
        self.errors.append(issue)
        self.errors_total += 1

    def warning(self, issue: Issue) -> None:
        self.warnings.append(issue)
        self.warnings_total += 1

    def note(self, issue: Issue) -> None:
        self.notes.append(issue)
        self.notes_total += 1

    def add(self, severity: str, issues: list[Issue], total: int) -> None:
        """Add materialised ``issues`` standing for ``total`` findings of one check."""
        getattr(self, severity + "s").extend(issues)
        setattr(self, severity + "s_total", getattr(self, severity + "s_total") + total)

    @property
    def has_errors(self) -> bool:
        return self.errors_total > 0

    @property
    def truncated(self) -> bool:
        return (len(self.errors) < self.errors_total or len(self.warnings) < self.warnings_total
                or len(self.notes) < self.notes_total)

    def finalize(self) -> None:
        def key(i: Issue):
            return (i.row if i.row is not None else -1, i.column or "", i.code)

        for name in ("errors", "warnings", "notes"):
            items = sorted(getattr(self, name), key=key)
            setattr(self, name, items[: self.limit])
