"""Messages of the alerts: the notification centre (``/alerts``), the bell, the rules' page
(``/alerts/rules``), the webhooks' page (``/alerts/webhooks``), the alerts' own sentences (the
centre, the wall's ticker, e-mails and webhooks), Vietnamese and English."""

from __future__ import annotations

ALERTS_MESSAGES: dict[str, dict[str, str]] = {
    # the alerts' sentences
    "alerts.text.threshold.above": {"vi": "{name} ({area}, {period}) vượt ngưỡng {reference}: {value}",
                                    "en": "{name} ({area}, {period}) rose above {reference}: {value}"},
    "alerts.text.threshold.below": {"vi": "{name} ({area}, {period}) xuống dưới ngưỡng {reference}: {value}",
                                    "en": "{name} ({area}, {period}) fell below {reference}: {value}"},
    "alerts.text.target": {"vi": "{name} ({area}, {period}) không đạt chỉ tiêu kế hoạch {reference}: {value}",
                           "en": "{name} ({area}, {period}) is off its plan target {reference}: {value}"},
    "alerts.text.worsen.previous": {"vi": "{name} ({area}, {period}) xấu đi {percent}% so với kỳ trước: {value}",
                                    "en": "{name} ({area}, {period}) worsened by {percent}% on the previous "
                                          "period: {value}"},
    "alerts.text.worsen.last_year": {"vi": "{name} ({area}, {period}) xấu đi {percent}% so với cùng kỳ năm trước: "
                                           "{value}",
                                     "en": "{name} ({area}, {period}) worsened by {percent}% on the same period "
                                           "last year: {value}"},
    "alerts.text.revision": {"vi": "{name} ({area}, {period}): số sơ bộ {reference} được điều chỉnh {percent}% "
                                   "thành {value}",
                             "en": "{name} ({area}, {period}): the provisional {reference} was revised by "
                                   "{percent}% to {value}"},
    "alerts.text.implausible": {"vi": "{name} ({area}, {period}): nhận giá trị bất thường {value}",
                                "en": "{name} ({area}, {period}): an implausible value arrived, {value}"},
    "alerts.text.overdue": {"vi": "{unit} chậm nộp {report} kỳ {period}: quá hạn {days} ngày",
                            "en": "{unit} is late with {report} for {period}: {days} days overdue"},
    "alerts.text.direction": {"vi": "Nhiệm vụ {ref} «{title}» giao {unit} quá hạn {days} ngày (hạn {deadline})",
                              "en": "Direction {ref} “{title}” assigned to {unit} is {days} days overdue "
                                    "(deadline {deadline})"},
    # kinds, severities, comparisons
    "alerts.kind.threshold": {"vi": "Vượt ngưỡng", "en": "Crosses a threshold"},
    "alerts.kind.target": {"vi": "Không đạt kế hoạch", "en": "Misses its target"},
    "alerts.kind.worsen": {"vi": "Xấu đi quá X%", "en": "Worsens by more than X %"},
    "alerts.kind.revision": {"vi": "Số sơ bộ điều chỉnh quá X%", "en": "Provisional value revised by more than X %"},
    "alerts.kind.implausible": {"vi": "Giá trị bất thường", "en": "Implausible value"},
    "alerts.kind.overdue": {"vi": "Báo cáo quá hạn N ngày", "en": "Report overdue by N days"},
    "alerts.kind.direction": {"vi": "Nhiệm vụ quá hạn N ngày", "en": "Direction overdue by N days"},
    "alerts.sev.notice": {"vi": "Lưu ý", "en": "Notice"},
    "alerts.sev.warning": {"vi": "Cảnh báo", "en": "Warning"},
    "alerts.sev.critical": {"vi": "Nghiêm trọng", "en": "Critical"},
    "alerts.cmp.above": {"vi": "Cao hơn ngưỡng", "en": "Above the threshold"},
    "alerts.cmp.below": {"vi": "Thấp hơn ngưỡng", "en": "Below the threshold"},
    "alerts.cmp.previous": {"vi": "So với kỳ trước", "en": "Against the previous period"},
    "alerts.cmp.last_year": {"vi": "So với cùng kỳ năm trước", "en": "Against the same period last year"},
    # the notification centre and the bell
    "alerts.title": {"vi": "Trung tâm thông báo", "en": "Notification centre"},
    "alerts.lede": {"vi": "Các cảnh báo do quy tắc phát hiện khi nhận số liệu và theo lịch. Mỗi sự việc chỉ "
                          "báo một lần; xác nhận để đánh dấu đã xử lý.",
                    "en": "The alerts the rules raised as data arrived and on schedule. Each occurrence is "
                          "raised once; acknowledge it once it is handled."},
    "alerts.bell": {"vi": "Thông báo: {n} chưa xác nhận", "en": "Notifications: {n} unacknowledged"},
    "alerts.show_open": {"vi": "Chỉ hiện cảnh báo chưa xác nhận", "en": "Unacknowledged alerts only"},
    "alerts.show_all": {"vi": "Hiện tất cả", "en": "Show all"},
    "alerts.col.raised": {"vi": "Thời điểm", "en": "Raised"},
    "alerts.col.severity": {"vi": "Mức độ", "en": "Severity"},
    "alerts.col.alert": {"vi": "Nội dung", "en": "Alert"},
    "alerts.col.rule": {"vi": "Quy tắc", "en": "Rule"},
    "alerts.col.state": {"vi": "Trạng thái", "en": "State"},
    "alerts.open": {"vi": "Chưa xác nhận", "en": "Unacknowledged"},
    "alerts.acked_by": {"vi": "{who} đã xác nhận lúc {at}", "en": "Acknowledged by {who} at {at}"},
    "alerts.ack": {"vi": "Xác nhận", "en": "Acknowledge"},
    "alerts.ack_all": {"vi": "Xác nhận tất cả", "en": "Acknowledge all"},
    "alerts.acked": {"vi": "Đã xác nhận {n} cảnh báo", "en": "{n} alerts acknowledged"},
    "alerts.manage_rules": {"vi": "Quản lý quy tắc cảnh báo", "en": "Manage the alert rules"},
    "alerts.manage_webhooks": {"vi": "Webhook", "en": "Webhooks"},
    # the rules' page
    "alerts.rules": {"vi": "Quy tắc cảnh báo", "en": "Alert rules"},
    "alerts.rules_lede": {"vi": "Quy tắc được đánh giá trên số liệu vừa nhận (chỉ các chỉ tiêu được ghi) và theo "
                                "lịch đối với báo cáo quá hạn và nhiệm vụ quá hạn. Mọi thay đổi được ghi vào "
                                "nhật ký kiểm tra.",
                          "en": "Rules are evaluated on the data just received (only the indicators written) and "
                                "on schedule for overdue reports and overdue directions. Every change is written "
                                "to the audit log."},
    "alerts.f.name": {"vi": "Tên quy tắc", "en": "Rule name"},
    "alerts.f.kind": {"vi": "Loại", "en": "Kind"},
    "alerts.f.indicator": {"vi": "Mã chỉ tiêu", "en": "Indicator code"},
    "alerts.f.area": {"vi": "Mã địa bàn (để trống: mọi địa bàn)", "en": "Area key (blank: every area)"},
    "alerts.f.regime": {"vi": "Mã chế độ báo cáo (để trống: tất cả)", "en": "Report regime code (blank: every one)"},
    "alerts.f.comparison": {"vi": "So sánh", "en": "Comparison"},
    "alerts.f.threshold": {"vi": "Ngưỡng", "en": "Threshold"},
    "alerts.f.percent": {"vi": "Tỷ lệ thay đổi (%)", "en": "Change (%)"},
    "alerts.f.days": {"vi": "Số ngày quá hạn", "en": "Days overdue"},
    "alerts.f.severity": {"vi": "Mức độ", "en": "Severity"},
    "alerts.f.recipients": {"vi": "Gửi thư cho (tên đăng nhập, cách nhau bởi dấu phẩy)",
                            "en": "E-mail to (user names, comma-separated)"},
    "alerts.f.webhooks": {"vi": "Gửi tới webhook", "en": "Send to the webhooks"},
    "alerts.f.active": {"vi": "Đang dùng", "en": "Active"},
    "alerts.f.scope": {"vi": "Phạm vi", "en": "Scope"},
    "alerts.new_rule": {"vi": "Thêm quy tắc", "en": "New rule"},
    "alerts.edit_rule": {"vi": "Sửa quy tắc", "en": "Edit the rule"},
    "alerts.save": {"vi": "Lưu", "en": "Save"},
    "alerts.edit": {"vi": "Sửa", "en": "Edit"},
    "alerts.disable": {"vi": "Tạm dừng", "en": "Switch off"},
    "alerts.enable": {"vi": "Bật lại", "en": "Switch on"},
    "alerts.rule_saved": {"vi": "Đã lưu quy tắc", "en": "Rule saved"},
    "alerts.yes": {"vi": "Có", "en": "Yes"},
    "alerts.no": {"vi": "Không", "en": "No"},
    "alerts.err.kind": {"vi": "Loại quy tắc không hợp lệ", "en": "Unknown kind of rule"},
    "alerts.err.severity": {"vi": "Mức độ không hợp lệ", "en": "Unknown severity"},
    "alerts.err.indicator": {"vi": "Cần một chỉ tiêu có trong danh mục", "en": "An indicator of the catalogue is needed"},
    "alerts.err.area": {"vi": "Không có địa bàn này", "en": "No such area"},
    "alerts.err.regime": {"vi": "Không có chế độ báo cáo này", "en": "No such report regime"},
    "alerts.err.comparison": {"vi": "Chọn cách so sánh", "en": "Choose a comparison"},
    "alerts.err.threshold": {"vi": "Cần một ngưỡng bằng số", "en": "A numeric threshold is needed"},
    "alerts.err.percent": {"vi": "Cần một tỷ lệ không âm", "en": "A percentage of zero or more is needed"},
    "alerts.err.days": {"vi": "Cần một số ngày không âm", "en": "A number of days of zero or more is needed"},
    "alerts.err.name": {"vi": "Cần đặt tên cho quy tắc", "en": "The rule needs a name"},
    "alerts.err.webhook": {"vi": "Cần tên và địa chỉ http(s)://", "en": "A name and an http(s):// address are needed"},
    # the webhooks' page
    "alerts.webhooks": {"vi": "Webhook gửi cảnh báo", "en": "Alert webhooks"},
    "alerts.webhooks_lede": {
        "vi": "Mỗi cảnh báo được gửi dưới dạng JSON (POST), ký bằng HMAC-SHA256 trên toàn bộ nội dung với khóa bí "
              "mật riêng của webhook (tiêu đề X-OCC-Signature: sha256=...); gửi lại với thời gian chờ tăng dần nếu "
              "thất bại. Tiêu đề X-OCC-Delivery giúp bên nhận bỏ qua bản trùng.",
        "en": "Each alert is POSTed as JSON, signed with HMAC-SHA256 over the whole body with the webhook's own "
              "secret (header X-OCC-Signature: sha256=...); retried with back-off on failure. The X-OCC-Delivery "
              "header lets the receiver drop a repeat."},
    "alerts.f.url": {"vi": "Địa chỉ nhận (URL)", "en": "Receiving address (URL)"},
    "alerts.f.hook_confidential": {"vi": "Được nhận cảnh báo của chỉ tiêu mật",
                                   "en": "May receive alerts of confidential indicators"},
    "alerts.new_webhook": {"vi": "Thêm webhook", "en": "New webhook"},
    "alerts.webhook_secret": {"vi": "Khóa bí mật của webhook (chỉ hiện một lần, hãy lưu lại): {secret}",
                              "en": "The webhook's secret (shown once, keep it): {secret}"},
    "alerts.col.sent": {"vi": "Đã gửi", "en": "Sent"},
    "alerts.col.pending": {"vi": "Đang chờ", "en": "Pending"},
    "alerts.col.failed": {"vi": "Thất bại", "en": "Failed"},
    "alerts.deliveries": {"vi": "Nhật ký gửi", "en": "Delivery log"},
    "alerts.col.channel": {"vi": "Kênh", "en": "Channel"},
    "alerts.col.target": {"vi": "Nơi nhận", "en": "Target"},
    "alerts.col.attempts": {"vi": "Số lần thử", "en": "Attempts"},
    "alerts.col.error": {"vi": "Lỗi gần nhất", "en": "Last error"},
    "alerts.state.pending": {"vi": "Đang chờ", "en": "Pending"},
    "alerts.state.sending": {"vi": "Đang gửi", "en": "Sending"},
    "alerts.state.sent": {"vi": "Đã gửi", "en": "Sent"},
    "alerts.state.failed": {"vi": "Thất bại", "en": "Failed"},
    # e-mail
    "alerts.mail.subject": {"vi": "[Cảnh báo] {text}", "en": "[Alert] {text}"},
    "alerts.mail.body": {"vi": "{text}\n\nQuy tắc: {rule}\nXem và xác nhận: {link}",
                         "en": "{text}\n\nRule: {rule}\nView and acknowledge: {link}"},
}
