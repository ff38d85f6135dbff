"""The words of keyboard use and of charts' text alternatives (the skip link, the wall's pause
key, the provinces map's list, chart summaries and their data tables), Vietnamese first. Kept
beside the main catalogue and merged into it (:data:`i18n.MESSAGES`)."""

from __future__ import annotations

ACCESS_MESSAGES: dict[str, dict[str, str]] = {
    "a11y.skip": {"vi": "Bỏ qua, đến nội dung chính", "en": "Skip to main content"},
    "a11y.show_table": {"vi": "Xem bảng số liệu", "en": "Show data table"},
    "a11y.table_caption": {"vi": "Bảng số liệu: {title}", "en": "Data table: {title}"},
    "a11y.col_period": {"vi": "Kỳ", "en": "Period"},
    "a11y.col_area": {"vi": "Địa bàn", "en": "Area"},
    "a11y.col_rank": {"vi": "Hạng", "en": "Rank"},
    "a11y.col_value": {"vi": "Giá trị ({unit})", "en": "Value ({unit})"},
    "a11y.no_data": {"vi": "{title}: chưa có số liệu.", "en": "{title}: no data."},
    "a11y.series": {"vi": "Biểu đồ đường {title}, từ {first} đến {last}.",
                    "en": "Line chart of {title}, from {first} to {last}."},
    "a11y.line": {"vi": "{name}: kỳ mới nhất {period} đạt {value}; cao nhất {max} ({max_period}), "
                        "thấp nhất {min} ({min_period}).",
                  "en": "{name}: latest, {period}, {value}; highest {max} ({max_period}), "
                        "lowest {min} ({min_period})."},
    "a11y.more_lines": {"vi": "Và {n} đường khác trong bảng số liệu.", "en": "And {n} more lines in the data table."},
    "a11y.ranking": {"vi": "Biểu đồ xếp hạng {title}: {n} địa bàn có số liệu, từ {min} đến {max}. "
                           "Đứng đầu: {first} ({first_value}); cuối bảng: {last} ({last_value}).",
                     "en": "Ranking chart of {title}: {n} areas with data, from {min} to {max}. "
                           "First: {first} ({first_value}); last: {last} ({last_value})."},
    "a11y.map": {"vi": "Bản đồ {title}: {n} tỉnh, thành phố có số liệu, từ {min} đến {max}. "
                       "Cao nhất: {top} ({top_value}); thấp nhất: {bottom} ({bottom_value}).",
                 "en": "Map of {title}: {n} provinces with data, from {min} to {max}. "
                       "Highest: {top} ({top_value}); lowest: {bottom} ({bottom_value})."},
    "a11y.not_reported": {"vi": "Chưa báo cáo: {names}.", "en": "Not reported: {names}."},
    "a11y.spark": {"vi": "Diễn biến từ {first} đến {last}: mới nhất {value}; cao nhất {max} ({max_period}), "
                         "thấp nhất {min} ({min_period}).",
                   "en": "From {first} to {last}: latest {value}; highest {max} ({max_period}), "
                         "lowest {min} ({min_period})."},
    "a11y.map_list": {"vi": "Chọn tỉnh, thành phố trên bản đồ", "en": "Choose a province on the map"},
    "a11y.map_list_placeholder": {"vi": "Gõ tên để tìm, Enter để mở hồ sơ",
                                  "en": "Type a name to search, Enter to open"},
    "a11y.wall_keys": {"vi": "Phím Cách hoặc P: tạm dừng/tiếp tục · ← →: bảng trước/sau",
                       "en": "Space or P: pause/resume · ← →: previous/next board"},
    "a11y.wall_paused": {"vi": "Đã tạm dừng", "en": "Paused"},
    "a11y.wall_resumed": {"vi": "Đã tiếp tục", "en": "Resumed"},
}
