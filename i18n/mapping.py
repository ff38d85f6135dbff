"""The words of the upload page's mapping step (names in a file matched to codes, saved mappings),
Vietnamese first. Kept beside the main catalogue and merged into it (:data:`i18n.MESSAGES`)."""

from __future__ import annotations

MAPPING_MESSAGES: dict[str, dict[str, str]] = {
    "map.title": {"vi": "Đối chiếu tên với mã", "en": "Match names to codes"},
    "map.lede": {"vi": "Tệp ghi tên thay cho mã. Kiểm tra cách đối chiếu đề xuất, sửa chỗ cần sửa, rồi xác nhận: "
                       "tệp sẽ được kiểm tra và nạp theo cách đối chiếu này (được lưu cùng báo cáo).",
                 "en": "The file names areas or its indicator instead of codes. Check the proposed mapping, correct "
                       "it where needed, then confirm: the file is validated and loaded with this mapping (recorded "
                       "with the submission)."},
    "map.saved_used": {"vi": "Đã đề xuất theo cách đối chiếu đã lưu “{name}” cho tệp cùng dạng của đơn vị.",
                       "en": "Proposed from the mapping '{name}' this unit saved for files of this shape."},
    "map.unmatched_count": {"vi": "{n} tên chưa khớp hoặc cần kiểm tra (được tô đậm).",
                            "en": "{n} names unmatched or to check (highlighted)."},
    "map.caption": {"vi": "Tên trong tệp và mã đề xuất", "en": "Names in the file and proposed codes"},
    "map.col_kind": {"vi": "Loại", "en": "Kind"},
    "map.col_name": {"vi": "Tên trong tệp", "en": "Name in the file"},
    "map.col_rows": {"vi": "Số dòng", "en": "Rows"},
    "map.col_code": {"vi": "Mã", "en": "Code"},
    "map.col_status": {"vi": "Độ tin cậy", "en": "Confidence"},
    "map.kind_indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "map.kind_area": {"vi": "Địa bàn", "en": "Area"},
    "map.title_of_table": {"vi": "Tiêu đề bảng: {title}", "en": "Table title: {title}"},
    "map.select_for": {"vi": "Mã cho “{name}”", "en": "Code for '{name}'"},
    "map.choose": {"vi": "Chọn mã…", "en": "Choose a code…"},
    "map.skip": {"vi": "Bỏ qua, không nạp các dòng này", "en": "Skip: do not load these rows"},
    "map.status.matched": {"vi": "Khớp", "en": "Matched"},
    "map.status.uncertain": {"vi": "Cần kiểm tra", "en": "To check"},
    "map.status.unmatched": {"vi": "Chưa khớp", "en": "Unmatched"},
    "map.by_period": {"vi": "tên chỉ địa bàn khác nhau theo kỳ: đọc theo từng kỳ",
                      "en": "the name means different areas in different periods: read period by period"},
    "map.ambiguous": {"vi": "tên trùng với nhiều địa bàn", "en": "the name fits several areas"},
    "map.not_in_use": {"vi": "tên không còn dùng trong kỳ của số liệu", "en": "the name was not in use in the periods"},
    "map.no_match": {"vi": "không tìm thấy tên", "en": "no such name"},
    "map.close": {"vi": "tên gần giống", "en": "a close name"},
    "map.changed_meaning": {"vi": "trong thời kỳ của đơn vị, tên này chỉ địa bàn khác: chọn địa bàn cũ hoặc số liệu "
                                  "tính lùi của địa bàn mới",
                            "en": "in the unit's own era this name means another area: choose the former area or "
                                  "the new area's back-cast"},
    "map.no_indicator": {"vi": "không tìm thấy chỉ tiêu phù hợp", "en": "no matching indicator"},
    "map.indicator_uncertain": {"vi": "có chỉ tiêu khác gần giống", "en": "other indicators come close"},
    "map.saved": {"vi": "theo cách đối chiếu đã lưu", "en": "from the saved mapping"},
    "map.save_label": {"vi": "Lưu cách đối chiếu này với tên (không bắt buộc)",
                       "en": "Save this mapping under a name (optional)"},
    "map.confirm": {"vi": "Xác nhận và gửi", "en": "Confirm and submit"},
    "map.saved_ok": {"vi": "Đã lưu cách đối chiếu “{name}”: tệp cùng dạng lần sau sẽ được đề xuất theo cách này.",
                     "en": "Mapping '{name}' saved: the next file of this shape will be proposed this way."},
    "map.not_saved": {"vi": "Cách đối chiếu “{name}” chưa được lưu vì tệp chưa được nạp. Sửa theo báo cáo dưới đây "
                            "rồi xác nhận lại: cách đối chiếu chỉ được lưu khi tệp được tiếp nhận.",
                      "en": "Mapping '{name}' was not saved because the file was not loaded. Correct it as the report "
                            "below says and confirm again: a mapping is saved only with a file that is accepted."},
    "map.applied": {"vi": "Cách đối chiếu đã áp dụng: {source}{name}.", "en": "Mapping applied: {source}{name}."},
    "map.source.confirmed": {"vi": "do cán bộ xác nhận", "en": "confirmed by the officer"},
    "map.source.saved": {"vi": "đã lưu", "en": "saved"},
    "map.source.explicit": {"vi": "gửi kèm tệp", "en": "sent with the file"},
    "admin.mappings": {"vi": "Cách đối chiếu đã lưu", "en": "Saved mappings"},
    "admin.mappings_lede": {"vi": "Cách đối chiếu tên với mã mà các đơn vị đã lưu khi gửi báo cáo. Xóa một cách đối "
                                  "chiếu: tệp cùng dạng lần sau sẽ được đề xuất lại từ đầu.",
                            "en": "The mappings of names to codes that units saved when submitting. Delete one: the "
                                  "next file of that shape gets a fresh proposal."},
    "admin.mapping_name": {"vi": "Tên", "en": "Name"},
    "admin.mapping_indicator": {"vi": "Chỉ tiêu của bảng", "en": "Table's indicator"},
    "admin.mapping_names": {"vi": "Số tên được đối chiếu", "en": "Names mapped"},
    "admin.mapping_by": {"vi": "Người lưu", "en": "Saved by"},
    "admin.mapping_updated": {"vi": "Cập nhật", "en": "Updated"},
    "admin.delete": {"vi": "Xóa", "en": "Delete"},
    "admin.mapping_deleted": {"vi": "Đã xóa cách đối chiếu {name}.", "en": "Mapping {name} deleted."},
}
