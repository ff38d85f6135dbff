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
    "wall.none_overdue": {"vi": "Không có báo cáo quá hạn", "en": "No overdue reports"},
    "wall.no_alerts": {"vi": "Không có cảnh báo mới", "en": "No new alerts"},
    "wall.connection_lost": {"vi": "Mất kết nối từ {time}", "en": "Connection lost since {time}"},
    "wall.off_track": {"vi": "Không đạt kế hoạch: {name} ({value})", "en": "Off track: {name} ({value})"},
    "wall.overdue_item": {"vi": "Quá hạn báo cáo: {unit} – {report} kỳ {period}",
                          "en": "Overdue: {unit} – {report} for {period}"},
    "wall.units": {"vi": "Bộ, ngành", "en": "Ministries"},
    "wall.provinces": {"vi": "Địa phương", "en": "Provinces"},
    "wall.overall": {"vi": "Toàn bộ", "en": "Overall"},
    "wall.bad_token": {"vi": "Mã hiển thị không hợp lệ hoặc đã bị thu hồi.",
                       "en": "The display token is invalid or has been revoked."},
    "daily.day": {"vi": "Ngày", "en": "Day"},
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
    # --- shared controls and grids (components/controls.py, components/grid.py) ---
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
    "ind.pp": {"vi": "điểm %", "en": "pp"},
    "ind.target_year": {"vi": "Kế hoạch {year}", "en": "{year} target"},
    "ind.target_line": {"vi": "Kế hoạch năm", "en": "Annual target"},
    "ind.breakdown_regions": {"vi": "Theo vùng · {period}", "en": "By region · {period}"},
    "ind.breakdown_provinces": {"vi": "Các tỉnh, thành phố · {region} · {period}", "en": "Provinces · {region} · {period}"},
    "ind.breakdown_hint": {"vi": "Chọn một thanh để xem chi tiết địa bàn", "en": "Select a bar to look closer"},
    "ind.drill_links": {"vi": "Xem chi tiết", "en": "Look closer"},
    "ind.national_only": {"vi": "Chỉ tiêu này chỉ có số liệu cấp quốc gia", "en": "This indicator is reported nationally only"},
    "ind.incomplete": {"vi": "Chưa đủ báo cáo: {n}/{total} tỉnh", "en": "Incomplete: {n} of {total} provinces"},
    "ind.table_title": {"vi": "Bảng số liệu", "en": "Data table"},
    "ind.meta_title": {"vi": "Thông tin chỉ tiêu", "en": "About this indicator"},
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
    "sec.spark_alt": {"vi": "Diễn biến từ {first} ({v0}) đến {last} ({v1})", "en": "From {first} ({v0}) to {last} ({v1})"},
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
    "prov.col_indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "prov.col_unit": {"vi": "Đơn vị tính", "en": "Unit"},
    "prov.col_period": {"vi": "Kỳ", "en": "Period"},
    "prov.col_region": {"vi": "Vùng", "en": "Region"},
    "prov.col_nation": {"vi": "Cả nước", "en": "Nation"},
    "prov.col_rank": {"vi": "Xếp hạng", "en": "Rank"},
    "prov.col_change": {"vi": "So với cùng kỳ", "en": "Vs last year"},
    "prov.pp": {"vi": "điểm %", "en": "pp"},
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
