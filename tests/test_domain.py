"""Issue 15: the rules live once, in ``domain/``, and ``domain/`` stands on its own.

* dom001: the date of the 2025 era switch is written only in ``domain/`` (and the reference data);
* dom002: ``domain/`` imports only the standard library and third-party packages;
* dom003..: the moved rules (deadlines, validity at the switch, flows, target status, folding).
"""

from __future__ import annotations

import ast
import io
import math
import re
import sys
import tokenize
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from domain.aggregation import aggregate, is_flow, is_ytd_sum, rebuild
from domain.eras import ERA_DAY, ERA_SWITCH, OLD_ERA_LAST_DAY, crosses_switch, era_of, valid_on
from domain.periods import DEFAULT_SPAN, Period, default_start, parse
from domain.regimes import deadline, latest_due, periods_due_between
from domain.schedules import MONTHLY_DAY, cron_line, parse_time
from domain.targets import is_good_change, target_status, year_share
from domain.text import fold, unaccent
from scheduler.core import latest_due as last_occurrence

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ROOT / "domain"
# where the date may be written: the rules, the reference facts, the migrations that load them, tests
ALLOWED = ("domain", "data_access/reference", "migrations", "tests")
SKIPPED = (".venv", ".git", "node_modules", "build", "dist")
# the first day of the new era and the last of the old one
SWITCH_LITERAL = re.compile(r"2025\s*,\s*0?7\s*,\s*0?1\b|2025-07-01|2025\s*,\s*0?6\s*,\s*30\b|2025-06-30")


def _product_files() -> list[Path]:
    out = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if any(part in SKIPPED or part.startswith(".") for part in path.relative_to(ROOT).parts):
            continue
        if not any(rel == a or rel.startswith(a + "/") for a in ALLOWED):
            out.append(path)
    return out


def _code_without_prose(source: str) -> str:
    """``source`` without its comments and docstrings: prose may name the date, code may not."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                docstrings.add((first.lineno, first.col_offset))
    kept = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT or (tok.type == tokenize.STRING and tok.start in docstrings):
            continue
        kept.append(tok.string)
    return " ".join(kept)


def switch_literals(source: str) -> list[str]:
    """The spellings of the switch date in the code of ``source``."""
    return SWITCH_LITERAL.findall(_code_without_prose(source))


def test_dom001_the_era_switch_is_written_once():
    offenders = {path.relative_to(ROOT).as_posix(): found for path in _product_files()
                 if (found := switch_literals(path.read_text(encoding="utf-8")))}
    assert offenders == {}, f"write domain.eras.ERA_SWITCH instead of the date: {offenders}"


@pytest.mark.parametrize("code", [
    "SWITCH = date(2025, 7, 1)\n", "x = d >= date(2025,7,1)\n", "LAST = date(2025, 6, 30)\n", 'SWITCH = "2025-07-01"\n',
    'msg = f"valid from 2025-07-01"\n', "d = datetime(2025, 7, 1, 0, 0)\n",
])
def test_dom001b_the_literal_check_sees_each_spelling(code):
    assert switch_literals(code)


def test_dom001c_prose_may_name_the_date():
    code = '"""Before 2025-07-01 there were 63 provinces."""\n\n\ndef f():\n    """Since 2025-07-01."""\n    return 1  # 2025-07-01\n'
    assert switch_literals(code) == []


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: relative import"
            roots.add(node.module.split(".")[0])
    return roots


def test_dom002_domain_imports_nothing_of_the_product():
    own = {p.stem for p in ROOT.glob("*.py")} | {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    product = own - {"domain"}
    assert {"data_access", "components", "ingest", "app"} <= product  # the check knows the packages
    for path in DOMAIN.glob("*.py"):
        roots = _imported_roots(path)
        assert not roots & product, f"domain/{path.name} imports {sorted(roots & product)}"
        third_party = roots - set(sys.stdlib_module_names) - {"domain", "__future__"}
        assert third_party <= {"numpy"}, f"domain/{path.name} imports {sorted(third_party)}"


@pytest.mark.parametrize("frequency, key, day, offset, due", [
    ("M", "202509", 25, 0, date(2025, 9, 25)), ("S", "2025S2", 25, 0, date(2025, 12, 25)),
    ("D", "2025-12-31", 25, 0, date(2026, 1, 1)), ("M", "202502", 30, 0, date(2025, 2, 28)),
    ("Q", "2025Q4", 10, 2, date(2026, 2, 10)),
])
def test_dom003_the_decree_09_deadline(frequency, key, day, offset, due):
    assert deadline(frequency, parse(key), day, offset) == due


def test_dom003b_latest_due_waits_for_the_deadline():
    assert [latest_due(f, d).key for f, d in (("M", date(2025, 9, 24)), ("M", date(2025, 9, 25)),
                                              ("Q", date(2025, 9, 24)), ("D", date(2025, 7, 1)))] == [
        "202508", "202509", "2025Q2", "2025-06-30"]
    assert [p.key for p in periods_due_between("M", date(2025, 9, 25), date(2025, 9, 25))] == ["202509"]


def test_dom003c_steps_between_periods_give_the_one_built_period():
    """A period a step or a year away is built once (its key and dates computed once), and is the
    period its key names."""
    p = parse("2024Q1")
    assert p.same_period_last_year() is p.same_period_last_year() is parse("2022Q4").next()
    assert p.same_period_last_year() == Period("Q", 2023, 1) and p.same_period_last_year().key == "2023Q1"
    assert p.shift(-5) == parse("2022Q4") and p.year_start() is parse("2024Q3").year_start()
    assert parse("2025").previous().key == "2024" and parse("202401").previous().key == "202312"


def test_dom004_validity_at_the_switch():
    assert OLD_ERA_LAST_DAY == date(2025, 6, 30) and ERA_DAY == {"63": OLD_ERA_LAST_DAY, "34": ERA_SWITCH}
    assert era_of(OLD_ERA_LAST_DAY) == "63" and era_of(ERA_SWITCH) == "34"
    old, new = (None, OLD_ERA_LAST_DAY), (ERA_SWITCH, None)
    assert valid_on(*old, OLD_ERA_LAST_DAY) and not valid_on(*old, ERA_SWITCH)
    assert not valid_on(*new, OLD_ERA_LAST_DAY) and valid_on(*new, ERA_SWITCH)
    assert valid_on(None, None, date(1900, 1, 1))
    assert valid_on(date(2025, 1, 1), date(2025, 1, 1), date(2025, 1, 1))  # both ends inclusive
    # a period belongs to the era of its end: 2025Q2 ends on the old era's last day
    assert crosses_switch("2025Q2", "2025Q3") and not crosses_switch("2025Q1", "2025Q2")
    assert not crosses_switch("202507", "202512")


def test_dom005_flows_and_stocks():
    ind = SimpleNamespace
    assert is_flow(ind(aggregation="sum", cumulative=False, periodicity="M"))
    assert is_flow(ind(aggregation="sum", cumulative=False, periodicity="S"))
    assert not is_flow(ind(aggregation="sum", cumulative=False, periodicity="Y"))  # a year is its own total
    assert not is_flow(ind(aggregation="sum", cumulative=False, periodicity="D"))
    assert not is_flow(ind(aggregation="sum", cumulative=True, periodicity="M"))  # already year to date
    assert not is_flow(ind(aggregation="last", cumulative=False, periodicity="M"))  # a stock
    assert is_ytd_sum(ind(aggregation="sum", cumulative=True, periodicity="M"))
    assert not is_ytd_sum(ind(aggregation="mean", cumulative=True, periodicity="M"))


def test_dom006_aggregation_rules():
    values = {"a": 10.0, "b": 30.0, "c": None}
    assert aggregate("sum", values) == aggregate("last", values) == 40.0
    assert aggregate("mean", values) == 20.0
    assert aggregate("weighted", values, weights={"a": 3.0, "b": 1.0}) == 15.0
    # ratio: the sums' ratio scaled by the provinces' own unit factor (here percent)
    assert aggregate("ratio", {"a": 50.0, "b": 25.0}, num={"a": 1.0, "b": 1.0}, den={"a": 2.0, "b": 4.0}) == \
        pytest.approx(100 * 2 / 6)
    # the factor is the median of the provinces' own (three: the middle one; here 100, not 1,000)
    assert aggregate("ratio", {"a": 50.0, "b": 25.0, "c": 500.0}, num={"a": 1.0, "b": 1.0, "c": 1.0},
                     den={"a": 2.0, "b": 4.0, "c": 2.0}) == pytest.approx(100 * 3 / 8)
    # a province whose numerator is 0 tells nothing of the factor (it was a division by zero)
    assert aggregate("ratio", {"a": 50.0, "b": 0.0}, num={"a": 1.0, "b": 0.0}, den={"a": 2.0, "b": 4.0}) == \
        pytest.approx(100 * 1 / 6)
    assert aggregate("ratio", {"a": 0.0, "b": 0.0}, num={"a": 0.0, "b": 0.0}, den={"a": 2.0, "b": 4.0}) == 0.0
    nan = float("nan")
    assert math.isnan(aggregate("ratio", {"a": 50.0, "b": 25.0}, num={"a": 1.0, "b": nan}, den={"a": 2.0, "b": 4.0}))
    assert aggregate("none", values) != aggregate("none", values)  # NaN
    assert rebuild("sum", {"a": 1.0}, expected=2) != rebuild("sum", {"a": 1.0}, expected=2)  # a partial sum: NaN
    assert rebuild("sum", {"a": 1.0, "b": 2.0}, expected=2) == 3.0


def test_dom007_targets_and_directions():
    assert target_status(100, 100, "at_least") == "on_track" and target_status(95, 100, "at_least") == "at_risk"
    assert target_status(94.9, 100, "at_least") == "off_track" and target_status(3.0, 4.5, "at_most") == "on_track"
    assert target_status(float("nan"), 1, "at_least") is None and target_status(1, None, "at_least") is None
    assert year_share(parse("2025Q3")) == 0.75 and year_share(parse("202512")) == 1.0
    assert year_share(parse("2025-02-01")) == 32 / 365
    assert is_good_change(1.0, "up") is True and is_good_change(1.0, "down") is False
    assert is_good_change(-1.0, "down") is True and is_good_change(1.0, "neutral") is None
    assert is_good_change(None, "up") is None


def test_dom008_default_span_and_folding():
    assert {k: len(range(v)) for k, v in DEFAULT_SPAN.items()} == {"D": 90, "M": 36, "Q": 12, "S": 8, "Y": 10}
    assert default_start(parse("202512")).key == "202301" and default_start(parse("2025")).key == "2016"
    assert default_start(Period.from_date("D", datetime(2025, 3, 31).date())).key == "2025-01-01"
    assert fold("Tỷ lệ thất nghiệp ĐÀ NẴNG") == "ty le that nghiep da nang"
    assert unaccent("Báo cáo Đà Nẵng") == "Bao cao Da Nang"


def test_dom009_domain_and_data_access_pass_mypy_strict():
    """The rules and the reads are typed: ``mypy --strict domain data_access`` (the ``[tool.mypy]``
    section of pyproject.toml, which names the same packages) reports no error."""
    api = pytest.importorskip("mypy.api")
    # mypy's own incremental cache (ignored by git): a later run re-checks only what changed
    out, err, status = api.run(["--strict", "--cache-dir", str(ROOT / ".mypy_cache"), "--config-file", str(ROOT / "pyproject.toml"),
                                str(DOMAIN), str(ROOT / "data_access")])
    assert status == 0 and "Success: no issues found" in out, out + err


# -- subscription schedules (domain/schedules.py), as the scheduler reads them (scheduler.core.latest_due) ----


def due(cadence: str, at: str, now: datetime, *, weekday: int | None = None,
        after: datetime = datetime(2026, 1, 1)) -> datetime | None:
    """The latest occurrence (UTC) of a subscription schedule in ``(after, now]``."""
    line = cron_line(cadence, at, weekday)
    assert line is not None
    return last_occurrence(line, after, now)


def test_dom010_daily_at_a_time_of_hanoi():
    assert cron_line("daily", "07:30") == "30 7 * * *"
    # 07:30 in Hà Nội is 00:30 UTC; 06:00 there is 23:00 UTC the day before
    assert due("daily", "07:30", datetime(2026, 12, 3, 0, 29)) == datetime(2026, 12, 2, 0, 30)
    assert due("daily", "07:30", datetime(2026, 12, 3, 0, 30)) == datetime(2026, 12, 3, 0, 30)
    assert due("daily", "06:00", datetime(2026, 12, 3, 23, 5)) == datetime(2026, 12, 3, 23, 0)


def test_dom011_weekly_on_its_weekday():
    assert cron_line("weekly", "08:00", 0) == "0 8 * * mon" and cron_line("weekly", "08:00", 6) == "0 8 * * sun"
    # 2026-12-03 is a Thursday: the last Monday 08:00 (01:00 UTC) was 30 November, the last Sunday the 29th
    assert date(2026, 12, 3).weekday() == 3
    assert due("weekly", "08:00", datetime(2026, 12, 3, 12), weekday=0) == datetime(2026, 11, 30, 1, 0)
    assert due("weekly", "08:00", datetime(2026, 12, 3, 12), weekday=6) == datetime(2026, 11, 29, 1, 0)
    assert due("weekly", "08:00", datetime(2026, 12, 3, 12), weekday=3) == datetime(2026, 12, 3, 1, 0)
    with pytest.raises(ValueError):
        cron_line("weekly", "08:00", None)
    with pytest.raises(ValueError):
        cron_line("weekly", "08:00", 7)


def test_dom012_monthly_the_day_after_the_decree_09_deadline():
    for month in range(1, 13):  # every month, February too: the day after the 25th exists
        deadline_day = deadline("M", parse(f"2027{month:02d}"))
        assert deadline_day.day + 1 == MONTHLY_DAY
        got = due("monthly", "07:00", datetime(2027, month, 28), after=datetime(2026, 12, 31))
        assert got == datetime.combine(deadline_day, datetime.min.time()).replace(day=MONTHLY_DAY)  # 07:00 = 00:00 UTC
    # before this month's day, the latest is last month's: across the year's end too
    assert due("monthly", "07:00", datetime(2027, 1, 25, 23)) == datetime(2026, 12, 26, 0, 0)
    assert due("monthly", "07:00", datetime(2027, 3, 1)) == datetime(2027, 2, 26, 0, 0)


def test_dom013_latest_due_across_month_ends_without_daylight_saving():
    # 06:30 in Hà Nội on the 1st is 23:30 UTC on the last day of the month before (30, 31, 28 or 29 days)
    for first in (date(2026, 12, 1), date(2027, 1, 1), date(2027, 3, 1), date(2028, 3, 1), date(2026, 5, 1)):
        the_day_before = datetime.combine(first, datetime.min.time()) - timedelta(days=1)
        assert due("daily", "06:30", the_day_before.replace(hour=23, minute=45), after=datetime(2025, 12, 1)) \
            == the_day_before.replace(hour=23, minute=30)
    # Viet Nam keeps UTC+7 all year: no day on which 07:00 is not 00:00 UTC (Europe and America change clocks
    # on 8 and 29 March, 25 October and 1 November 2026)
    for day in (date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 29), date(2026, 3, 30), date(2026, 10, 25),
                date(2026, 10, 26), date(2026, 11, 1), date(2026, 11, 2), date(2026, 7, 1)):
        noon = datetime.combine(day, datetime.min.time()).replace(hour=12)
        assert due("daily", "07:00", noon, after=datetime(2025, 12, 1)) == noon.replace(hour=0)


def test_dom014_missed_occurrences_give_only_the_latest_and_none_twice():
    # the scheduler was away for a month: of the thirty 07:00s only the latest is due
    assert due("daily", "07:00", datetime(2026, 12, 3, 9), after=datetime(2026, 11, 3, 9)) == datetime(2026, 12, 3)
    # nothing new after the occurrence already run
    assert due("daily", "07:00", datetime(2026, 12, 3, 23, 59), after=datetime(2026, 12, 3)) is None
    assert due("monthly", "07:00", datetime(2026, 12, 20), after=datetime(2026, 11, 26)) is None
    assert due("weekly", "08:00", datetime(2026, 12, 6), weekday=0, after=datetime(2026, 11, 30, 1)) is None


@pytest.mark.parametrize("text", ["7", "7:5", "24:00", "07:60", "ab:cd", "", "-1:00", "07:00:00"])
def test_dom015_a_time_of_day_is_hh_mm(text):
    with pytest.raises(ValueError):
        parse_time(text)
    with pytest.raises(ValueError):
        cron_line("daily", text)


def test_dom016_when_new_data_arrives_has_no_clock_time():
    assert parse_time("7:05") == (7, 5) and parse_time(" 23:59 ") == (23, 59)
    assert cron_line("on_data", "07:00") is None
    with pytest.raises(ValueError):
        cron_line("hourly", "07:00")
