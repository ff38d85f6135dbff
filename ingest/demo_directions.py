"""The demo's directions: a plausible, clearly illustrative set over the demo period, about the demo
indicators that went off target, written through the directions service (the same checks, events
and audit entries as a leader's or a unit's own), deterministic for a seed.

Titles, forms and numbers follow the Government's practice (a Thông báo kết luận of the Office of
the Government, a Công điện or Chỉ thị of the Prime Minister, a letter of direction); the issuing
leaders are named by office, not by person. About one in eight is still open past its deadline,
some closed late, some extended, a few drafts and cancellations; a few concern a confidential
indicator and are confidential.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from itertools import takewhile

from sqlalchemy.engine import Connection

from data_access.directions import SCOPE
from data_access.engine import bump_data_version
from directions import service
from domain import directions as rules
from domain.eras import ERA_SWITCH

# (indicator, lead unit, cooperating units, form, title, content); the indicators are the demo's
# that are at risk or off track against their plan targets in the demo period
TEMPLATES: tuple[tuple[str, str, tuple[str, ...], str, str, str], ...] = (
    ("IIP_YOY", "BCT", ("TK",), "thong_bao_ket_luan",
     "Báo cáo nguyên nhân chỉ số sản xuất công nghiệp tăng thấp hơn kế hoạch, đề xuất giải pháp thúc đẩy sản xuất",
     "Phân tích nguyên nhân theo ngành cấp II, làm rõ khó khăn về đơn hàng, nguyên liệu, năng lượng; đề xuất "
     "giải pháp cụ thể, có lộ trình, báo cáo Thủ tướng Chính phủ."),
    ("RETAIL_SALES", "BCT", ("TK", "BVHTTDL"), "van_ban",
     "Đẩy mạnh kích cầu tiêu dùng nội địa, thúc đẩy tổng mức bán lẻ hàng hóa và doanh thu dịch vụ",
     "Triển khai các chương trình khuyến mại tập trung, đưa hàng Việt về nông thôn, kết nối thương mại điện tử; "
     "báo cáo kết quả và kiến nghị."),
    ("BUDGET_REVENUE", "BTC", (), "chi_thi",
     "Tăng cường quản lý thu ngân sách nhà nước, chống thất thu, phấn đấu thu vượt dự toán",
     "Rà soát nguồn thu, đôn đốc thu hồi nợ thuế, mở rộng hóa đơn điện tử khởi tạo từ máy tính tiền; báo cáo "
     "kết quả thu theo tháng."),
    ("PUBLIC_INV_DISB", "BTC", ("BXD",), "cong_dien",
     "Đẩy nhanh tiến độ giải ngân vốn đầu tư công, xử lý dứt điểm vướng mắc về giải phóng mặt bằng",
     "Điều chuyển vốn từ dự án chậm giải ngân sang dự án có khả năng giải ngân; xử lý nghiêm tổ chức, cá nhân "
     "gây chậm trễ; báo cáo hằng tuần."),
    ("DEV_INV_EXPENDITURE", "BTC", ("BXD", "BNNMT"), "van_ban",
     "Báo cáo tình hình chi đầu tư phát triển, đề xuất điều chỉnh kế hoạch vốn",
     "Tổng hợp tình hình chi đầu tư phát triển của các bộ, địa phương; đề xuất phương án điều chỉnh kế hoạch vốn."),
    ("CORE_INFLATION", "NHNN", ("BTC", "BCT"), "van_ban",
     "Điều hành chính sách tiền tệ chủ động, linh hoạt, kiểm soát lạm phát cơ bản theo mục tiêu",
     "Phối hợp chặt chẽ chính sách tiền tệ và tài khóa; theo dõi giá các mặt hàng thiết yếu; báo cáo dự báo "
     "lạm phát các tháng cuối năm."),
    ("EXPORTS", "BCT", ("BNG", "BTC"), "thong_bao_ket_luan",
     "Tháo gỡ khó khăn cho doanh nghiệp xuất khẩu, mở rộng và đa dạng hóa thị trường",
     "Làm việc với các hiệp hội ngành hàng; tận dụng các hiệp định thương mại tự do; báo cáo kết quả xúc tiến "
     "thương mại."),
    ("TRADE_BALANCE", "BCT", ("BTC",), "van_ban",
     "Theo dõi sát diễn biến cán cân thương mại hàng hóa, đề xuất biện pháp cân đối xuất nhập khẩu",
     "Đánh giá tác động của biến động thị trường thế giới; đề xuất biện pháp phù hợp cam kết quốc tế."),
    ("FDI_REGISTERED", "BTC", ("BNG",), "van_ban",
     "Tăng cường xúc tiến, thu hút đầu tư trực tiếp nước ngoài có chọn lọc vào các lĩnh vực ưu tiên",
     "Rà soát các dự án lớn đang đàm phán; tháo gỡ vướng mắc thủ tục đầu tư; báo cáo kết quả thu hút vốn."),
    ("NEW_ENTERPRISES", "BTC", ("BTP",), "van_ban",
     "Cắt giảm thủ tục, hỗ trợ doanh nghiệp thành lập mới và quay trở lại hoạt động",
     "Rà soát điều kiện kinh doanh, đơn giản hóa thủ tục đăng ký; báo cáo số doanh nghiệp thành lập mới theo tháng."),
    ("BUSINESS_REG_ONLINE", "BTC", (), "van_ban",
     "Nâng tỷ lệ hồ sơ đăng ký doanh nghiệp qua mạng điện tử",
     "Hoàn thiện Hệ thống thông tin quốc gia về đăng ký doanh nghiệp; hướng dẫn địa phương tiếp nhận hồ sơ trực tuyến."),
    ("UNEMPLOYMENT", "BNV", ("TK", "BGDDT"), "van_ban",
     "Hỗ trợ người lao động mất việc làm, tăng cường kết nối cung cầu lao động",
     "Tổ chức sàn giao dịch việc làm, đào tạo lại cho người lao động; báo cáo tình hình lao động, việc làm."),
    ("NEW_FOREST_PLANTED", "BNNMT", (), "chi_thi",
     "Đẩy mạnh trồng rừng tập trung, bảo đảm hoàn thành chỉ tiêu trồng rừng năm",
     "Chỉ đạo các địa phương chuẩn bị cây giống, đất trồng; báo cáo diện tích trồng rừng theo tháng."),
    ("DOSSIERS_SETTLED", "VPCP", ("BNV",), "van_ban",
     "Giải quyết dứt điểm hồ sơ thủ tục hành chính tồn đọng, quá hạn",
     "Rà soát hồ sơ quá hạn trên Cổng Dịch vụ công quốc gia; xin lỗi tổ chức, cá nhân theo quy định; báo cáo kết quả."),
    ("EXPRESSWAY_KM", "BXD", ("BTC", "BNNMT"), "cong_dien",
     "Tập trung thi công, bảo đảm tiến độ các dự án đường bộ cao tốc trọng điểm",
     "Huy động nhân lực, thiết bị thi công ba ca, bốn kíp; bảo đảm nguồn vật liệu; báo cáo tiến độ từng dự án."),
    ("BROADBAND_FIXED_SUBS", "BKHCN", (), "van_ban",
     "Phát triển hạ tầng băng rộng cố định, phổ cập Internet cáp quang đến hộ gia đình",
     "Chỉ đạo doanh nghiệp viễn thông mở rộng vùng phủ; báo cáo số thuê bao theo quý."),
    ("FREIGHT_TONNAGE", "BXD", ("BCT",), "van_ban",
     "Giảm chi phí logistics, khơi thông vận tải hàng hóa",
     "Rà soát phí, lệ phí; phát triển vận tải đa phương thức; báo cáo sản lượng vận tải."),
    ("AGRI_VA_GROWTH", "BNNMT", ("BCT",), "thong_bao_ket_luan",
     "Khắc phục khó khăn trong sản xuất nông nghiệp, bảo đảm tăng trưởng khu vực nông, lâm nghiệp và thủy sản",
     "Đánh giá thiệt hại do thiên tai, dịch bệnh; hỗ trợ giống, vật tư; tiêu thụ nông sản; báo cáo kết quả."),
    ("SERVICES_VA_GROWTH", "BVHTTDL", ("BCT", "BXD"), "van_ban",
     "Thúc đẩy phục hồi khu vực dịch vụ, du lịch",
     "Triển khai chương trình kích cầu du lịch; đơn giản hóa thị thực; báo cáo kết quả."),
    ("GOV_TASKS_OVERDUE", "VPCP", (), "chi_thi",
     "Rà soát, đôn đốc hoàn thành các nhiệm vụ Chính phủ, Thủ tướng Chính phủ giao đã quá hạn",
     "Lập danh mục nhiệm vụ quá hạn theo từng bộ, cơ quan; đề xuất xử lý trách nhiệm; báo cáo hằng tháng."),
    ("NPL_RATIO", "NHNN", (), "van_ban",
     "Báo cáo tình hình xử lý nợ xấu của các tổ chức tín dụng (tài liệu mật)",
     "Báo cáo riêng Thủ tướng Chính phủ tình hình nợ xấu, các tổ chức tín dụng được kiểm soát đặc biệt."),
    ("BUDGET_DEFICIT_FORECAST", "BTC", ("NHNN",), "van_ban",
     "Báo cáo phương án bảo đảm cân đối ngân sách, kiểm soát bội chi (tài liệu mật)",
     "Dự báo cân đối ngân sách cả năm và phương án xử lý, báo cáo riêng lãnh đạo Chính phủ."),
)
# the provinces' part: (indicator, title) for a province's People's Committee, from July 2025
PROVINCE_TEMPLATES = (
    ("PUBLIC_INV_DISB", "Đẩy nhanh giải ngân vốn đầu tư công trên địa bàn, xử lý vướng mắc giải phóng mặt bằng"),
    ("IIP_YOY", "Tháo gỡ khó khăn cho sản xuất công nghiệp trên địa bàn"),
    ("BUDGET_REVENUE", "Tăng cường quản lý thu ngân sách trên địa bàn"),
)
PROVINCES = ("01", "79", "31", "48", "22", "38", "40", "92", "75", "24")
LEADERS = ("Thủ tướng Chính phủ", "Phó Thủ tướng Thường trực Chính phủ", "Phó Thủ tướng Chính phủ",
           "Bộ trưởng, Chủ nhiệm Văn phòng Chính phủ")
NUMBER_FORMS = {"thong_bao_ket_luan": "{n}/TB-VPCP", "cong_dien": "{n}/CĐ-TTg", "chi_thi": "{n:02d}/CT-TTg",
                "van_ban": "{n}/VPCP-KTTH"}
PROGRESS = ("Đã tổ chức họp triển khai, phân công đơn vị chủ trì từng nội dung.",
            "Đã làm việc với các hiệp hội, doanh nghiệp; đang tổng hợp kiến nghị.",
            "Đã ban hành văn bản hướng dẫn; kết quả bước đầu tích cực.",
            "Đang phối hợp với các địa phương thu thập số liệu, hoàn thiện báo cáo.")
DONE = ("Đã hoàn thành, gửi kèm báo cáo kết quả thực hiện.", "Đã báo cáo Thủ tướng Chính phủ bằng văn bản.")
COMMUNE_WORK = timedelta(hours=2)  # 09:00 in Hà Nội, in UTC
WINDOW_START = date(2025, 1, 6)
COUNT = 120


@dataclass(frozen=True)
class Step:
    at: datetime  # UTC
    actor: service.Actor
    action: str
    text: str = ""
    new_deadline: date | None = None


@dataclass(frozen=True)
class Planned:
    fields: dict[str, object]
    author: service.Actor
    at: datetime
    steps: tuple[Step, ...]


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time()) + COMMUNE_WORK + timedelta(minutes=rng.randrange(0, 7 * 60))


def _period_text(day: date) -> str:
    if day.month >= 10:
        return f"những tháng cuối năm {day.year}"
    return f"quý {('I', 'II', 'III', 'IV')[(day.month - 1) // 3]}/{day.year}"


def plan(seed: int, until: date) -> list[Planned]:
    """The demo's directions (pure): what each is, who creates it and what happens to it up to ``until``."""
    rng = random.Random(f"directions:{seed}")
    window_start = min(WINDOW_START, until - timedelta(days=365))  # a demo cut off early still has a year
    span = max(1, (until - timedelta(days=3) - window_start).days)
    numbers = {form: rng.randrange(20, 60) for form in NUMBER_FORMS}
    out = []
    for i in range(COUNT):
        issued = window_start + timedelta(days=int(span * (i / COUNT) ** 0.6))  # denser towards ``until``
        province = issued >= ERA_SWITCH and rng.random() < 0.2
        if province:
            code, title = rng.choice(PROVINCE_TEMPLATES)
            area = rng.choice(PROVINCES)
            lead, coop, form, content = f"UB{area}", ("BTC",), "van_ban", "Báo cáo kết quả, khó khăn, kiến nghị."
            areas = [area]
        else:
            code, lead, coop, form, title, content = TEMPLATES[i % len(TEMPLATES)]
            areas = ["VN"]
        numbers[form] += rng.randrange(1, 4)
        deadline = issued + timedelta(days=rng.choice((10, 15, 20, 30, 30, 45, 60)))
        leader = service.Actor("demo.leader", "leader", display=rng.choice(LEADERS))
        draft = issued > until - timedelta(days=20) and rng.random() < 0.25
        author = service.Actor("demo.analyst", "analyst", cleared=True) if draft else leader
        fields: dict[str, object] = {
            "title": f"{title} {_period_text(issued)}", "content": content, "form": form,
            "doc_number": NUMBER_FORMS[form].format(n=numbers[form]), "leader": leader.display, "issued_on": issued,
            "lead_unit": lead, "cooperating_units": list(coop), "deadline": deadline,
            "priority": rng.choice(("urgent", "high", "high", "normal", "normal", "normal")),
            "indicators": [code], "areas": areas, "origin": rng.choice(("tile", "chart", "page", "daily")),
            "origin_context": {"indicator": code, "area": areas[0]}}
        start = _at(issued, rng)
        steps = [] if draft else _steps(rng, leader, lead, coop, issued, deadline, until)
        # what has happened by ``until``: the steps up to the first one after it (a later step rests on it)
        steps = _in_order(start, steps)
        out.append(Planned(fields, author, start, tuple(takewhile(lambda s: s.at.date() <= until, steps))))
    return out


def _in_order(start: datetime, steps: list[Step]) -> list[Step]:
    """The steps in the order they were planned, each at least an hour after the one before (a unit's
    "done" drawn before a cooperating unit's report moves after it)."""
    out, last = [], start
    for s in steps:
        last = max(s.at, last + timedelta(hours=1))
        out.append(replace(s, at=last))
    return out


def _steps(rng: random.Random, leader: service.Actor, lead: str, coop: tuple[str, ...], issued: date, deadline: date,
           until: date) -> list[Step]:
    unit = service.Actor(f"demo.{lead.lower()}", "reporter", unit=lead)
    span = (deadline - issued).days
    steps = [Step(_at(issued + timedelta(days=max(1, span // 3)), rng), unit, rules.PROGRESS, rng.choice(PROGRESS))]
    if coop and rng.random() < 0.5:
        helper = service.Actor(f"demo.{coop[0].lower()}", "reporter", unit=coop[0])
        steps.append(Step(_at(issued + timedelta(days=max(1, span // 2)), rng), helper, rules.PROGRESS,
                          "Đơn vị phối hợp đã gửi số liệu, ý kiến."))
    fate = rng.random()
    if deadline > until and fate < 0.5:  # recent: assigned and not yet answered, or reported done and waiting
        if fate < 0.2:
            return []
        done_on = max(issued + timedelta(days=1), until - timedelta(days=rng.randrange(1, 6)), steps[-1].at.date())
        steps.append(Step(_at(done_on, rng), unit, rules.DONE, rng.choice(DONE)))
        if fate > 0.42:
            steps.append(Step(_at(until, rng), leader, rules.RETURN, "Đề nghị bổ sung số liệu, làm rõ giải pháp."))
        return steps
    if fate < 0.05:
        return [*steps, Step(_at(issued + timedelta(days=span // 2 + 1), rng), leader, rules.CANCEL,
                             "Nội dung đã được xử lý trong nhiệm vụ khác.")]
    if fate < 0.2:  # asked for more time: granted, or refused
        asked = deadline + timedelta(days=rng.choice((10, 15, 30)))
        day = deadline - timedelta(days=2)
        steps.append(Step(_at(day, rng), unit, rules.REQUEST_EXTENSION, "Cần thêm thời gian tổng hợp số liệu.", asked))
        if rng.random() < 0.7:
            steps.append(Step(_at(day + timedelta(days=1), rng), leader, rules.EXTEND, "Đồng ý gia hạn.", asked))
            deadline = asked
        else:
            steps.append(Step(_at(day + timedelta(days=1), rng), leader, rules.REFUSE_EXTENSION,
                              "Không gia hạn; khẩn trương hoàn thành."))
    if fate > 0.88:  # still owed: overdue once its deadline has passed
        return steps
    late = rng.random() < 0.3
    done_on = deadline + timedelta(days=rng.randrange(2, 20)) if late else deadline - timedelta(days=rng.randrange(0, 5))
    done_on = max(done_on, issued + timedelta(days=1))
    steps.append(Step(_at(done_on, rng), unit, rules.DONE, rng.choice(DONE)))
    closing = done_on + timedelta(days=rng.randrange(1, 6))
    if rng.random() < 0.15:
        steps.append(Step(_at(closing, rng), leader, rules.RETURN, "Báo cáo chưa làm rõ nguyên nhân; đề nghị bổ sung."))
        again = closing + timedelta(days=rng.randrange(3, 10))
        steps.append(Step(_at(again, rng), unit, rules.DONE, "Đã bổ sung báo cáo theo yêu cầu."))
        closing = again + timedelta(days=rng.randrange(1, 4))
    steps.append(Step(_at(closing, rng), leader, rules.CLOSE, "Đồng ý kết quả thực hiện."))
    return steps


def seed_directions(conn: Connection, seed: int, until: date) -> int:
    """Write the planned directions through :mod:`directions.service` (in the caller's transaction)
    and stamp ``directions`` once; the number written."""
    planned = plan(seed, until)
    for p in planned:
        ref = service.create(conn, p.author, p.fields, at=p.at, today=until, stamp=False)
        for s in p.steps:
            service.act(conn, s.actor, ref, s.action, text=s.text, new_deadline=s.new_deadline, at=s.at, stamp=False)
    bump_data_version(conn, [SCOPE])
    return len(planned)
