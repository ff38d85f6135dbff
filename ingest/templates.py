"""The XLSX reporting form of a unit for a period: what the unit owes, pre-filled, ready to upload.

Rows: every indicator carried by the report regimes the unit belongs to (``regime_unit`` /
``regime_indicator``) whose frequency is the period's periodicity, at the unit's own area valid on
the period's end date (the nation for ministries, the province for a provincial People's
Committee), when the unit is responsible for it by the intake's rule
(:meth:`ingest.validate.Catalogue.responsible`) so that the filled form always passes.

Confidential indicators are rows only for a caller of ``clearance="all"``, as everywhere in
``data_access``: the API gives that clearance to the unit itself (its token or its reporter: the
unit reports them) and to the cleared roles; a form for anyone else lists public indicators only.

Sheets:
* ``Dữ liệu`` (data): ``indicator_code, area_code, period`` (pre-filled, text), ``indicator_name``,
  ``unit_of_measure`` (descriptive, ignored on upload), ``value`` (empty; decimal validation),
  ``status`` (list P/O/E from the hidden sheet), ``note``; frozen header row;
* ``Hướng dẫn`` (README, in Vietnamese): unit, period, deadline, how to fill and send;
* ``_lists`` (hidden, protected): the status codes and the form's metadata.

The filled form uploads as it is: rows left blank are skipped as "not reported". Written by
:mod:`exports.sheets` (no text cell starts a formula, whatever a unit or indicator is named).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.engine import Connection

from data_access import schema
from domain.eras import valid_on
from domain.periods import Period, PeriodError
from domain.periods import parse as parse_period
from domain.regimes import deadline
from exports.sheets import append, workbook, xlsx_bytes
from i18n import format_period
from ingest.validate import load_catalogue

DATA_SHEET = "Dữ liệu"
README_SHEET = "Hướng dẫn"
LISTS_SHEET = "_lists"
COLUMNS = ["indicator_code", "area_code", "period", "indicator_name", "unit_of_measure", "value", "status", "note"]
STATUS_CHOICES = [("P", "Sơ bộ (provisional)"), ("O", "Chính thức (official)"), ("E", "Ước tính (estimated)")]


class TemplateError(LookupError):
    """``code``: unknown_unit | bad_period | unit_not_valid | nothing_owed; messages vi/en."""

    def __init__(self, code: str, message_vi: str, message_en: str):
        super().__init__(message_en)
        self.code, self.message_vi, self.message_en = code, message_vi, message_en


@dataclass(frozen=True)
class OwedRow:
    indicator_code: str
    area_code: str
    period: str
    indicator_name: str
    unit_of_measure: str
    regime_code: str


@dataclass(frozen=True)
class Owed:
    unit_code: str
    unit_name: str
    period: Period
    deadline: datetime | None
    regimes: list[str]
    rows: list[OwedRow]


def owed(conn: Connection, unit_code: str, period_key: str, *, clearance: str = "public") -> Owed:
    """What ``unit_code`` owes for ``period_key`` (raises :class:`TemplateError`); confidential
    indicators only with ``clearance="all"``."""
    try:
        period = parse_period(period_key)
    except PeriodError:
        raise TemplateError("bad_period", f"“{period_key}” không phải mã kỳ hợp lệ.",
                            f"'{period_key}' is not a period key.") from None
    cat = load_catalogue(conn)
    unit = cat.units.get((unit_code or "").strip().upper())
    if unit is None:
        raise TemplateError("unknown_unit", f"Đơn vị “{unit_code}” không có trong danh mục.",
                            f"Unit '{unit_code}' is not in the catalogue.")
    if not valid_on(unit.valid_from, unit.valid_to, period.end):
        raise TemplateError("unit_not_valid", f"Đơn vị {unit.code} không báo cáo kỳ {period.key} (hết/chưa có hiệu lực).",
                            f"Unit {unit.code} does not report period {period.key} (not valid then).")
    a, i = schema.agency, schema.indicator
    unit_name = conn.execute(select(a.c.name_vi).where(a.c.id == unit.id)).scalar() or unit.code
    names = {r.id: r for r in conn.execute(select(i.c.id, i.c.name_vi, i.c.unit_vi, i.c.confidential))}
    own = [x for x in cat.areas if x.id == unit.area_id] if unit.area_id else []
    rows: list[OwedRow] = []
    regimes: list[str] = []
    due = None
    for regime_id in sorted(cat.unit_regimes.get(unit.id, ()), key=lambda r: cat.regimes[r].code):
        regime = cat.regimes[regime_id]
        if regime.frequency != period.periodicity:
            continue
        regime_rows = []
        for ind_id in sorted(cat.regime_indicators.get(regime_id, ()), key=lambda x: cat.indicator_by_id[x].code):
            ind = cat.indicator_by_id[ind_id]
            if ind.periodicity != period.periodicity or (names[ind.id].confidential and clearance != "all"):
                continue
            for area in own:
                if not valid_on(area.valid_from, area.valid_to, period.end) or area.level not in ind.levels - {"region"}:
                    continue
                if not cat.responsible(unit, ind, area):
                    continue
                regime_rows.append(OwedRow(ind.code, area.code, period.key, names[ind.id].name_vi,
                                           names[ind.id].unit_vi, regime.code))
        if regime_rows:
            regimes.append(regime.code)
            rows += regime_rows
            d = deadline(regime.frequency, period, regime.deadline_day, regime.deadline_month_offset)
            due = min(due, d) if due else d
    seen: set[tuple[str, str]] = set()
    unique_rows = []
    for r in rows:  # an indicator carried by two regimes of the unit is reported once
        if (r.indicator_code, r.area_code) not in seen:
            seen.add((r.indicator_code, r.area_code))
            unique_rows.append(r)
    if not unique_rows:
        raise TemplateError("nothing_owed", f"Đơn vị {unit.code} không có chỉ tiêu phải báo cáo cho kỳ {period.key}.",
                            f"Unit {unit.code} owes no indicator for period {period.key}.")
    return Owed(unit.code, unit_name, period, datetime.combine(due, datetime.min.time()) if due else None,
                regimes, unique_rows)


def build_template(conn: Connection, unit_code: str, period_key: str, now: datetime | None = None, *,
                   clearance: str = "public") -> bytes:
    """The XLSX form (bytes) of what ``unit_code`` owes for ``period_key`` (see :func:`owed`)."""
    spec = owed(conn, unit_code, period_key, clearance=clearance)
    now = now or datetime.now()
    wb = workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    header_fill = PatternFill("solid", fgColor="1F4E79")
    append(ws, COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center")
    hints = {
        "indicator_code": "Mã chỉ tiêu (không sửa)", "area_code": "Mã địa bàn (không sửa)",
        "period": "Kỳ báo cáo (không sửa)", "indicator_name": "Tên chỉ tiêu (chỉ để tham khảo)",
        "unit_of_measure": "Đơn vị tính (chỉ để tham khảo)",
        "value": "Nhập số liệu. Để trống nếu chưa có số liệu (dòng sẽ được bỏ qua).",
        "status": "P: sơ bộ, O: chính thức, E: ước tính. Để trống = O.", "note": "Ghi chú (không bắt buộc)",
    }
    for idx, name in enumerate(COLUMNS, start=1):
        ws.cell(row=1, column=idx).comment = Comment(hints[name], "Hệ thống")
    for r in spec.rows:
        append(ws, [r.indicator_code, r.area_code, r.period, r.indicator_name, r.unit_of_measure, None, None, None])
    last = len(spec.rows) + 1
    for row in ws.iter_rows(min_row=2, max_row=last, max_col=3):
        for cell in row:
            cell.number_format = "@"  # keep "01" and "202507" as text
    for cell_row in ws.iter_rows(min_row=2, max_row=last, min_col=6, max_col=6):
        cell_row[0].number_format = "#,##0.####"
    widths = {"A": 26, "B": 10, "C": 12, "D": 60, "E": 18, "F": 16, "G": 9, "H": 40}
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"

    value_dv = DataValidation(type="decimal", operator="between", formula1="-1E+15", formula2="1E+15",
                              allow_blank=True, showErrorMessage=True, errorTitle="Giá trị không hợp lệ",
                              error="Chỉ nhập số (ví dụ 1234,5). / Numbers only.")
    value_dv.add(f"F2:F{max(last, 2)}")
    status_dv = DataValidation(type="list", formula1=f"={LISTS_SHEET}!$A$2:$A${len(STATUS_CHOICES) + 1}",
                               allow_blank=True, showErrorMessage=True, errorTitle="Trạng thái không hợp lệ",
                               error="Chọn P, O hoặc E. / Choose P, O or E.")
    status_dv.add(f"G2:G{max(last, 2)}")
    ws.add_data_validation(value_dv)
    ws.add_data_validation(status_dv)

    readme = wb.create_sheet(README_SHEET)
    deadline_text = spec.deadline.strftime("%d/%m/%Y") if spec.deadline else "—"
    lines = [
        ("BIỂU MẪU BÁO CÁO SỐ LIỆU", True),
        (f"Đơn vị báo cáo: {spec.unit_name} (mã {spec.unit_code})", False),
        (f"Kỳ báo cáo: {format_period(spec.period.key, 'vi')} (mã kỳ {spec.period.key})", False),
        (f"Chế độ báo cáo: {', '.join(spec.regimes)}", False),
        (f"Hạn gửi báo cáo: {deadline_text} (Điều 13 Nghị định 09/2019/NĐ-CP)", False),
        (f"Số chỉ tiêu phải báo cáo: {len(spec.rows)}", False),
        ("", False),
        ("CÁCH ĐIỀN", True),
        ("1. Chỉ nhập vào các cột value (giá trị), status (trạng thái) và note (ghi chú) của trang “Dữ liệu”.", False),
        ("2. Không sửa các cột indicator_code, area_code, period; tên chỉ tiêu và đơn vị tính chỉ để tham khảo.", False),
        ("3. Số liệu: nhập số trong ô (ô kiểu số); nếu nhập dạng chữ, dùng 1.234,5 (kiểu Việt Nam) hoặc "
         "1,234.5 (kiểu Anh). Viết 1.234 hoặc 1,234 một mình là không rõ nghĩa và sẽ bị từ chối.", False),
        ("4. Trạng thái: P = sơ bộ, O = chính thức, E = ước tính; để trống được hiểu là O.", False),
        ("5. Chỉ tiêu chưa có số liệu: để trống ô value, dòng đó được bỏ qua (ghi nhận là chưa báo cáo).", False),
        ("6. Gửi lại cùng một tệp không làm thay đổi dữ liệu; số liệu khác trước sẽ được lưu thành lần điều chỉnh mới.", False),
        ("", False),
        ("CÁCH GỬI", True),
        ("• Tải tệp lên trang tiếp nhận báo cáo của Hệ thống; hoặc", False),
        ("• Qua API: POST /api/v1/submissions (trường file), kèm Authorization: Bearer <mã truy cập của đơn vị>; hoặc", False),
        (f"• Dòng lệnh: flask --app app ingest <tệp.xlsx> --unit {spec.unit_code}", False),
        ("", False),
        (f"Tạo lúc {now:%d/%m/%Y %H:%M}. Toàn bộ tệp bị từ chối nếu có lỗi; báo cáo lỗi chỉ rõ dòng, cột và lý do.", False),
    ]
    for text_line, bold in lines:
        append(readme, [text_line])
        if bold:
            readme.cell(row=readme.max_row, column=1).font = Font(bold=True, size=12)
    readme.column_dimensions["A"].width = 120

    lists = wb.create_sheet(LISTS_SHEET)
    append(lists, ["status", "meaning"])
    for code, meaning in STATUS_CHOICES:
        append(lists, [code, meaning])
    append(lists, [])
    append(lists, ["unit", spec.unit_code])
    append(lists, ["period", spec.period.key])
    append(lists, ["generated_at", now.isoformat(timespec="seconds")])
    lists.sheet_state = "hidden"
    lists.protection.sheet = True
    lists.protection.password = secrets.token_hex(8)  # nobody needs to edit it

    return xlsx_bytes(wb)  # every text cell neutralised: names come from the catalogue and the admins
