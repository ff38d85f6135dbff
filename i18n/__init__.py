# size: the message catalogue of the interface in Vietnamese and English (about 600 lines of messages) and the locale formats
"""Words and formats in one place: the UI message catalogue (Vietnamese first, English) and
locale-aware number and date formatting with Babel."""

from __future__ import annotations

import functools
from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_percent, get_decimal_symbol, get_group_symbol, parse_pattern

from domain.periods import parse as parse_period
from i18n.access import ACCESS_MESSAGES
from i18n.alerts import ALERTS_MESSAGES
from i18n.direction_screens import DIRECTION_SCREEN_MESSAGES
from i18n.directions import DIRECTION_MESSAGES
from i18n.first_run import FIRST_RUN_MESSAGES
from i18n.mapping import MAPPING_MESSAGES
from i18n.metadata_pages import METADATA_PAGE_MESSAGES
from i18n.subscriptions import SUBSCRIPTION_MESSAGES
from web.lang import DEFAULT_LANG, norm_lang

_LOCALE = {"vi": Locale.parse("vi_VN"), "en": Locale.parse("en_US")}  # parsed once, not per number

MESSAGES: dict[str, dict[str, str]] = {
    "sub.lede": {"vi": "Tải biểu mẫu, điền số liệu và gửi tệp CSV, XLSX hoặc JSON; kết quả kiểm tra hiện ngay bên dưới.",
                 "en": "Download the form, fill it in and send a CSV, XLSX or JSON file; the validation report shows below."},
    "sub.unit": {"vi": "Đơn vị báo cáo", "en": "Reporting unit"},
    "sub.choose_unit": {"vi": "Chọn đơn vị", "en": "Choose a unit"},
    "sub.period": {"vi": "Kỳ báo cáo", "en": "Period"},
    "sub.template": {"vi": "Biểu mẫu", "en": "Form"},
    "sub.download_template": {"vi": "Tải biểu mẫu XLSX", "en": "Download the XLSX form"},
    "sub.drop": {"vi": "Kéo thả tệp vào đây hoặc bấm để chọn tệp", "en": "Drop a file here or click to choose one"},
    "sub.formats": {"vi": "CSV, XLSX hoặc JSON; UTF-8 hoặc Windows-1258; tối đa 50 MB",
                    "en": "CSV, XLSX or JSON; UTF-8 or Windows-1258; up to 50 MB"},
    "sub.need_unit": {"vi": "Hãy chọn đơn vị báo cáo trước khi gửi tệp.", "en": "Choose the reporting unit before sending a file."},
    "sub.other_unit": {"vi": "Tài khoản này chỉ được gửi báo cáo của đơn vị mình.",
                       "en": "This account may only submit its own unit's reports."},
    "sub.unreadable": {"vi": "Không đọc được tệp đã gửi.", "en": "The file could not be read."},
    "sub.accepted": {"vi": "Đã tiếp nhận báo cáo số {id}: {written} giá trị được ghi ({revised} điều chỉnh, {unchanged} không đổi).",
                     "en": "Report {id} accepted: {written} values stored ({revised} revised, {unchanged} unchanged)."},
    "sub.duplicate": {"vi": "Tệp này đã được tiếp nhận trước đó (báo cáo số {id}); không có gì thay đổi.",
                      "en": "This file was already accepted (report {id}); nothing changed."},
    "sub.rejected": {"vi": "Báo cáo bị từ chối: {errors} lỗi. Không có dữ liệu nào được ghi; hãy sửa và gửi lại.",
                     "en": "Report rejected: {errors} errors. Nothing was stored; correct the file and send it again."},
    "sub.column": {"vi": "Cột", "en": "Column"},
    "sub.value": {"vi": "Giá trị", "en": "Value"},
    "sub.reason": {"vi": "Lý do", "en": "Reason"},
    "sub.errors": {"vi": "Lỗi", "en": "Errors"},
    "sub.warnings": {"vi": "Cảnh báo (đã tiếp nhận, cần rà soát)", "en": "Warnings (accepted, to review)"},
    "sub.rows": {"vi": "Số dòng đọc được", "en": "Rows read"},
    "sub.periods": {"vi": "Kỳ số liệu", "en": "Periods"},
    "sub.format": {"vi": "Định dạng", "en": "Format"},
    "cmp.lede": {"vi": "Theo dõi việc gửi báo cáo định kỳ của các bộ, ngành, địa phương theo Nghị định 09/2019/NĐ-CP: "
                        "đúng hạn, muộn, chưa gửi.",
                 "en": "Periodic reports of ministries and provinces under Decree 09/2019/ND-CP: on time, late, missing."},
    "cmp.regime": {"vi": "Chế độ báo cáo", "en": "Report regime"},
    "cmp.group": {"vi": "Nhóm đơn vị", "en": "Units"},
    "cmp.group.all": {"vi": "Tất cả đơn vị", "en": "All units"},
    "cmp.group.ministries": {"vi": "Bộ, ngành", "en": "Ministries"},
    "cmp.group.provinces": {"vi": "Địa phương", "en": "Provinces"},
    "cmp.on_time": {"vi": "Đúng hạn", "en": "On time"},
    "cmp.late": {"vi": "Muộn", "en": "Late"},
    "cmp.missing": {"vi": "Chưa gửi (quá hạn)", "en": "Missing (overdue)"},
    "cmp.not_due": {"vi": "Chưa đến hạn", "en": "Not yet due"},
    "cmp.completeness": {"vi": "đầy đủ", "en": "complete"},
    "cmp.timeliness": {"vi": "đúng hạn", "en": "on time"},
    "cmp.counts": {"vi": "Phải nộp {expected} · đã nhận {received} · muộn {late} · chưa gửi {missing}",
                   "en": "Expected {expected} · received {received} · late {late} · missing {missing}"},
    "cmp.matrix": {"vi": "Tình hình nộp báo cáo theo kỳ", "en": "Reports by unit and period"},
    "cmp.unit": {"vi": "Đơn vị", "en": "Unit"},
    "cmp.overdue": {"vi": "Báo cáo quá hạn", "en": "Overdue reports"},
    "cmp.deadline": {"vi": "hạn", "en": "due"},
    "cmp.days_overdue": {"vi": "quá {days} ngày", "en": "{days} days overdue"},
    "cmp.submissions_of": {"vi": "Các lần gửi báo cáo của {unit}", "en": "Submissions of {unit}"},
    "cmp.no_submissions": {"vi": "Chưa có lần gửi nào", "en": "No submissions yet"},
    "cmp.report": {"vi": "Báo cáo kiểm tra: {errors} lỗi, {warnings} cảnh báo",
                   "en": "Validation report: {errors} errors, {warnings} warnings"},
    "cmp.row": {"vi": "Dòng", "en": "Row"},
    "cmp.received": {"vi": "Thời điểm nhận", "en": "Received"},
    "cmp.channel": {"vi": "Kênh", "en": "Channel"},
    "cmp.submitted_by": {"vi": "Người gửi", "en": "Submitted by"},
    "cmp.file": {"vi": "Tệp", "en": "File"},
    "cmp.periods": {"vi": "Kỳ", "en": "Periods"},
    "cmp.status": {"vi": "Trạng thái", "en": "Status"},
    "cmp.rows": {"vi": "Số dòng ghi", "en": "Rows stored"},
    "cmp.details": {"vi": "Chi tiết", "en": "Details"},
    "cmp.status.accepted": {"vi": "Đã tiếp nhận", "en": "Accepted"},
    "cmp.status.rejected": {"vi": "Bị từ chối", "en": "Rejected"},
    "cmp.status.duplicate": {"vi": "Trùng lặp", "en": "Duplicate"},
    "wall.title": {"vi": "Trung tâm Thông tin, Chỉ đạo điều hành", "en": "Government Operations Center"},
    "wall.board.overview": {"vi": "Các chỉ tiêu chủ yếu", "en": "Headline indicators"},
    "wall.top": {"vi": "Cao nhất", "en": "Highest"},
    "wall.bottom": {"vi": "Thấp nhất", "en": "Lowest"},
    "wall.on_time": {"vi": "đúng hạn", "en": "on time"},
    "wall.overdue": {"vi": "Báo cáo quá hạn", "en": "Overdue reports"},
    "wall.more_overdue": {"vi": "và {n} báo cáo quá hạn khác", "en": "and {n} more overdue reports"},
    "wall.none_overdue": {"vi": "Không có báo cáo quá hạn", "en": "No overdue reports"},
    "wall.no_alerts": {"vi": "Không có cảnh báo mới", "en": "No new alerts"},
    "wall.connection_lost": {"vi": "Mất kết nối từ {time}", "en": "Connection lost since {time}"},
    "wall.off_track": {"vi": "Không đạt kế hoạch: {name} ({value})", "en": "Off track: {name} ({value})"},
    "wall.overdue_item": {"vi": "Quá hạn báo cáo: {unit} – {report} kỳ {period}",
                          "en": "Overdue: {unit} – {report} for {period}"},
    "wall.units": {"vi": "Bộ, ngành", "en": "Ministries"},
    "wall.provinces": {"vi": "Địa phương", "en": "Provinces"},
    "wall.overall": {"vi": "Toàn bộ", "en": "Overall"},
    "wall.bad_token": {"vi": "Mã hiển thị không hợp lệ, đã hết hạn hoặc đã bị thu hồi.",
                       "en": "The display token is invalid, has expired or has been revoked."},
    "wall.refused_title": {"vi": "Màn hình không được cấp quyền", "en": "This screen is not authorised"},
    "wall.refused_help": {"vi": "Đề nghị quản trị viên cấp mã hiển thị mới cho màn hình này.",
                          "en": "Ask an administrator for a new display token for this screen."},
    "daily.day": {"vi": "Ngày", "en": "Day"},
    "daily.pick_day": {"vi": "Chọn ngày", "en": "Choose a day"},
    "daily.new": {"vi": "Mới", "en": "New"},
    "daily.vs_yesterday": {"vi": "so với hôm trước", "en": "vs the day before"},
    "daily.vs_week": {"vi": "so với 7 ngày trước", "en": "vs a week before"},
    "daily.items": {"vi": "Thông tin từ các bộ, ngành, địa phương", "en": "Reports from ministries and provinces"},
    "daily.no_items": {"vi": "Chưa có thông tin trong ngày", "en": "No items today"},
    "daily.new_since": {"vi": "Mới từ hôm qua", "en": "New since yesterday"},
    "daily.indicators": {"vi": "Chỉ tiêu hằng ngày", "en": "Daily indicators"},
    "daily.lede": {"vi": "Số liệu và thông tin hằng ngày từ các bộ, ngành, địa phương.",
                   "en": "Daily figures and information from ministries and provinces."},
    "daily.category": {"vi": "Lĩnh vực", "en": "Category"},
    "daily.severity": {"vi": "Mức độ", "en": "Severity"},
    "daily.all": {"vi": "Tất cả", "en": "All"},
    "daily.sev.critical": {"vi": "Khẩn cấp", "en": "Critical"},
    "daily.sev.warning": {"vi": "Cảnh báo", "en": "Warning"},
    "daily.sev.notice": {"vi": "Lưu ý", "en": "Notice"},
    "daily.sev.info": {"vi": "Thông tin", "en": "Information"},
    "daily.cat.disaster": {"vi": "Thiên tai", "en": "Natural disasters"},
    "daily.cat.economy": {"vi": "Kinh tế", "en": "Economy"},
    "daily.cat.health": {"vi": "Y tế", "en": "Health"},
    "daily.cat.traffic": {"vi": "Giao thông", "en": "Traffic"},
    "daily.cat.security": {"vi": "An ninh, trật tự", "en": "Public order"},
    "daily.cat.social": {"vi": "Xã hội", "en": "Social affairs"},
    "daily.cat.admin": {"vi": "Hành chính", "en": "Administration"},
    "app.title": {"vi": "Trung tâm Thông tin, Chỉ đạo điều hành", "en": "Government Operations Center"},
    "app.subtitle": {"vi": "Hệ thống thông tin báo cáo Chính phủ", "en": "Government Reporting Information System"},
    "app.illustrative": {"vi": "Dữ liệu minh họa", "en": "Illustrative data"},
    "app.illustrative_note": {
        "vi": "Số liệu trên hệ thống là dữ liệu tổng hợp minh họa, không phải số liệu chính thức.",
        "en": "Figures shown are synthetic illustrative data, not official statistics.",
    },
    "app.official": {"vi": "Số liệu chính thức", "en": "Official statistics"},
    "app.reported": {"vi": "Số liệu báo cáo", "en": "Reported data"},
    "app.reported_note": {
        "vi": "Số liệu do các bộ, ngành, địa phương báo cáo qua hệ thống.",
        "en": "Figures reported by ministries, agencies and provinces through the system.",
    },
    "app.official_note": {
        "vi": "Nguồn: Tổng cục Thống kê (các bảng số liệu theo tỉnh, thành phố đã công bố).",
        "en": "Source: General Statistics Office of Viet Nam (published tables by province).",
    },
    "cmp.no_regimes": {"vi": "Chưa có chế độ báo cáo nào được thiết lập", "en": "No report regime is configured"},
    "nav.label": {"vi": "Điều hướng chính", "en": "Main navigation"},
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
    "mark.computed": {"vi": "Chỉ tiêu tính toán", "en": "Computed"},
    "mark.flagged": {"vi": "Cần rà soát", "en": "Under review"},
    "kpi.vs_previous": {"vi": "so với kỳ trước", "en": "vs previous period"},
    "kpi.vs_last_year": {"vi": "so với cùng kỳ", "en": "vs same period last year"},
    "kpi.ytd": {"vi": "Lũy kế từ đầu năm", "en": "Year to date"},
    "kpi.target": {"vi": "Kế hoạch", "en": "Target"},
    "unit.pp": {"vi": "điểm %", "en": "pp"},  # percentage points: the change of a rate
    "overview.lede": {
        "vi": "Các chỉ tiêu chủ yếu phục vụ chỉ đạo, điều hành của Chính phủ, Thủ tướng Chính phủ.",
        "en": "The headline indicators for the Government's direction and operations.",
    },
    # --- shared controls and grids (components/controls.py, components/grid.py) ---
    "table.sort": {"vi": "Sắp xếp theo cột này", "en": "Sort by this column"},
    "table.count": {"vi": "{n}/{total} dòng", "en": "{n} of {total} rows"},
    "table.search_placeholder": {"vi": "Gõ tên, có dấu hoặc không dấu", "en": "Type a name"},
    "table.none_match": {"vi": "Không có dòng nào khớp với nội dung tìm.", "en": "No row matches the search."},
    "grid.dropdown.select_all": {"vi": "Chọn tất cả", "en": "Select all"},
    "grid.dropdown.deselect_all": {"vi": "Bỏ chọn tất cả", "en": "Deselect all"},
    "grid.dropdown.selected_count": {"vi": "Đã chọn {num_selected}", "en": "{num_selected} selected"},
    "grid.dropdown.search": {"vi": "Tìm kiếm", "en": "Search"},
    "grid.dropdown.clear_search": {"vi": "Xóa nội dung tìm", "en": "Clear search"},
    "grid.dropdown.clear_selection": {"vi": "Bỏ lựa chọn", "en": "Clear selection"},
    "grid.dropdown.no_options_found": {"vi": "Không có lựa chọn phù hợp", "en": "No options found"},
    "grid.era.before": {"vi": "(trước 07/2025)", "en": "(before Jul 2025)"},
    "grid.era.from": {"vi": "(từ 07/2025)", "en": "(from Jul 2025)"},
    "grid.level.region": {"vi": "Vùng", "en": "(region)"},
    "grid.ag.applyFilter": {"vi": "Áp dụng", "en": "Apply"},
    "grid.ag.resetFilter": {"vi": "Đặt lại", "en": "Reset"},
    "grid.ag.clearFilter": {"vi": "Xóa lọc", "en": "Clear"},
    "grid.ag.cancelFilter": {"vi": "Hủy", "en": "Cancel"},
    "grid.ag.textFilter": {"vi": "Lọc văn bản", "en": "Text filter"},
    "grid.ag.numberFilter": {"vi": "Lọc số", "en": "Number filter"},
    "grid.ag.dateFilter": {"vi": "Lọc ngày", "en": "Date filter"},
    "grid.ag.filterOoo": {"vi": "Lọc...", "en": "Filter..."},
    "grid.ag.empty": {"vi": "Chọn một", "en": "Choose one"},
    "grid.ag.equals": {"vi": "Bằng", "en": "Equals"},
    "grid.ag.notEqual": {"vi": "Khác", "en": "Does not equal"},
    "grid.ag.lessThan": {"vi": "Nhỏ hơn", "en": "Less than"},
    "grid.ag.greaterThan": {"vi": "Lớn hơn", "en": "Greater than"},
    "grid.ag.lessThanOrEqual": {"vi": "Nhỏ hơn hoặc bằng", "en": "Less than or equal to"},
    "grid.ag.greaterThanOrEqual": {"vi": "Lớn hơn hoặc bằng", "en": "Greater than or equal to"},
    "grid.ag.inRange": {"vi": "Trong khoảng", "en": "Between"},
    "grid.ag.inRangeStart": {"vi": "Từ", "en": "From"},
    "grid.ag.inRangeEnd": {"vi": "Đến", "en": "To"},
    "grid.ag.contains": {"vi": "Có chứa", "en": "Contains"},
    "grid.ag.notContains": {"vi": "Không chứa", "en": "Does not contain"},
    "grid.ag.startsWith": {"vi": "Bắt đầu bằng", "en": "Begins with"},
    "grid.ag.endsWith": {"vi": "Kết thúc bằng", "en": "Ends with"},
    "grid.ag.blank": {"vi": "Trống", "en": "Blank"},
    "grid.ag.notBlank": {"vi": "Không trống", "en": "Not blank"},
    "grid.ag.andCondition": {"vi": "VÀ", "en": "AND"},
    "grid.ag.orCondition": {"vi": "HOẶC", "en": "OR"},
    "grid.ag.noRowsToShow": {"vi": "Không có dòng nào", "en": "No rows to show"},
    "grid.ag.loadingOoo": {"vi": "Đang tải...", "en": "Loading..."},
    "grid.ag.page": {"vi": "Trang", "en": "Page"},
    "grid.ag.of": {"vi": "trên", "en": "of"},
    "grid.ag.to": {"vi": "đến", "en": "to"},
    "grid.ag.more": {"vi": "thêm", "en": "more"},
    "grid.ag.next": {"vi": "Sau", "en": "Next"},
    "grid.ag.previous": {"vi": "Trước", "en": "Previous"},
    "grid.ag.first": {"vi": "Đầu", "en": "First"},
    "grid.ag.last": {"vi": "Cuối", "en": "Last"},
    "grid.ag.sortAscending": {"vi": "Sắp xếp tăng dần", "en": "Sort ascending"},
    "grid.ag.sortDescending": {"vi": "Sắp xếp giảm dần", "en": "Sort descending"},
    "grid.ag.sortUnSort": {"vi": "Bỏ sắp xếp", "en": "Clear sort"},
    "grid.ag.ariaFilterInput": {"vi": "Ô nhập điều kiện lọc", "en": "Filter input"},
    "grid.ag.ariaFilterValue": {"vi": "Giá trị lọc", "en": "Filter value"},
    "grid.ag.ariaFilteringOperator": {"vi": "Phép so sánh", "en": "Filtering operator"},
    "grid.ag.ariaColumnFiltered": {"vi": "Cột đang được lọc", "en": "Column filtered"},
    "grid.ag.ariaSortableColumn": {"vi": "Nhấn Enter để sắp xếp", "en": "Press ENTER to sort"},
    "grid.ag.ariaFilterColumnsInput": {"vi": "Ô lọc cột", "en": "Filter columns input"},
    "grid.ag.ariaLabelFilterMenu": {"vi": "Bảng điều kiện lọc", "en": "Filter menu"},
    "grid.ag.ariaLabelDialog": {"vi": "Hộp thoại", "en": "Dialog"},
    "grid.ag.filterSummaryInactive": {"vi": "là (Tất cả)", "en": "is (All)"},
    "grid.ag.filterSummaryContains": {"vi": "có chứa", "en": "contains"},
    "grid.ag.filterSummaryInRange": {"vi": "trong khoảng", "en": "between"},
    # --- indicator page and catalogue (dashboards/indicator.py, dashboards/indicators.py) ---
    "ind.catalogue_title": {"vi": "Danh mục chỉ tiêu", "en": "Indicator catalogue"},
    "ind.catalogue_lede": {
        "vi": "Các chỉ tiêu phục vụ chỉ đạo, điều hành theo Quyết định 293/QĐ-TTg, theo nhóm và cơ quan chịu trách nhiệm.",
        "en": "Indicators for the Government's direction and operations (Decision 293/QĐ-TTg), by group and responsible agency.",
    },
    "ind.search": {"vi": "Tìm chỉ tiêu", "en": "Search indicators"},
    "ind.search_placeholder": {"vi": "Gõ có dấu hoặc không dấu, ví dụ: ty le that nghiep",
                               "en": "Type a few words, e.g. unemployment"},
    "ind.all_groups": {"vi": "Tất cả các nhóm", "en": "All groups"},
    "ind.n_results": {"vi": "{n} chỉ tiêu", "en": "{n} indicators"},
    "ind.no_results": {"vi": "Không tìm thấy chỉ tiêu phù hợp", "en": "No indicator matches"},
    "ind.not_found": {"vi": "Không tìm thấy chỉ tiêu", "en": "Indicator not found"},
    "ind.not_found_detail": {
        "vi": "Mã chỉ tiêu «{code}» không có trong danh mục, hoặc bạn không có quyền xem chỉ tiêu này.",
        "en": "The code «{code}» is not in the catalogue, or you are not cleared to view it.",
    },
    "ind.back_to_catalogue": {"vi": "Danh mục chỉ tiêu", "en": "Indicator catalogue"},
    "ind.areas": {"vi": "Địa bàn so sánh", "en": "Areas to compare"},
    "ind.areas_placeholder": {"vi": "Chọn cả nước, vùng hoặc tỉnh, thành phố", "en": "Choose the nation, regions or provinces"},
    "ind.start": {"vi": "Từ kỳ", "en": "From"},
    "ind.end": {"vi": "Đến kỳ", "en": "To"},
    "ind.mode": {"vi": "Hiển thị", "en": "Show"},
    "ind.mode_value": {"vi": "Giá trị", "en": "Value"},
    "ind.mode_yoy": {"vi": "So với cùng kỳ", "en": "Vs same period last year"},
    "ind.comparable": {"vi": "Chuỗi so sánh được theo 34 tỉnh, thành phố hiện nay",
                       "en": "Comparable series on today's 34 provinces"},
    "ind.comparable_label": {"vi": "Địa giới", "en": "Boundaries"},
    "ind.comparable_note": {
        "vi": "Số liệu trước 01/07/2025 của các tỉnh, thành phố sáp nhập được tính lại theo địa giới hiện nay.",
        "en": "Before 1 July 2025, merged provinces are rebuilt on today's boundaries.",
    },
    "ind.not_comparable": {"vi": "Không so sánh được", "en": "Not comparable"},
    "ind.not_comparable_band": {"vi": "Không so sánh được: {names}", "en": "Not comparable: {names}"},
    "ind.not_comparable_note": {
        "vi": "Không so sánh được trước 01/07/2025: chỉ tiêu này không tính lại được theo địa giới mới.",
        "en": "Not comparable before 1 July 2025: this indicator cannot be rebuilt on the new boundaries.",
    },
    "ind.era_break": {"vi": "Từ 01/07/2025: 34 tỉnh, thành phố", "en": "From 1 July 2025: 34 provinces"},
    "ind.era_note": {
        "vi": "Địa giới thay đổi từ 01/07/2025: tỉnh, thành phố và vùng trước và sau mốc này là các chuỗi riêng.",
        "en": "Boundaries changed on 1 July 2025: provinces and regions before and after are separate series.",
    },
    "ind.trend_title": {"vi": "Diễn biến theo kỳ", "en": "Over time"},
    "ind.yoy_title": {"vi": "Thay đổi so với cùng kỳ năm trước", "en": "Change on the same period last year"},
    "ind.target_year": {"vi": "Kế hoạch {year}", "en": "{year} target"},
    "ind.target_line": {"vi": "Kế hoạch năm", "en": "Annual target"},
    "ind.breakdown_regions": {"vi": "Theo vùng · {period}", "en": "By region · {period}"},
    "ind.breakdown_provinces": {"vi": "Các tỉnh, thành phố · {region} · {period}", "en": "Provinces · {region} · {period}"},
    "ind.breakdown_hint": {"vi": "Chọn tên một địa bàn để xem chi tiết", "en": "Select an area's name to look closer"},
    "ind.national_only": {"vi": "Chỉ tiêu này chỉ có số liệu cấp quốc gia", "en": "This indicator is reported nationally only"},
    "ind.incomplete": {"vi": "Chưa đủ báo cáo: {n}/{total} tỉnh", "en": "Incomplete: {n} of {total} provinces"},
    "ind.table_title": {"vi": "Bảng số liệu", "en": "Data table"},
    "ind.meta_title": {"vi": "Thông tin chỉ tiêu", "en": "About this indicator"},
    "ind.formula": {"vi": "Công thức", "en": "Formula"},
    "ind.computed_note": {"vi": "Hệ thống tự tính theo công thức từ các chỉ tiêu đầu vào ở từng cấp (cả nước, vùng, "
                                "tỉnh); đơn vị không báo cáo chỉ tiêu này.",
                          "en": "The system calculates it by the formula from its inputs at each level (nation, "
                                "region, province); no unit reports it."},
    "ind.code": {"vi": "Mã chỉ tiêu", "en": "Code"},
    "ind.group": {"vi": "Nhóm chỉ tiêu", "en": "Group"},
    "ind.definition": {"vi": "Khái niệm, phương pháp tính", "en": "Definition"},
    "ind.unit": {"vi": "Đơn vị tính", "en": "Unit"},
    "ind.periodicity": {"vi": "Kỳ báo cáo", "en": "Periodicity"},
    "ind.agency": {"vi": "Cơ quan chịu trách nhiệm", "en": "Responsible agency"},
    "ind.levels": {"vi": "Cấp số liệu", "en": "Levels"},
    "ind.regimes": {"vi": "Chế độ báo cáo", "en": "Report regimes"},
    "ind.regime_deadline": {"vi": "hạn gửi ngày {day} tháng cuối kỳ", "en": "due on day {day} of the period's last month"},
    "ind.no_regime": {"vi": "Chưa gắn với chế độ báo cáo nào", "en": "Not carried by any report regime"},
    "ind.last_update": {"vi": "Cập nhật lần cuối", "en": "Last updated"},
    "ind.coverage": {"vi": "Số liệu có từ", "en": "Data from"},
    "ind.coverage_range": {"vi": "{first} đến {last}", "en": "{first} to {last}"},
    "ind.revisions": {"vi": "Lịch sử điều chỉnh", "en": "Revision history"},
    "ind.revisions_area": {"vi": "Lịch sử điều chỉnh · {area}", "en": "Revision history · {area}"},
    "ind.no_revisions": {"vi": "Chưa có lần điều chỉnh nào", "en": "No revisions"},
    "ind.revision_n": {"vi": "Lần {n}", "en": "Revision {n}"},
    "ind.original": {"vi": "Số ban đầu", "en": "Original"},
    "ind.periodicity_D": {"vi": "Hằng ngày", "en": "Daily"},
    "ind.periodicity_M": {"vi": "Hằng tháng", "en": "Monthly"},
    "ind.periodicity_Q": {"vi": "Hằng quý", "en": "Quarterly"},
    "ind.periodicity_S": {"vi": "6 tháng", "en": "Half-yearly"},
    "ind.periodicity_Y": {"vi": "Hằng năm", "en": "Annual"},
    "ind.level_nation": {"vi": "cả nước", "en": "nation"},
    "ind.level_region": {"vi": "vùng", "en": "regions"},
    "ind.level_province": {"vi": "tỉnh, thành phố", "en": "provinces"},
    "ind.focus": {"vi": "Địa bàn đang xem", "en": "Area in focus"},
    "ind.latest": {"vi": "Kỳ mới nhất", "en": "Latest"},
    "ind.ytd_M": {"vi": "Lũy kế {n} tháng năm {year}", "en": "{year} to date ({n} months)"},
    "ind.ytd_Q": {"vi": "Lũy kế {n} quý năm {year}", "en": "{year} to date ({n} quarters)"},
    "ind.ytd_S": {"vi": "Lũy kế {n} kỳ 6 tháng năm {year}", "en": "{year} to date ({n} half-years)"},
    "ind.ytd_share": {"vi": "bằng {share} kế hoạch năm ({target})", "en": "{share} of the annual target ({target})"},
    "ind.target_of_year": {"vi": "Kế hoạch năm {year}", "en": "Target for {year}"},
    "ind.regional_aggregate": {"vi": "Tổng hợp từ số liệu các tỉnh, thành phố", "en": "Aggregated from the provinces"},
    "ind.col_period": {"vi": "Kỳ", "en": "Period"},
    "ind.col_area": {"vi": "Địa bàn", "en": "Area"},
    "ind.col_value": {"vi": "Giá trị", "en": "Value"},
    "ind.col_last_year": {"vi": "Cùng kỳ năm trước", "en": "Same period last year"},
    "ind.col_change": {"vi": "Thay đổi", "en": "Change"},
    "ind.col_status": {"vi": "Tình trạng số liệu", "en": "Data status"},
    "ind.col_revision": {"vi": "Lần điều chỉnh", "en": "Revision"},
    "ind.col_recorded": {"vi": "Ngày ghi nhận", "en": "Recorded"},
    "ind.obs_O": {"vi": "Chính thức", "en": "Official"},
    "ind.obs_P": {"vi": "Sơ bộ", "en": "Provisional"},
    "ind.obs_E": {"vi": "Ước tính", "en": "Estimated"},
    "ind.obs_rebuilt": {"vi": "Tính lại theo địa giới mới", "en": "Rebuilt on new boundaries"},
    "ind.obs_aggregate": {"vi": "Tổng hợp từ tỉnh", "en": "Aggregated"},
    "ind.obs_incomplete": {"vi": "Tổng hợp, chưa đủ tỉnh", "en": "Aggregated, incomplete"},
    "ind.provisional_legend": {"vi": "Điểm rỗng: số liệu sơ bộ", "en": "Hollow markers: provisional"},
    # --- sectors board (dashboards/sectors.py) ---
    "sec.lede": {
        "vi": "Các chỉ tiêu theo nhóm của Quyết định 293/QĐ-TTg hoặc theo bộ, ngành chịu trách nhiệm: diễn biến và mức độ đạt kế hoạch.",
        "en": "Indicators by Decision 293 group or by responsible ministry: how they move and how they stand against the plan.",
    },
    "sec.by": {"vi": "Xem theo", "en": "View by"},
    "sec.by_group": {"vi": "Nhóm chỉ tiêu", "en": "Indicator group"},
    "sec.by_agency": {"vi": "Bộ, ngành", "en": "Ministry or agency"},
    "sec.group": {"vi": "Nhóm chỉ tiêu (Quyết định 293)", "en": "Indicator group (Decision 293)"},
    "sec.agency": {"vi": "Bộ, cơ quan ngang bộ", "en": "Ministry or agency"},
    "sec.count": {"vi": "{n} chỉ tiêu", "en": "{n} indicators"},
    "sec.board_title": {"vi": "Diễn biến các kỳ gần nhất", "en": "Recent periods"},
    "sec.table_title": {"vi": "Bảng tổng hợp", "en": "Summary table"},
    "sec.empty": {"vi": "Chưa có chỉ tiêu nào trong lựa chọn này", "en": "No indicator in this selection"},
    "sec.open": {"vi": "xem chi tiết", "en": "open details"},
    "sec.no_change": {"vi": "Chưa có số liệu cùng kỳ", "en": "No figure for last year"},
    "sec.ytd_share": {"vi": "lũy kế đạt {share} KH năm", "en": "year to date {share} of target"},
    "sec.col_name": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "sec.col_value": {"vi": "Kỳ mới nhất", "en": "Latest value"},
    "sec.col_unit": {"vi": "Đơn vị", "en": "Unit"},
    "sec.col_period": {"vi": "Kỳ", "en": "Period"},
    "sec.col_change": {"vi": "So với cùng kỳ", "en": "Vs last year"},
    "sec.col_status": {"vi": "Đánh giá", "en": "Status"},
    "sec.col_agency": {"vi": "Cơ quan", "en": "Agency"},
    "sec.col_marks": {"vi": "Ghi chú", "en": "Notes"},
    "sec.legend": {"vi": "Đánh giá so với kế hoạch năm", "en": "Against the annual target"},
    # --- provinces board, province profile and the map (dashboards/provinces.py, dashboards/province.py,
    # components/mapfig.py) ---
    "prov.lede": {
        "vi": "Số liệu các tỉnh, thành phố trên bản đồ, xếp hạng và tổng hợp theo vùng. Chọn một tỉnh, thành phố để xem hồ sơ.",
        "en": "Provincial figures on the map, ranked and aggregated by region. Choose a province to open its profile.",
    },
    "prov.you_are_here": {"vi": "Vị trí", "en": "You are here"},
    "prov.indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "prov.period": {"vi": "Kỳ số liệu", "en": "Period"},
    "prov.region": {"vi": "Vùng", "en": "Region"},
    "prov.all_regions": {"vi": "Cả nước (tất cả các vùng)", "en": "Whole country (all regions)"},
    "prov.goto": {"vi": "Hồ sơ tỉnh, thành phố", "en": "Province profile"},
    "prov.goto_placeholder": {"vi": "Chọn để mở hồ sơ", "en": "Choose to open"},
    "prov.no_indicator": {"vi": "Chưa có chỉ tiêu nào có số liệu cấp tỉnh", "en": "No indicator has provincial data"},
    "prov.era_63": {"vi": "Địa giới trước 01/07/2025 (63 tỉnh, thành phố)", "en": "Boundaries before 1 July 2025 (63 provinces)"},
    "prov.era_34": {"vi": "Địa giới từ 01/07/2025 (34 tỉnh, thành phố)", "en": "Boundaries from 1 July 2025 (34 provinces)"},
    "prov.reported": {"vi": "{n}/{total} tỉnh, thành phố đã báo cáo", "en": "{n} of {total} provinces reported"},
    "prov.map_hint": {
        "vi": "Nhấn vào một tỉnh, thành phố trên bản đồ hoặc trên biểu đồ xếp hạng để xem hồ sơ; chọn một vùng để phóng to.",
        "en": "Click a province on the map or in the ranking to open its profile; choose a region to zoom in.",
    },
    "prov.ranking_title": {"vi": "Xếp hạng", "en": "Ranking"},
    "prov.best_high": {"vi": "Cao nhất ở trên", "en": "Highest first"},
    "prov.best_low": {"vi": "Thấp nhất ở trên (thấp hơn là tốt hơn)", "en": "Lowest first (lower is better)"},
    "prov.not_reported": {"vi": "Chưa báo cáo: {names}", "en": "Not reported: {names}"},
    "prov.regions_title": {"vi": "Cả nước và các vùng", "en": "Nation and regions"},
    "prov.col_area": {"vi": "Địa bàn", "en": "Area"},
    "prov.col_value": {"vi": "Giá trị", "en": "Value"},
    "prov.col_reported": {"vi": "Đã báo cáo", "en": "Reported"},
    "prov.incomplete": {"vi": "chưa đủ số liệu", "en": "incomplete"},
    "prov.incomplete_note": {
        "vi": "Số liệu vùng tổng hợp từ các tỉnh, thành phố đã báo cáo; vùng chưa đủ số liệu chỉ có giá trị tham khảo.",
        "en": "Regional figures are aggregated from the provinces that reported; incomplete ones are indicative only.",
    },
    "prov.no_regional": {"vi": "Chỉ tiêu này không tổng hợp theo vùng", "en": "This indicator is not aggregated by region"},
    "prov.zoom_region": {"vi": "Phóng to vùng {name} trên bản đồ", "en": "Zoom the map to {name}"},
    "prov.not_found": {"vi": "Không tìm thấy tỉnh, thành phố", "en": "Province not found"},
    "prov.not_found_detail": {
        "vi": "«{which}» không phải là mã của một tỉnh, thành phố trong danh mục.",
        "en": "«{which}» is not the key of a province in the catalogue.",
    },
    "prov.back": {"vi": "Về trang Địa phương", "en": "Back to Provinces"},
    "prov.code": {"vi": "Mã", "en": "Code"},
    "prov.valid_from": {"vi": "hiệu lực từ {date}", "en": "in force from {date}"},
    "prov.valid_to": {"vi": "hiệu lực đến {date}", "en": "in force until {date}"},
    "prov.kept": {
        "vi": "Giữ nguyên địa giới khi sắp xếp đơn vị hành chính cấp tỉnh từ {date}",
        "en": "Boundaries unchanged by the reorganisation of provinces on {date}",
    },
    "prov.merged_into": {"vi": "Đã sáp nhập vào {name} từ {date}", "en": "Merged into {name} on {date}"},
    "prov.formed_from": {"vi": "Hợp nhất từ {names} (từ {date})", "en": "Formed from {names} on {date}"},
    "prov.region_before": {"vi": "trước 01/07/2025: {name}", "en": "before 1 July 2025: {name}"},
    "prov.tiles_title": {"vi": "Chỉ tiêu chủ yếu", "en": "Headline indicators"},
    "prov.table_title": {"vi": "Các chỉ tiêu so với vùng và cả nước", "en": "All indicators against the region and the nation"},
    "prov.table_note": {
        "vi": "Kỳ mới nhất có số liệu của tỉnh, thành phố; xếp hạng trong các tỉnh, thành phố cùng kỳ (1 là tốt nhất theo chiều của chỉ tiêu).",
        "en": "The province's latest period; rank among the provinces in that period (1 is best by the indicator's direction).",
    },
    "prov.table_search": {"vi": "Tìm chỉ tiêu", "en": "Find an indicator"},
    "prov.col_indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "prov.col_unit": {"vi": "Đơn vị tính", "en": "Unit"},
    "prov.col_period": {"vi": "Kỳ", "en": "Period"},
    "prov.col_region": {"vi": "Vùng", "en": "Region"},
    "prov.col_nation": {"vi": "Cả nước", "en": "Nation"},
    "prov.col_rank": {"vi": "Xếp hạng", "en": "Rank"},
    "prov.col_change": {"vi": "So với cùng kỳ", "en": "Vs last year"},
    "prov.incomplete_mark": {"vi": "* Vùng chưa đủ số liệu các tỉnh, thành phố", "en": "* Not all provinces of the region reported"},
    "prov.rebuilt_note": {
        "vi": "¹ Cùng kỳ năm trước tính lại từ các tỉnh cũ theo địa giới hiện nay",
        "en": "¹ Last year rebuilt from the former provinces on today's boundaries",
    },
    "prov.trends_title": {"vi": "Diễn biến các chỉ tiêu chủ yếu", "en": "Headline indicators over time"},
    "prov.comparable": {
        "vi": "Chuỗi so sánh được (trước 01/07/2025 tính lại theo địa giới hiện nay)",
        "en": "Comparable series (before 1 July 2025 rebuilt on today's boundaries)",
    },
    "prov.comparable_note": {
        "vi": "Số liệu trước 01/07/2025 được tính lại từ các tỉnh cũ; chỉ tiêu không tính lại được thì để trống.",
        "en": "Figures before 1 July 2025 are rebuilt from the former provinces; indicators that cannot be rebuilt are left blank.",
    },
    "prov.comparable_hint": {
        "vi": "Tỉnh, thành phố hình thành từ 01/07/2025: chọn «Chuỗi so sánh được» để xem các kỳ trước.",
        "en": "This province was formed on 1 July 2025: choose «Comparable series» to see earlier periods.",
    },
    "prov.former_note": {
        "vi": "Số liệu đến {date}, trước khi sáp nhập.",
        "en": "Figures up to {date}, before the merger.",
    },
    "map.no_report": {"vi": "Chưa báo cáo", "en": "No report"},
    "map.rank": {"vi": "Xếp hạng {rank}/{total}", "en": "Rank {rank} of {total}"},
    "map.hoang_sa": {"vi": "Quần đảo Hoàng Sa", "en": "Hoang Sa (Paracel) Islands"},
    "map.truong_sa": {"vi": "Quần đảo Trường Sa", "en": "Truong Sa (Spratly) Islands"},
    "map.load_error": {"vi": "Không tải được bản đồ. Vui lòng tải lại trang.", "en": "The map could not be loaded. Please reload the page."},
    "map.aria": {
        "vi": "Bản đồ các tỉnh, thành phố tô màu theo giá trị chỉ tiêu, gồm quần đảo Hoàng Sa và quần đảo Trường Sa",
        "en": "Map of the provinces coloured by the indicator's value, including the Hoang Sa and Truong Sa Islands",
    },
    # -- access control (auth package) --
    "auth.signin": {"vi": "Đăng nhập", "en": "Sign in"},
    "auth.signout": {"vi": "Đăng xuất", "en": "Sign out"},
    "auth.username": {"vi": "Tên đăng nhập", "en": "User name"},
    "auth.password": {"vi": "Mật khẩu", "en": "Password"},
    "auth.display_name": {"vi": "Họ tên", "en": "Name"},
    "auth.bad_credentials": {"vi": "Tên đăng nhập hoặc mật khẩu không đúng.", "en": "Wrong user name or password."},
    "auth.throttled": {"vi": "Đăng nhập không thành công quá nhiều lần. Vui lòng chờ {wait} rồi thử lại.",
                       "en": "Too many failed sign-ins. Please wait {wait} and try again."},
    "auth.wait_second": {"vi": "1 giây", "en": "1 second"},
    "auth.wait_seconds": {"vi": "{n} giây", "en": "{n} seconds"},
    "auth.wait_minute": {"vi": "1 phút", "en": "1 minute"},
    "auth.wait_minutes": {"vi": "{n} phút", "en": "{n} minutes"},
    "auth.expired": {"vi": "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.",
                     "en": "Your session has ended. Please sign in again."},
    "auth.forbidden": {"vi": "Không có quyền truy cập", "en": "Access denied"},
    "auth.forbidden_text": {"vi": "Tài khoản của bạn không được mở trang hoặc chức năng này.",
                            "en": "Your account may not open this page or use this function."},
    "auth.home": {"vi": "Trang chính", "en": "Home"},
    "auth.account": {"vi": "Tài khoản", "en": "Account"},
    "auth.role": {"vi": "Vai trò", "en": "Role"},
    "auth.unit": {"vi": "Đơn vị", "en": "Unit"},
    "auth.email": {"vi": "Địa chỉ e-mail", "en": "E-mail address"},
    "auth.clearance": {"vi": "Phạm vi số liệu", "en": "Data clearance"},
    "auth.clearance.all": {"vi": "Kể cả chỉ tiêu mật", "en": "Confidential indicators included"},
    "auth.clearance.admin": {"vi": "Kể cả chỉ tiêu mật và chỉ tiêu dự thảo",
                             "en": "Confidential and draft indicators included"},
    "auth.clearance.public": {"vi": "Không gồm chỉ tiêu mật", "en": "Confidential indicators excluded"},
    "auth.role.admin": {"vi": "Quản trị hệ thống", "en": "Administrator"},
    "auth.role.leader": {"vi": "Lãnh đạo", "en": "Leader"},
    "auth.role.analyst": {"vi": "Chuyên viên phân tích", "en": "Analyst"},
    "auth.role.reporter": {"vi": "Cán bộ báo cáo", "en": "Reporting officer"},
    "auth.role.display": {"vi": "Màn hình điều hành", "en": "Wall display"},
    "auth.role.unit-token": {"vi": "Hệ thống của đơn vị", "en": "Unit system"},
    "auth.change_password": {"vi": "Đổi mật khẩu", "en": "Change password"},
    "auth.current_password": {"vi": "Mật khẩu hiện tại", "en": "Current password"},
    "auth.new_password": {"vi": "Mật khẩu mới (ít nhất 10 ký tự)", "en": "New password (at least 10 characters)"},
    "auth.again_password": {"vi": "Nhập lại mật khẩu mới", "en": "New password again"},
    "auth.bad_current": {"vi": "Mật khẩu hiện tại không đúng.", "en": "The current password is wrong."},
    "auth.mismatch": {"vi": "Hai lần nhập mật khẩu mới không khớp.", "en": "The two new passwords differ."},
    "auth.password_changed": {"vi": "Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc.",
                              "en": "Password changed. Your other sessions have ended."},
    "admin.users": {"vi": "Người dùng", "en": "Users"},
    "admin.audit": {"vi": "Nhật ký hệ thống", "en": "Audit log"},
    "admin.actor": {"vi": "Người thực hiện", "en": "Actor"},
    "admin.action": {"vi": "Thao tác", "en": "Action"},
    "admin.any": {"vi": "Tất cả", "en": "Any"},
    "admin.since": {"vi": "Từ ngày", "en": "From"},
    "admin.until": {"vi": "Đến ngày", "en": "To"},
    "admin.text": {"vi": "Nội dung", "en": "Text"},
    "admin.search": {"vi": "Tìm kiếm", "en": "Search"},
    "admin.found": {"vi": "{n} bản ghi", "en": "{n} entries"},
    "admin.at": {"vi": "Thời điểm", "en": "Time"},
    "admin.target": {"vi": "Đối tượng", "en": "Target"},
    "admin.detail": {"vi": "Chi tiết", "en": "Detail"},
    "admin.none": {"vi": "Không có bản ghi phù hợp", "en": "No matching entries"},
    "admin.prev": {"vi": "Trang trước", "en": "Previous"},
    "admin.next": {"vi": "Trang sau", "en": "Next"},
    "admin.page": {"vi": "Trang {page}/{pages}", "en": "Page {page} of {pages}"},
    "admin.confidential": {"vi": "Được xem chỉ tiêu mật", "en": "Confidential grant"},
    "admin.active": {"vi": "Đang hoạt động", "en": "Active"},
    "admin.last_sign_in": {"vi": "Đăng nhập gần nhất", "en": "Last sign-in"},
    "admin.save": {"vi": "Lưu", "en": "Save"},
    "admin.new_user": {"vi": "Thêm người dùng", "en": "New user"},
    "admin.create": {"vi": "Thêm", "en": "Create"},
    "admin.reset_password": {"vi": "Đặt lại mật khẩu", "en": "Reset a password"},
    "admin.user_created": {"vi": "Đã thêm người dùng {name}.", "en": "User {name} created."},
    "admin.user_updated": {"vi": "Đã cập nhật người dùng {name}.", "en": "User {name} updated."},
    "admin.user_password": {"vi": "Đã đặt lại mật khẩu của {name}.", "en": "Password of {name} reset."},
    # admin: tokens (auth/admin_views.py)
    "admin.tokens": {"vi": "Mã truy cập", "en": "Tokens"},
    "admin.state": {"vi": "Trạng thái", "en": "State"},
    "admin.tokens_lede": {
        "vi": "Mã truy cập chỉ hiển thị một lần khi cấp và được lưu dưới dạng băm; mã bị thu hồi bị từ chối ngay từ yêu cầu tiếp theo.",
        "en": "A token is shown once, when created, and stored hashed; a revoked token is refused from the next request on.",
    },
    "admin.api_tokens": {"vi": "Mã truy cập API của đơn vị báo cáo", "en": "API tokens of reporting units"},
    "admin.display_tokens": {"vi": "Mã màn hình điều hành", "en": "Wall display tokens"},
    "admin.label": {"vi": "Nhãn", "en": "Label"},
    "admin.display_label": {"vi": "Nhãn (nơi đặt màn hình)", "en": "Label (where the wall is)"},
    "admin.created": {"vi": "Ngày cấp", "en": "Created"},
    "admin.expires": {"vi": "Hết hạn", "en": "Expires"},
    "admin.no_expiry": {"vi": "Không hết hạn", "en": "No expiry"},
    "admin.last_used": {"vi": "Dùng gần nhất", "en": "Last used"},
    "admin.token_state.active": {"vi": "Đang dùng", "en": "Active"},
    "admin.token_state.revoked": {"vi": "Đã thu hồi", "en": "Revoked"},
    "admin.token_state.expired": {"vi": "Hết hạn", "en": "Expired"},
    "admin.revoke": {"vi": "Thu hồi", "en": "Revoke"},
    "admin.days": {"vi": "Số ngày hiệu lực (0: không hết hạn)", "en": "Days valid (0: no expiry)"},
    "admin.new_api_token": {"vi": "Cấp mã truy cập API", "en": "New API token"},
    "admin.new_display_token": {"vi": "Cấp mã màn hình điều hành", "en": "New wall display token"},
    "admin.create_token": {"vi": "Cấp mã", "en": "Create token"},
    "admin.token_created": {"vi": "Đã cấp mã truy cập số {id}", "en": "Token {id} created"},
    "admin.secret": {"vi": "Mã truy cập", "en": "Token"},
    "admin.secret_once": {
        "vi": "Mã chỉ hiển thị một lần, ngay bây giờ. Hãy sao chép và lưu giữ an toàn: hệ thống chỉ lưu giá trị băm, không thể hiển thị lại.",
        "en": "The token is shown once, now. Copy it and keep it safe: only its hash is stored, it cannot be shown again.",
    },
    "admin.wall_url": {"vi": "Địa chỉ mở trên màn hình điều hành", "en": "Address to open on the wall"},
    "admin.api_token_use": {"vi": "Hệ thống của đơn vị gửi kèm tiêu đề Authorization: Bearer <mã truy cập>.",
                            "en": "The unit's system sends the header Authorization: Bearer <token>."},
    "admin.token_revoked": {"vi": "Đã thu hồi mã số {id}; mã bị từ chối từ yêu cầu tiếp theo.",
                            "en": "Token {id} revoked; it is refused from the next request on."},
    "admin.back_to_tokens": {"vi": "Về danh sách mã truy cập", "en": "Back to the tokens"},
    # -- exports and the briefing pack (exports/, exports/menu.py, dashboards/briefing.py) --
    "nav.briefing": {"vi": "Bộ tài liệu", "en": "Briefing pack"},
    "exp.download": {"vi": "Tải xuống", "en": "Download"},
    "exp.menu_label": {"vi": "Tải xuống hoặc thêm vào bộ tài liệu: {title}",
                       "en": "Download or add to the briefing pack: {title}"},
    "exp.fmt.png": {"vi": "Ảnh PNG", "en": "PNG image"},
    "exp.fmt.svg": {"vi": "Ảnh SVG", "en": "SVG image"},
    "exp.fmt.pdf": {"vi": "PDF", "en": "PDF"},
    "exp.fmt.csv": {"vi": "Dữ liệu CSV", "en": "CSV data"},
    "exp.fmt.xlsx": {"vi": "Dữ liệu Excel (XLSX)", "en": "Excel data (XLSX)"},
    "exp.add": {"vi": "Thêm vào bộ tài liệu", "en": "Add to briefing pack"},
    "exp.added": {"vi": "Đã thêm vào bộ tài liệu ({n} biểu đồ)", "en": "Added to the briefing pack ({n} charts)"},
    "exp.already": {"vi": "Đã có trong bộ tài liệu ({n} biểu đồ)", "en": "Already in the briefing pack ({n} charts)"},
    "exp.take_page": {"vi": "Thêm cả trang vào bộ tài liệu", "en": "Add this page to the briefing pack"},
    "exp.took_page": {"vi": "Đã thêm {added} biểu đồ ({n} biểu đồ trong bộ tài liệu)",
                      "en": "Added {added} charts ({n} in the briefing pack)"},
    "exp.open_pack": {"vi": "Mở bộ tài liệu", "en": "Open the briefing pack"},
    "exp.unit": {"vi": "Đơn vị tính: {unit}", "en": "Unit: {unit}"},
    "exp.period": {"vi": "Kỳ: {period}", "en": "Period: {period}"},
    "exp.area": {"vi": "Địa bàn: {area}", "en": "Area: {area}"},
    "exp.source": {"vi": "Nguồn: {source}", "en": "Source: {source}"},
    "exp.source.many": {"vi": "Các bộ, ngành (theo từng chỉ tiêu)", "en": "Ministries and agencies (per indicator)"},
    "exp.range": {"vi": "{first} – {last}", "en": "{first} – {last}"},
    "exp.pp": {"vi": "điểm %", "en": "pp"},
    "exp.yes": {"vi": "Có", "en": "Yes"},
    "exp.no": {"vi": "Không", "en": "No"},
    "exp.level.province": {"vi": "các tỉnh, thành phố", "en": "provinces"},
    "exp.level.region": {"vi": "các vùng", "en": "regions"},
    "exp.area.all_province": {"vi": "Các tỉnh, thành phố", "en": "All provinces"},
    "exp.area.all_region": {"vi": "Các vùng kinh tế - xã hội", "en": "All socio-economic regions"},
    "exp.status.official": {"vi": "Chính thức", "en": "Official"},
    "exp.status.estimated": {"vi": "Ước tính", "en": "Estimated"},
    "exp.title.trend_yoy": {"vi": "{name}: thay đổi so với cùng kỳ năm trước",
                            "en": "{name}: change on the same period last year"},
    "exp.title.ranking": {"vi": "{name}: xếp hạng {level}", "en": "{name}: {level} ranked"},
    "exp.title.regional": {"vi": "{name} theo vùng", "en": "{name} by region"},
    "exp.title.map": {"vi": "{name}: bản đồ các tỉnh, thành phố", "en": "{name}: map of the provinces"},
    "exp.title.kpi": {"vi": "Các chỉ tiêu chủ yếu", "en": "Headline indicators"},
    "exp.title.kpi_selected": {"vi": "Các chỉ tiêu được chọn", "en": "Selected indicators"},
    "exp.title.kpi_agency": {"vi": "Các chỉ tiêu do {agency} chịu trách nhiệm", "en": "Indicators of the {agency}"},
    "exp.title.daily": {"vi": "Chỉ tiêu hằng ngày", "en": "Daily indicators"},
    "exp.period.latest_each": {"vi": "kỳ mới nhất của từng chỉ tiêu", "en": "latest period of each indicator"},
    "exp.note.provisional": {"vi": "Số liệu sơ bộ: một số giá trị là số liệu sơ bộ, có thể được điều chỉnh.",
                             "en": "Provisional: some values are provisional and may be revised."},
    "exp.note.revised": {"vi": "Có giá trị đã điều chỉnh so với số liệu báo cáo lần đầu.",
                         "en": "Some values were revised since first reported."},
    "exp.note.not_reported": {"vi": "Chưa báo cáo: {n}/{total} địa bàn.", "en": "Not reported: {n} of {total} areas."},
    "exp.note.incomplete": {
        "vi": "Số liệu vùng tổng hợp từ các tỉnh, thành phố đã báo cáo; cột nhạt: vùng chưa đủ số liệu, chỉ có giá trị tham khảo.",
        "en": "Regional figures are aggregated from the provinces that reported; pale bars: incomplete regions, indicative only.",
    },
    "exp.note.era": {"vi": "Địa giới thay đổi từ 01/07/2025: số liệu trước và sau mốc này là các chuỗi riêng.",
                     "en": "Boundaries changed on 1 July 2025: figures before and after are separate series."},
    "exp.note.comparable": {"vi": "Chuỗi so sánh được: số liệu trước 01/07/2025 tính lại theo địa giới hiện nay.",
                            "en": "Comparable series: figures before 1 July 2025 rebuilt on today's boundaries."},
    "exp.note.target_rule": {
        "vi": "Đánh giá so với kế hoạch năm: chỉ tiêu dòng (lũy kế) so với kế hoạch tính theo tỷ lệ thời gian đã qua.",
        "en": "Status against the annual target: flows (year to date) are compared with the target pro rata.",
    },
    "exp.sheet.data": {"vi": "Dữ liệu", "en": "Data"},
    "exp.sheet.meta": {"vi": "Thông tin", "en": "About"},
    "exp.meta.title": {"vi": "Biểu đồ", "en": "Chart"},
    "exp.meta.indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "exp.meta.definition": {"vi": "Khái niệm, phương pháp tính", "en": "Definition"},
    "exp.meta.unit": {"vi": "Đơn vị tính", "en": "Unit"},
    "exp.meta.source": {"vi": "Nguồn số liệu", "en": "Source"},
    "exp.meta.period": {"vi": "Kỳ số liệu", "en": "Period"},
    "exp.meta.area": {"vi": "Địa bàn", "en": "Area"},
    "exp.meta.as_of": {"vi": "Số liệu cập nhật", "en": "Data as of"},
    "exp.meta.notes": {"vi": "Ghi chú", "en": "Notes"},
    "exp.meta.many": {"vi": "Nhiều chỉ tiêu: xem từng dòng của bảng dữ liệu", "en": "Several indicators: see each row of the data"},
    "exp.meta.status_codes": {"vi": "Mã tình trạng số liệu", "en": "Data status codes"},
    "exp.meta.status_legend": {"vi": "O: chính thức · P: sơ bộ · E: ước tính", "en": "O: official · P: provisional · E: estimated"},
    "exp.meta.exported": {"vi": "Thời điểm xuất", "en": "Exported"},
    "exp.meta.spec": {"vi": "Tham số biểu đồ", "en": "Chart parameters"},
    "exp.col.area_key": {"vi": "Mã địa bàn", "en": "Area key"},
    "exp.col.area_name": {"vi": "Địa bàn", "en": "Area"},
    "exp.col.period": {"vi": "Kỳ", "en": "Period"},
    "exp.col.period_label": {"vi": "Tên kỳ", "en": "Period label"},
    "exp.col.period_start": {"vi": "Ngày đầu kỳ", "en": "Period start"},
    "exp.col.value": {"vi": "Giá trị", "en": "Value"},
    "exp.col.status": {"vi": "Tình trạng số liệu", "en": "Data status"},
    "exp.col.revision": {"vi": "Lần điều chỉnh", "en": "Revision"},
    "exp.col.flag": {"vi": "Đánh dấu", "en": "Flag"},
    "exp.col.complete": {"vi": "Đủ số liệu", "en": "Complete"},
    "exp.col.comparable": {"vi": "So sánh được", "en": "Comparable"},
    "exp.col.rebuilt": {"vi": "Tính lại theo địa giới mới", "en": "Rebuilt"},
    "exp.col.last_year_value": {"vi": "Cùng kỳ năm trước", "en": "Same period last year"},
    "exp.col.change": {"vi": "Thay đổi so với cùng kỳ", "en": "Change on last year"},
    "exp.col.change_pct": {"vi": "Thay đổi so với cùng kỳ (%)", "en": "Change on last year (%)"},
    "exp.col.code": {"vi": "Mã", "en": "Code"},
    "exp.col.name": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "exp.col.name_vi": {"vi": "Tên", "en": "Name (Vietnamese)"},
    "exp.col.name_en": {"vi": "Tên tiếng Anh", "en": "Name"},
    "exp.col.region_key": {"vi": "Vùng", "en": "Region"},
    "exp.col.recorded_at": {"vi": "Thời điểm ghi nhận", "en": "Recorded at"},
    "exp.col.rank": {"vi": "Xếp hạng", "en": "Rank"},
    "exp.col.n_provinces": {"vi": "Số tỉnh, thành phố", "en": "Provinces"},
    "exp.col.n_reported": {"vi": "Số tỉnh, thành phố đã báo cáo", "en": "Provinces reported"},
    "exp.col.unit": {"vi": "Đơn vị tính", "en": "Unit"},
    "exp.col.unit_vi": {"vi": "Đơn vị tính", "en": "Unit (Vietnamese)"},
    "exp.col.unit_en": {"vi": "Đơn vị tính tiếng Anh", "en": "Unit"},
    "exp.col.decimals": {"vi": "Số chữ số thập phân", "en": "Decimals"},
    "exp.col.direction": {"vi": "Chiều tốt", "en": "Better when"},
    "exp.col.day": {"vi": "Ngày", "en": "Day"},
    "exp.col.previous_day": {"vi": "Ngày hôm trước", "en": "Day before"},
    "exp.col.change_day": {"vi": "Thay đổi so với hôm trước", "en": "Change on the day before"},
    "exp.col.pct_day": {"vi": "Thay đổi so với hôm trước (%)", "en": "Change on the day before (%)"},
    "exp.col.week_ago": {"vi": "7 ngày trước", "en": "A week before"},
    "exp.col.change_week": {"vi": "Thay đổi so với 7 ngày trước", "en": "Change on a week before"},
    "exp.col.pct_week": {"vi": "Thay đổi so với 7 ngày trước (%)", "en": "Change on a week before (%)"},
    "exp.col.revised": {"vi": "Đã điều chỉnh", "en": "Revised"},
    "exp.col.flagged": {"vi": "Cần rà soát", "en": "Under review"},
    "exp.col.previous_period": {"vi": "Kỳ trước", "en": "Previous period"},
    "exp.col.previous_value": {"vi": "Giá trị kỳ trước", "en": "Previous value"},
    "exp.col.change_previous": {"vi": "Thay đổi so với kỳ trước", "en": "Change on previous period"},
    "exp.col.pct_previous": {"vi": "Thay đổi so với kỳ trước (%)", "en": "Change on previous period (%)"},
    "exp.col.last_year_period": {"vi": "Cùng kỳ năm trước (kỳ)", "en": "Same period last year (key)"},
    "exp.col.change_last_year": {"vi": "Thay đổi so với cùng kỳ", "en": "Change on last year"},
    "exp.col.pct_last_year": {"vi": "Thay đổi so với cùng kỳ (%)", "en": "Change on last year (%)"},
    "exp.col.ytd": {"vi": "Lũy kế từ đầu năm", "en": "Year to date"},
    "exp.col.ytd_last_year": {"vi": "Lũy kế cùng kỳ năm trước", "en": "Year to date, last year"},
    "exp.col.target": {"vi": "Kế hoạch năm", "en": "Annual target"},
    "exp.col.target_max": {"vi": "Kế hoạch năm: cận trên (khoảng)", "en": "Annual target: upper bound (range)"},
    "exp.col.target_comparison": {"vi": "Cách so kế hoạch", "en": "Target comparison"},
    "exp.col.target_source": {"vi": "Căn cứ kế hoạch", "en": "Target source"},
    "exp.col.target_progress": {"vi": "Giá trị so với kế hoạch", "en": "Figure compared with the target"},
    "exp.col.target_status": {"vi": "Đánh giá", "en": "Status"},
    "exp.col.updated_at": {"vi": "Thời điểm cập nhật", "en": "Updated at"},
    "exp.pack.default_title": {"vi": "Bộ tài liệu giao ban", "en": "Briefing pack"},
    "exp.pack.charts": {"vi": "{n} biểu đồ", "en": "{n} charts"},
    "exp.pack.appendix": {"vi": "Phụ lục: bảng số liệu", "en": "Appendix: data tables"},
    "exp.pack.page": {"vi": "Trang", "en": "Page"},
    "brief.lede": {
        "vi": "Bấm «Thêm vào bộ tài liệu» trên biểu đồ ở các trang để đưa vào đây; sắp xếp, đặt tiêu đề rồi tải về "
              "tệp PowerPoint hoặc PDF cho cuộc họp giao ban.",
        "en": "Use «Add to briefing pack» on the charts of any page to collect them here; order them, give the pack a "
              "title and download it as PowerPoint or PDF for the meeting.",
    },
    "brief.title_label": {"vi": "Tiêu đề bộ tài liệu", "en": "Title of the pack"},
    "brief.default_title": {"vi": "Báo cáo giao ban ngày {date}", "en": "Briefing of {date}"},
    "brief.items": {"vi": "Các biểu đồ ({n})", "en": "Charts ({n})"},
    "brief.empty": {
        "vi": "Bộ tài liệu chưa có biểu đồ nào. Mở một trang và bấm «Thêm vào bộ tài liệu» trên biểu đồ cần đưa vào.",
        "en": "The pack is empty. Open a page and use «Add to briefing pack» on the charts you need.",
    },
    "brief.up": {"vi": "Chuyển lên", "en": "Move up"},
    "brief.down": {"vi": "Chuyển xuống", "en": "Move down"},
    "brief.remove": {"vi": "Bỏ khỏi bộ tài liệu", "en": "Remove from the pack"},
    "brief.clear": {"vi": "Xóa hết", "en": "Remove all"},
    "brief.download_pptx": {"vi": "Tải PowerPoint (PPTX)", "en": "Download PowerPoint (PPTX)"},
    "brief.download_pdf": {"vi": "Tải PDF", "en": "Download PDF"},
    "brief.invalid": {"vi": "Không xuất được biểu đồ này: {reason}", "en": "This chart cannot be exported: {reason}"},
    "brief.stored": {
        "vi": "Bộ tài liệu được lưu trên trình duyệt này; số liệu được lấy mới nhất tại thời điểm tải về.",
        "en": "The pack is kept in this browser; figures are read afresh when you download it.",
    },
    "brief.preparing": {"vi": "Đang chuẩn bị tệp, vui lòng chờ…", "en": "Preparing the file, please wait…"},
    "exp.queued": {"vi": "Đang xếp hàng (vị trí {position})…", "en": "Queued (position {position})…"},
    "exp.ready": {"vi": "Tệp đã sẵn sàng, đang tải về…", "en": "The file is ready; downloading…"},
    "exp.failed": {"vi": "Không tạo được tệp. Vui lòng thử lại.", "en": "The file could not be made. Please try again."},
    "exp.busy.user": {
        "vi": "Bạn đang có yêu cầu xuất tệp chờ xử lý. Vui lòng đợi các yêu cầu đó xong rồi thử lại "
              "(sau khoảng {seconds} giây).",
        "en": "You already have exports waiting. Please wait for them to finish, then try again "
              "(in about {seconds} seconds).",
    },
    "exp.busy.all": {
        "vi": "Hệ thống đang xuất nhiều tệp cùng lúc và hàng chờ đã đầy. Vui lòng thử lại sau khoảng {seconds} giây.",
        "en": "The server is exporting many files at once and the queue is full. Please try again in about "
              "{seconds} seconds.",
    },
    # period labels (format_period): a period's parts fill these; {start} is its first day
    "period.D": {"vi": "{start:%d/%m/%Y}", "en": "{start:%d %b %Y}"},
    "period.M": {"vi": "Tháng {index}/{year}", "en": "{start:%b %Y}"},
    "period.Q": {"vi": "Quý {roman}/{year}", "en": "Q{index} {year}"},
    "period.S1": {"vi": "6 tháng đầu năm {year}", "en": "H1 {year}"},
    "period.S2": {"vi": "6 tháng cuối năm {year}", "en": "H2 {year}"},
    "period.Y": {"vi": "Năm {year}", "en": "{year}"},
}
MESSAGES.update(ACCESS_MESSAGES)  # keyboard use and charts' text alternatives (i18n/access.py)
MESSAGES.update(MAPPING_MESSAGES)  # the upload page's mapping step (i18n/mapping.py)
MESSAGES.update(FIRST_RUN_MESSAGES)  # the first-run page (i18n/first_run.py)
MESSAGES.update(METADATA_PAGE_MESSAGES)  # the configuration's admin pages (i18n/metadata_pages.py)
MESSAGES.update(DIRECTION_MESSAGES)  # directions: states, actions, forms, refusals (i18n/directions.py)
MESSAGES.update(ALERTS_MESSAGES)  # the alerts, the notification centre and its pages (i18n/alerts.py)
MESSAGES.update(SUBSCRIPTION_MESSAGES)  # subscriptions, their e-mails and the unsubscribe page (i18n/subscriptions.py)
MESSAGES.update(DIRECTION_SCREEN_MESSAGES)  # the directions' screens (i18n/direction_screens.py)


def t(key: str, lang: str | None = DEFAULT_LANG, **params) -> str:
    """The message ``key`` in ``lang`` (Vietnamese when the language is unknown)."""
    entry = MESSAGES[key]
    text = entry.get(norm_lang(lang)) or entry[DEFAULT_LANG]
    return text.format(**params) if params else text


def dataset_mark(dataset: str | None, lang: str | None = DEFAULT_LANG) -> tuple[str, str]:
    """The mark of the data set a page, wall, export or pack shows, and its note: "Số liệu chính
    thức" with its source for the official statistics (``real``), "Số liệu báo cáo" for a centre's
    own reports (``own``), "Dữ liệu minh họa" otherwise."""
    key = {"real": "app.official", "own": "app.reported"}.get(dataset or "", "app.illustrative")
    return t(key, lang), t(key + "_note", lang)


def fmt_number(value: float | int | None, decimals: int = 1, lang: str | None = DEFAULT_LANG) -> str:
    """``1.234,5`` in Vietnamese, ``1,234.5`` in English; an en dash for a missing value.

    What Babel's ``format_decimal`` with the pattern ``#,##0.0…`` gives (the number as the
    decimal of its ``str``, rounded half to even; the locale's group and decimal symbols; a
    hyphen-minus), in a fifth of the time: a page formats hundreds of numbers. A float other than
    zero (whose sign the memo's key would lose) is written once per process and remembered: the
    same figures are on every board and in every trend's table of values."""
    if value is None or value != value:  # None or NaN
        return "–"
    if type(value) is float and value:
        return _fmt_float(value, decimals, norm_lang(lang))
    return _fmt_decimal(value, decimals, lang)


@functools.lru_cache(maxsize=1 << 15)
def _fmt_float(value: float, decimals: int, lang: str) -> str:
    return _fmt_decimal(value, decimals, lang)


def _fmt_decimal(value: float | int, decimals: int, lang: str | None) -> str:
    d = Decimal(str(value))
    if not d.is_finite():
        return _pattern("#,##0" + ("." + "0" * decimals if decimals > 0 else "")).apply(value, _LOCALE[norm_lang(lang)])
    text = format(abs(d).quantize(_QUANTUM[decimals] if decimals < len(_QUANTUM) else Decimal(10) ** -decimals), ",f")
    return ("-" if d.is_signed() else "") + text.translate(_separators(norm_lang(lang)))


def fmt_significant(value: float, digits: int = 4, lang: str | None = DEFAULT_LANG) -> str:
    """``value`` to ``digits`` significant digits with the locale's symbols (``6,644`` in
    Vietnamese, ``6.644`` in English; ``12.350`` / ``12,350`` for 12,345.6): statistics quoted in
    a message, whose scale is not known in advance."""
    if value != value or value in (float("inf"), float("-inf")):
        return fmt_number(value, 0, lang)
    rounded = Decimal(f"{value:.{digits}g}")  # no exponent in what is shown
    return fmt_number(float(rounded), max(0, -rounded.normalize().as_tuple().exponent), lang)


_QUANTUM = tuple(Decimal(10) ** -n for n in range(7))


@functools.cache
def _separators(lang: str) -> dict[int, str]:
    """``str.translate`` table from Python's ``1,234.5`` to the locale's group and decimal symbols."""
    return {ord(","): get_group_symbol(_LOCALE[lang]), ord("."): get_decimal_symbol(_LOCALE[lang])}


@functools.lru_cache(maxsize=64)
def _pattern(text: str):
    """Babel's parsed number pattern (``format_decimal`` parses its pattern at every call)."""
    return parse_pattern(text)


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
        return format_date(d, format="dd/MM/yyyy", locale=_LOCALE["vi"])
    return format_date(d, format="medium", locale=_LOCALE["en"])


def fmt_datetime(d: datetime | None, lang: str | None = DEFAULT_LANG) -> str:
    if d is None:
        return "–"
    if norm_lang(lang) == "vi":
        return format_datetime(d, format="HH:mm dd/MM/yyyy", locale=_LOCALE["vi"])
    return format_datetime(d, format="MMM d, yyyy HH:mm", locale=_LOCALE["en"])


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def format_period(key: str, lang: str | None = DEFAULT_LANG) -> str:
    """A period key as people write it: ``Tháng 7/2025``, ``Quý III/2025``, ``6 tháng đầu năm 2025``,
    ``14/07/2025``; in English (any language but Vietnamese) ``Jul 2025``, ``Q3 2025``, ``H1 2025``.
    Raises :class:`domain.periods.PeriodError` for what is not a period key."""
    if not isinstance(key, str):
        parse_period(key)  # raises the reason
    return _format_period(key, "vi" if lang == "vi" else "en")


@functools.lru_cache(maxsize=8192)
def _format_period(key: str, lang: str) -> str:
    """:func:`format_period` of a string, remembered: tables and charts label the same periods again
    and again."""
    p = parse_period(key)
    name = f"period.{p.periodicity}{p.index if p.periodicity == 'S' else ''}"
    return t(name, lang, start=p.start, index=p.index, year=p.year, roman=_ROMAN.get(p.index, ""))


def plotly_separators(lang: str | None) -> str:
    """Plotly's ``layout.separators``: decimal then thousands."""
    return ",." if norm_lang(lang) == "vi" else ".,"
