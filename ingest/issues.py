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

from dataclasses import asdict, dataclass, field
from typing import Any

from domain.messages import PERIODICITY_EN, PERIODICITY_VI, fill, shown  # noqa: F401 (the validator reads them here)

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
    "unknown_area": ("Mã địa bàn “{value}” không có trong danh mục.", "Area code '{value}' is not in the catalogue."),
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
    # -- notes -----------------------------------------------------------------------------------
    "not_reported": ("Ô giá trị để trống: dòng được bỏ qua (chưa báo cáo).", "Empty value: row skipped (not reported)."),
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
    vi, en = fill(MESSAGES[code], {"value": text, "column": column, "row": row, "indicator": indicator, **params})
    return Issue(code, vi, en, row, column, text, indicator or None)


@dataclass
class Findings:
    """Errors, warnings and notes of one submission.

    Checks add findings freely (each check materialises at most ``limit`` of its findings and
    counts the rest); :meth:`finalize` sorts by row and keeps the first ``limit`` of each list, so
    a file of a million bad rows still gives a readable report. The ``*_total`` counters are exact.
    """

    limit: int = 1000
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)
    errors_total: int = 0
    warnings_total: int = 0
    notes_total: int = 0

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
