"""The illustrative demo dataset ("Dữ liệu minh họa"): synthetic, deterministic, plausible.

:func:`generate` is a pure function of ``(seed, until)``: the same seed gives the same data
(tests compare :func:`checksum`). Every random stream is derived from the seed and a stable
name (indicator code, "shares", ...), so adding an indicator does not change the others.

What it makes, from the demo's configuration (the metadata package
``data_access/reference/metadata-demo.json``: indicators, units, regimes) and its own parameters
(``ingest/demo_parameters.csv``: how each indicator's synthetic series looks, in the order the
random streams are drawn):
* national series for every indicator from January 2015 to the latest period whose Decree 09
  deadline (the 25th of the period's last month) has passed on ``until``; daily indicators for
  the last 120 days; the latest period is provisional, earlier ones official;
* provincial series where the indicator is reported at province level: the 63 provinces for
  periods ending by 2025-06-30, the 34 after; shares of additive indicators come from stable
  provincial sizes, so the 34 are the sums of their former provinces; rates get stable
  provincial offsets; ratio indicators are computed from their components;
* a submission for every unit and period of the package's report regimes (one per owning agency
  and periodicity, and one per periodicity for the provinces), with some late and a few missing in
  the last periods (their values are absent too), a few revisions and values flagged implausible;
* annual plan targets at national level (the package ships those of the years to 2026, made by
  the same rule; the seed adds the generated ones of later years) and daily information items.

Regional figures are not stored: ``data_access`` computes them by each indicator's
aggregation rule from the provinces.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from domain.eras import ERA_SWITCH
from domain.periods import Period
from domain.regimes import deadline as report_deadline
from domain.regimes import latest_due
from ingest.reference import demo_records, reference_rows

PARAMETERS = Path(__file__).with_name("demo_parameters.csv")
FIRST = date(2015, 1, 1)
DAILY_DAYS = 120

# Month profile (mean ~0): the Tết dip in Jan/Feb and the year-end peak.
SEASON = np.array([-0.25, -0.9, 0.05, 0.0, 0.05, 0.1, 0.05, 0.15, 0.1, 0.15, 0.2, 0.3])
SEASON = SEASON - SEASON.mean()


@dataclass
class DemoData:
    """The generated tables as DataFrames (keys, not database ids)."""

    seed: int
    until: date
    observations: pd.DataFrame  # indicator, area, period, period_start, value, status, revision, sub, recorded_at, flag
    submissions: pd.DataFrame  # sub, agency, regime, period, received_at, status
    targets: pd.DataFrame
    daily_items: pd.DataFrame
    meta: dict = field(default_factory=dict)


@cache
def demo_catalogue() -> tuple[dict[str, str], ...]:
    """The indicators the generator makes series for, in the order of its parameter file: each
    one's configuration (from the package) in the generator's text form (``agency_code``,
    ``agg_num``, ``levels`` joined by ``;``, ``cumulative`` as ``1``/``0``...) with its
    ``gen_*`` parameters."""
    configured = {r["code"]: r for r in demo_records("indicators")}
    with open(PARAMETERS, encoding="utf-8", newline="") as fh:
        parameters = list(csv.DictReader(fh))
    return tuple({
        **p, "group_code": r["group"], "periodicity": r["periodicity"], "agency_code": r["agency"],
        "aggregation": r["aggregation"], "agg_weight": r["weight"] or "", "agg_num": r["numerator"] or "",
        "agg_den": r["denominator"] or "", "direction": r["direction"], "levels": ";".join(r["levels"]),
        "decimals": str(r["decimals"]), "cumulative": "1" if r["cumulative"] else "0",
    } for p in parameters if (r := configured.get(p["code"])) is not None)


def _rng(seed: int, name: str) -> np.random.Generator:
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def _periods(periodicity: str, until: date) -> list[Period]:
    last = latest_due(periodicity, until)
    if periodicity == "D":
        return [last.shift(-i) for i in range(DAILY_DAYS - 1, -1, -1)]
    p = Period.from_date(periodicity, FIRST)
    out = []
    while p.start <= last.start:
        out.append(p)
        p = p.next()
    return out


def _shock_weight(p: Period, deep: bool) -> float:
    """How much of the COVID-19 shock applies in period ``p`` (1 = all of it)."""
    months = [(p.year, m) for m in range(p.first_month, p.last_month + 1)]

    def month_weight(y: int, m: int) -> float:
        if y == 2020:
            return 0.0 if m == 1 else 0.5 if m <= 3 else 1.0 if m <= 6 else 0.6
        if deep and y == 2021:  # borders stayed closed to tourists all of 2021
            return 1.0
        if y == 2021:
            return 1.0 if 7 <= m <= 10 else 0.6 if m >= 11 else 0.5
        if deep and y == 2022:
            return 0.95 if m <= 3 else 0.6 if m <= 6 else 0.4
        if deep and y == 2023:
            return 0.15
        return 0.0

    return float(np.mean([month_weight(y, m) for y, m in months]))


def _season(p: Period) -> float:
    if p.periodicity == "D":
        return 0.15 if p.start.weekday() < 5 else -0.35  # working days vs weekends
    if p.periodicity == "Y":
        return 0.0
    return float(SEASON[p.first_month - 1 : p.last_month].mean())


def _constant_per_year(periods: list[Period], values: np.ndarray) -> np.ndarray:
    """Each year's first value held for the whole year (an annual plan reported monthly)."""
    out = values.copy()
    first: dict[int, float] = {}
    for i, p in enumerate(periods):
        out[i] = first.setdefault(p.year, float(values[i]))
    return out


def _num(text: str, default: float = 0.0) -> float:
    return float(text) if text not in ("", None) else default


def national_series(row: dict, periods: list[Period], seed: int) -> np.ndarray:
    """The national series of one catalogue row (before cumulation)."""
    rng = _rng(seed, "nation:" + row["code"])
    trend_text = row["gen_trend"] or "0"
    additive = trend_text.startswith("+")
    trend = float(trend_text)
    base = _num(row["gen_base"])
    season = _num(row["gen_season"])
    noise = _num(row["gen_noise"])
    shock = _num(row["gen_shock"])
    lo = _num(row["gen_min"], -np.inf)
    hi = _num(row["gen_max"], np.inf)
    n = len(periods)
    eps = rng.standard_normal(n)
    ar = np.empty(n)  # AR(1) noise: rates move smoothly, flows less so
    phi = 0.7 if additive else 0.3
    acc = 0.0
    for i in range(n):
        acc = phi * acc + np.sqrt(1 - phi * phi) * eps[i]
        ar[i] = acc
    values = np.empty(n)
    deep = shock < -0.8
    for i, p in enumerate(periods):
        years = (p.start - FIRST).days / 365.25
        if additive:
            v = base + trend * years + season * _season(p) * max(abs(base), 1.0) + noise * ar[i]
        else:
            v = base * (1 + trend) ** years * (1 + season * _season(p)) * (1 + noise * ar[i])
        v *= 1 + shock * _shock_weight(p, deep)
        values[i] = min(max(v, lo), hi)
    return values


def _province_sizes(seed: int) -> dict[str, float]:
    """Stable relative economic sizes of the 63 former provinces (sum 1)."""
    rng = _rng(seed, "shares")
    old = _areas_by_era()[0]
    big = {"79": 6.0, "01": 5.0, "74": 2.2, "75": 1.8, "31": 1.6, "77": 1.6, "22": 1.4, "27": 1.5, "48": 1.1,
           "38": 1.2, "40": 1.0, "26": 1.1, "30": 1.0, "92": 0.9}
    raw = {k: float(rng.lognormal(0.0, 0.35)) * big.get(k.split("-")[0], 0.55) for k in old}
    total = sum(raw.values())
    return {k: v / total for k, v in raw.items()}


def _areas_by_era() -> tuple[list[str], list[str], dict[str, str]]:
    """(63 old province keys, 34 new province keys, old key → new key)."""
    rows = [r for r in reference_rows("areas.csv") if r["level"] == "province"]
    old = [r["key"] for r in rows if not r["valid_from"]]
    new = [r["key"] for r in rows if not r["valid_to"]]
    succ = {r["old_key"]: r["new_key"] for r in reference_rows("area_succession.csv")}
    return old, new, succ


def generate(seed: int = 2020, until: date | None = None) -> DemoData:
    """Generate the whole demo dataset (pure: no database access)."""
    until = until or date.today()
    catalogue = list(demo_catalogue())
    by_code = {r["code"]: r for r in catalogue}
    old_keys, new_keys, succ = _areas_by_era()
    sizes_old = _province_sizes(seed)
    sizes_new: dict[str, float] = {}
    for k, s in sizes_old.items():
        sizes_new[succ[k]] = sizes_new.get(succ[k], 0.0) + s
    members_new: dict[str, list[str]] = {}
    for k in old_keys:
        members_new.setdefault(succ[k], []).append(k)

    # --- regimes, units and the submission skeleton -------------------------------------
    agencies = [{"code": u["code"], "kind": u["kind"], "area_key": u["area"] or ""} for u in demo_records("units")]
    province_unit = {a["area_key"]: a["code"] for a in agencies if a["kind"] == "province"}
    # which regime carries each indicator: its agency's, and for provincial ones the UBND's
    carried = [(r["code"], ind) for r in demo_records("regimes") for ind in r["indicators"]]
    national_regime = {ind: code for code, ind in carried if not code.startswith("UBND-")}
    provincial_regime = {ind: code for code, ind in carried if code.startswith("UBND-")}

    subs: dict[tuple[str, str, str], int] = {}  # (agency, regime, period) -> ref
    sub_rows: list[dict] = []
    compliance_rng = _rng(seed, "compliance")

    def submission_for(agency: str, regime: str, p: Period, recent_rank: int) -> int | None:
        """Create (once) the submission of ``agency`` for ``p``; None when the unit did not report."""
        key = (agency, regime, p.key)
        if key in subs:
            return subs[key]
        deadline = datetime.combine(report_deadline(p.periodicity, p), time(17, 0))
        u = compliance_rng.random()
        if recent_rank <= 2 and u < 0.05:  # a few units have not reported the latest periods
            subs[key] = None  # type: ignore[assignment]
            return None
        late = u < (0.18 if recent_rank <= 12 else 0.08)
        if p.periodicity == "D":
            received = datetime.combine(p.end + timedelta(days=1), time(8, 0)) + timedelta(
                minutes=int(compliance_rng.integers(0, 180)))
        elif late:
            received = deadline + timedelta(days=int(compliance_rng.integers(1, 9)), hours=int(compliance_rng.integers(0, 8)))
        else:
            received = deadline - timedelta(days=int(compliance_rng.integers(0, 9)), hours=int(compliance_rng.integers(0, 8)))
        received = min(received, datetime.combine(until, time(7, 0)))
        ref = len(sub_rows) + 1
        subs[key] = ref
        sub_rows.append({"sub": ref, "agency": agency, "regime": regime, "period": p.key, "received_at": received})
        return ref

    # --- series -------------------------------------------------------------------------------
    def cumulate(row: dict, ps: list[Period], values: np.ndarray) -> np.ndarray:
        if row["cumulative"] != "1":
            return values
        out = values.copy()
        for i in range(1, len(ps)):
            if ps[i].year == ps[i - 1].year:
                out[i] = out[i - 1] + values[i] if row["aggregation"] == "sum" else values[i]
        return out

    obs: list[tuple] = []
    nat_cache: dict[str, tuple[list[Period], np.ndarray]] = {}
    periods_cache: dict[str, list[Period]] = {}

    def periods_of(periodicity: str) -> list[Period]:
        if periodicity not in periods_cache:
            periods_cache[periodicity] = _periods(periodicity, until)
        return periods_cache[periodicity]

    def nat(code: str) -> np.ndarray:
        if code not in nat_cache:
            row = by_code[code]
            ps = periods_of(row["periodicity"])
            if code == "TRADE_BALANCE" and {"EXPORTS", "IMPORTS"} <= by_code.keys():
                values = nat("EXPORTS") - nat("IMPORTS")
            elif code == "PUBLIC_INV_PLAN":
                values = _constant_per_year(ps, national_series(row, ps, seed))
            elif code == "PUBLIC_INV_DISB" and {"PUBLIC_INV_DISB_VALUE", "PUBLIC_INV_PLAN"} <= by_code.keys():
                disbursed = cumulate(by_code["PUBLIC_INV_DISB_VALUE"], ps, nat("PUBLIC_INV_DISB_VALUE"))
                values = np.clip(disbursed / nat("PUBLIC_INV_PLAN") * 100, 0, 100)
            elif row["aggregation"] == "ratio" and row["agg_num"] and row["agg_den"]:
                ratio = nat(row["agg_num"]) / nat(row["agg_den"])
                values = ratio * (_num(row["gen_base"], 1.0) / ratio[0])
            else:
                values = national_series(row, ps, seed)
            nat_cache[code] = (ps, values)
        return nat_cache[code][1]

    prov_values: dict[str, dict[str, np.ndarray]] = {}

    def provincial(code: str) -> dict[str, np.ndarray]:
        """Values per province key (old keys for the old era, new keys for the new era)."""
        if code in prov_values:
            return prov_values[code]
        row = by_code[code]
        ps = periods_of(row["periodicity"])
        national = nat(code)
        rng = _rng(seed, "province:" + code)
        n = len(ps)
        out: dict[str, np.ndarray] = {}
        agg = row["aggregation"]
        if code == "PUBLIC_INV_DISB" and {"PUBLIC_INV_DISB_VALUE", "PUBLIC_INV_PLAN"} <= by_code.keys():
            value_row = by_code["PUBLIC_INV_DISB_VALUE"]
            disbursed, plan = provincial("PUBLIC_INV_DISB_VALUE"), provincial("PUBLIC_INV_PLAN")
            out = {k: np.clip(cumulate(value_row, ps, disbursed[k]) / plan[k] * 100, 0, 100) for k in disbursed}
        elif agg == "ratio" and row["agg_num"] and row["agg_den"]:
            num, den = provincial(row["agg_num"]), provincial(row["agg_den"])
            ratio0 = nat(row["agg_num"])[0] / nat(row["agg_den"])[0]
            scale = _num(row["gen_base"], 1.0) / ratio0
            out = {k: num[k] / den[k] * scale for k in num}
        elif agg in ("sum", "last"):
            jitter = 0.0 if code == "PUBLIC_INV_PLAN" else 0.04  # a plan is fixed for the year
            noise = {k: 1 + jitter * rng.standard_normal(n) for k in old_keys}
            weights_old = {k: sizes_old[k] * noise[k] for k in old_keys}
            total = sum(weights_old.values())
            old_vals = {k: national * weights_old[k] / total for k in old_keys}
            for k in old_keys:
                out[k] = old_vals[k]
            for k in new_keys:
                out[k] = sum(old_vals[m] for m in members_new[k])
        else:  # rates: national level plus a stable provincial offset
            spread = max(abs(float(np.nanmean(national))) * 0.18, _num(row["gen_noise"], 0.1))
            offset_old = {k: spread * float(rng.standard_normal()) for k in old_keys}
            lo = _num(row["gen_min"], -np.inf)
            hi = _num(row["gen_max"], np.inf)
            for k in old_keys:
                out[k] = np.clip(national + offset_old[k] + 0.3 * spread * rng.standard_normal(n), lo, hi)
            for k in new_keys:
                ms = members_new[k]
                w = np.array([sizes_old[m] for m in ms])
                mean_offset = float(np.dot(w, [offset_old[m] for m in ms]) / w.sum())
                out[k] = np.clip(national + mean_offset + 0.3 * spread * rng.standard_normal(n), lo, hi)
        prov_values[code] = out
        return out

    rank_cache: dict[str, dict[str, int]] = {}

    def recent_rank(p: Period) -> int:
        ranks = rank_cache.setdefault(p.periodicity, {})
        if not ranks:
            ps = periods_of(p.periodicity)
            for i, q in enumerate(reversed(ps)):
                ranks[q.key] = i + 1
        return ranks[p.key]

    for row in catalogue:
        code = row["code"]
        ps = periods_of(row["periodicity"])
        values = cumulate(row, ps, nat(code))
        decimals = int(row["decimals"] or 1)
        agency = row["agency_code"]
        regime = national_regime[code]
        for i, p in enumerate(ps):
            rank = recent_rank(p)
            ref = submission_for(agency, regime, p, rank if rank > 2 else 99)  # ministries always report
            status = "P" if rank == 1 and p.periodicity != "D" else "O"
            obs.append((code, "VN", p.key, p.start, round(float(values[i]), decimals + 2), status, 0, ref))
        if "province" not in row["levels"]:
            continue
        prov = provincial(code)
        regime_p = provincial_regime[code]
        for k, series in prov.items():
            series = cumulate(row, ps, series)
            is_old = k in sizes_old
            is_new = k in sizes_new
            unit = province_unit[k]
            for i, p in enumerate(ps):
                in_era = (p.end < ERA_SWITCH and is_old) or (p.end >= ERA_SWITCH and is_new)
                if not in_era:
                    continue
                rank = recent_rank(p)
                ref = submission_for(unit, regime_p, p, rank)
                if ref is None:
                    continue
                status = "P" if rank == 1 else "O"
                obs.append((code, k, p.key, p.start, round(float(series[i]), decimals + 2), status, 0, ref))

    df = pd.DataFrame(obs, columns=["indicator", "area", "period", "period_start", "value", "status", "revision", "sub"])
    df["flag"] = None

    # --- revisions and implausible values --------------------------------------------------------
    rev_rng = _rng(seed, "revisions")
    national_recent = df[(df["area"] == "VN") & df["period_start"].ge(date(until.year - 1, 1, 1))
                         & (df["status"] == "O") & ~df["period"].str.contains("-")]
    picks = national_recent.sample(n=min(24, len(national_recent)), random_state=rev_rng.integers(0, 2**31))
    revised = picks.copy()
    revised["value"] = (revised["value"] * (1 + rev_rng.normal(0, 0.02, len(revised)))).round(3)
    revised["revision"] = 1
    revised_subs = []
    for _, r in revised.iterrows():
        p_sub = sub_rows[int(r["sub"]) - 1]
        ref = len(sub_rows) + 1
        sub_rows.append({"sub": ref, "agency": p_sub["agency"], "regime": p_sub["regime"], "period": r["period"],
                         "received_at": min(p_sub["received_at"] + timedelta(days=20), datetime.combine(until, time(7)))})
        revised_subs.append(ref)
    revised["sub"] = revised_subs
    flagged = df[(df["area"] != "VN") & (df["period_start"] >= date(until.year, 1, 1))]
    flag_idx = flagged.sample(n=min(6, len(flagged)), random_state=rev_rng.integers(0, 2**31)).index
    df.loc[flag_idx, "value"] = (df.loc[flag_idx, "value"] * 3.5).round(3)
    df.loc[flag_idx, "flag"] = "implausible"
    df = pd.concat([df, revised], ignore_index=True)
    df["sub"] = df["sub"].astype("int64")

    subs_df = pd.DataFrame(sub_rows)
    recorded = subs_df.set_index("sub")["received_at"]
    df["recorded_at"] = df["sub"].map(recorded)

    targets = _targets(catalogue, nat, periods_of, until)
    daily = _daily_items(seed, until, agencies, old_keys, new_keys)
    return DemoData(seed, until, df, subs_df, targets, daily)


def _targets(catalogue, nat, periods_of, until: date) -> pd.DataFrame:
    """National annual plan targets: what the plan aimed at, near the realised path."""
    rows = []
    for row in catalogue:
        if row["direction"] == "neutral" or row["periodicity"] == "D":
            continue
        ps = periods_of(row["periodicity"])
        values = nat(row["code"])
        by_year: dict[int, list[float]] = {}
        for p, v in zip(ps, values, strict=False):
            by_year.setdefault(p.year, []).append(float(v))
        flow = row["aggregation"] == "sum" and row["cumulative"] != "1" and row["periodicity"] != "Y"
        for year in range(2016, until.year + 1):
            prev = by_year.get(year - 1)
            if not prev:
                continue
            per_year = {"M": 12, "Q": 4, "S": 2, "Y": 1}[row["periodicity"]]
            level = (sum(prev) / len(prev) * per_year) if flow else prev[-1]
            growth = 1.06 if flow else 1.0
            aim = level * growth
            at_least = row["direction"] == "up"
            rows.append({
                "indicator": row["code"], "area": "VN", "year": year,
                "value": round(aim * (1.01 if at_least else 0.99), int(row["decimals"] or 1)),
                "comparison": "at_least" if at_least else "at_most",
                "source": f"Nghị quyết của Quốc hội về Kế hoạch phát triển kinh tế - xã hội năm {year}",
            })
    return pd.DataFrame(rows)


_DAILY_TEMPLATES = [
    ("thien_tai", "warning", "Mưa lớn gây ngập úng cục bộ tại {p}", "Ghi nhận ngập úng tại một số tuyến đường; lực lượng chức năng đã triển khai phương án ứng phó, chưa có thiệt hại về người."),
    ("thien_tai", "critical", "Sạt lở đất tại {p}, đã di dời các hộ dân", "Sạt lở taluy dương trên tuyến giao thông; chính quyền địa phương đã di dời các hộ dân khỏi khu vực nguy hiểm."),
    ("kinh_te", "info", "{p}: hoạt động thương mại ổn định, hàng hóa dồi dào", "Giá cả các mặt hàng thiết yếu ổn định; không có hiện tượng găm hàng, tăng giá bất hợp lý."),
    ("kinh_te", "notice", "{p} tổ chức hội nghị xúc tiến đầu tư", "Trao quyết định chủ trương đầu tư cho một số dự án; tổng vốn đăng ký tăng so với cùng kỳ."),
    ("y_te", "notice", "{p}: giám sát chặt chẽ dịch sốt xuất huyết", "Số ca mắc tăng nhẹ so với tuần trước; ngành y tế tăng cường phun hóa chất và truyền thông phòng bệnh."),
    ("giao_thong", "warning", "Tai nạn giao thông nghiêm trọng tại {p}", "Cơ quan công an đang điều tra nguyên nhân; đã tổ chức phân luồng, bảo đảm giao thông thông suốt."),
    ("an_ninh", "info", "{p}: tình hình an ninh trật tự được bảo đảm", "Không phát sinh vụ việc phức tạp; các lực lượng duy trì trực và tuần tra theo kế hoạch."),
    ("xa_hoi", "info", "{p} chi trả trợ cấp cho người có công đúng hạn", "Việc chi trả bảo đảm đầy đủ, kịp thời, đúng đối tượng."),
    ("hanh_chinh", "notice", "{p} vận hành hệ thống thủ tục hành chính một cấp", "Tỷ lệ hồ sơ giải quyết đúng hạn đạt cao; tiếp tục rà soát, cắt giảm thủ tục."),
]


def _daily_items(seed: int, until: date, agencies, old_keys, new_keys) -> pd.DataFrame:
    rng = _rng(seed, "daily-items")
    provinces = {a["area_key"]: a for a in agencies if a["kind"] == "province"}
    names = {r["key"]: r["name_vi"] for r in reference_rows("areas.csv")}
    rows = []
    for offset in range(DAILY_DAYS, -1, -1):
        day = until - timedelta(days=offset)
        keys = new_keys if day >= ERA_SWITCH else old_keys
        for _ in range(int(rng.integers(2, 6))):
            k = keys[int(rng.integers(0, len(keys)))]
            cat, sev, title, body = _DAILY_TEMPLATES[int(rng.integers(0, len(_DAILY_TEMPLATES)))]
            rows.append({
                "item_date": day, "agency": provinces[k]["code"], "category": cat, "severity": sev,
                "title": title.format(p=names[k]), "body": body,
                "recorded_at": datetime.combine(day, time(int(rng.integers(6, 18)), int(rng.integers(0, 60)))),
            })
    return pd.DataFrame(rows)


def checksum(data: DemoData) -> str:
    """SHA-256 over the generated content, in a canonical order and text form."""
    h = hashlib.sha256()
    obs = data.observations.sort_values(["indicator", "area", "period", "revision"])
    for col in ["indicator", "area", "period", "status", "revision", "flag"]:
        h.update("\x1f".join(map(str, obs[col].tolist())).encode())
    h.update(np.round(obs["value"].to_numpy(dtype=float), 6).tobytes())
    h.update("\x1f".join(map(str, data.submissions["received_at"].tolist())).encode())
    h.update(data.targets.to_csv(index=False).encode())
    h.update(data.daily_items.to_csv(index=False).encode())
    return h.hexdigest()
