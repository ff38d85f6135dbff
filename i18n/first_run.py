"""Messages of the first-run page (``/admin/first-run``, :mod:`first_run`), Vietnamese and English."""

from __future__ import annotations

FIRST_RUN_MESSAGES: dict[str, dict[str, str]] = {
    "admin.first_run": {"vi": "Bắt đầu sử dụng", "en": "Getting started"},
    "first.lede": {"vi": "Ba bước để đưa một trung tâm mới vào hoạt động: nhập cấu hình, tạo đơn vị báo cáo và "
                         "mã truy cập, nhận báo cáo đầu tiên. Mỗi bước được đánh dấu khi hệ thống đã có dữ liệu tương ứng.",
                   "en": "Three steps to bring a new centre into service: import the configuration, create the "
                         "reporting units and their access tokens, receive the first report. Each step is ticked "
                         "once the warehouse holds what it needs."},
    "first.progress": {"vi": "Đã hoàn thành {n}/{total} bước", "en": "{n} of {total} steps done"},
    "first.done": {"vi": "Đã xong", "en": "Done"},
    "first.todo": {"vi": "Chưa xong", "en": "To do"},
    "first.step.configured": {"vi": "1. Nhập cấu hình (gói siêu dữ liệu)", "en": "1. Import the configuration (a metadata package)"},
    "first.step.configured_help": {
        "vi": "Danh mục chỉ tiêu, nhóm chỉ tiêu, đơn vị báo cáo, chế độ báo cáo và chỉ tiêu kế hoạch. Gói được "
              "kiểm tra trước (xem các thay đổi), rồi mới áp dụng toàn bộ hoặc không áp dụng gì.",
        "en": "The indicator catalogue, indicator groups, reporting units, report regimes and plan targets. A "
              "package is checked first (the changes are shown), then applied whole or not at all."},
    "first.kind": {"vi": "Loại", "en": "Kind"},
    "first.kind.groups": {"vi": "Nhóm chỉ tiêu", "en": "Indicator groups"},
    "first.kind.units": {"vi": "Đơn vị báo cáo", "en": "Reporting units"},
    "first.kind.indicators": {"vi": "Chỉ tiêu", "en": "Indicators"},
    "first.kind.regimes": {"vi": "Chế độ báo cáo", "en": "Report regimes"},
    "first.kind.targets": {"vi": "Chỉ tiêu kế hoạch", "en": "Plan targets"},
    "first.diff": {"vi": "Các thay đổi nếu áp dụng", "en": "What applying it would change"},
    "first.added": {"vi": "Thêm mới", "en": "Added"},
    "first.changed": {"vi": "Thay đổi", "en": "Changed"},
    "first.retired": {"vi": "Ngừng sử dụng", "en": "Retired"},
    "first.check_demo": {"vi": "Dùng cấu hình minh họa đi kèm: kiểm tra trước",
                         "en": "Use the shipped demo configuration: check it first"},
    "first.apply_demo": {"vi": "Áp dụng cấu hình minh họa", "en": "Apply the demo configuration"},
    "first.demo_preview": {"vi": "Đã kiểm tra cấu hình minh họa: hợp lệ, chưa có gì được ghi. Xem các thay đổi rồi bấm «Áp dụng».",
                           "en": "The demo configuration was checked: valid, nothing written yet. Review the changes, then press “Apply”."},
    "first.demo_same": {"vi": "Cấu hình minh họa đã có đầy đủ trên hệ thống: không có gì thay đổi.",
                        "en": "The warehouse already holds the demo configuration: nothing would change."},
    "first.demo_applied": {"vi": "Đã áp dụng cấu hình minh họa: {n} bản ghi được thêm hoặc thay đổi.",
                           "en": "The demo configuration was applied: {n} records added or changed."},
    "first.demo_refused": {"vi": "Cấu hình minh họa không áp dụng được ({n} lỗi); không có gì được ghi.",
                           "en": "The demo configuration could not be applied ({n} problems); nothing was written."},
    "first.or_upload": {"vi": "Hoặc gói cấu hình của trung tâm (JSON hoặc XLSX):",
                        "en": "Or the centre's own package (JSON or XLSX):"},
    "first.upload": {"vi": "tải lên, kiểm tra và áp dụng", "en": "upload, check and apply"},
    "first.or_records": {"vi": "Hoặc tạo từng bản ghi:", "en": "Or create the records one by one:"},
    "first.step.units": {"vi": "2. Tạo đơn vị báo cáo và mã truy cập API", "en": "2. Create the reporting units and their API tokens"},
    "first.step.units_help": {
        "vi": "Mỗi đơn vị gửi báo cáo qua API bằng mã truy cập riêng; mã chỉ hiển thị một lần khi cấp.",
        "en": "Each unit sends its reports through the API with its own token; a token is shown once, when it is created."},
    "first.units_count": {"vi": "{units} đơn vị đang hoạt động, {tokens} mã truy cập còn hiệu lực",
                          "en": "{units} active units, {tokens} valid API tokens"},
    "first.units_link": {"vi": "Đơn vị báo cáo", "en": "Reporting units"},
    "first.tokens_link": {"vi": "Cấp mã truy cập API", "en": "Create API tokens"},
    "first.step.report": {"vi": "3. Gửi báo cáo đầu tiên", "en": "3. Send a first report"},
    "first.step.report_help": {
        "vi": "Cán bộ của đơn vị tải tệp lên trang Gửi báo cáo, hoặc hệ thống của đơn vị gửi qua API; báo cáo "
              "được kiểm tra và hiện ngay trên các bảng điều hành.",
        "en": "A unit's officer uploads a file on the upload page, or the unit's system sends it through the API; "
              "the report is validated and shows on the boards at once."},
    "first.reports_count": {"vi": "{n} báo cáo đã được tiếp nhận", "en": "{n} reports accepted"},
    "first.submit_link": {"vi": "Trang Gửi báo cáo", "en": "The upload page"},
    "first.openapi_link": {"vi": "Tài liệu API (OpenAPI)", "en": "The API's document (OpenAPI)"},
    "first.api_example": {"vi": "Ví dụ gửi báo cáo qua API:", "en": "Sending a report through the API:"},
    "first.all_done": {"vi": "Trung tâm đã sẵn sàng.", "en": "The centre is ready."},
}
