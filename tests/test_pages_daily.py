"""Issue 6: the daily brief's figures against the warehouse (callback called directly)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text

from components.fast import texts as _texts
from i18n import fmt_number


def test_dly001_daily_brief_matches_the_warehouse(seeded_app):
    from dashboards.daily import render
    from data_access.daily import latest_day
    from data_access.engine import current_warehouse

    with seeded_app.test_request_context("/"):
        day = latest_day()
        assert day == date(2026, 11, 25)
        with current_warehouse().engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT i.code, i.decimals, c.period, c.value FROM current_observation c "
                "JOIN indicator i ON i.id = c.indicator_id JOIN area a ON a.id = c.area_id "
                "WHERE i.periodicity = 'D' AND a.key = 'VN' AND c.period IN (:d, :p)"),
                {"d": day.isoformat(), "p": (day - timedelta(days=1)).isoformat()}).all()
            n_items = conn.execute(text("SELECT count(*) FROM daily_item WHERE item_date = :d"),
                                   {"d": day}).scalar()
        tiles, items = render(day.isoformat(), None, None, "vi")
        strings = _texts(tiles)
        today = {r.code: r for r in rows if r.period == day.isoformat()}
        before = {r.code: r for r in rows if r.period != day.isoformat()}
        assert len(today) >= 6
        for code, r in today.items():
            assert fmt_number(r.value, r.decimals, "vi") in strings, code
            pct = (r.value / before[code].value - 1) * 100
            sign = "+" if round(pct, 1) > 0 else "−" if round(pct, 1) < 0 else "±"
            assert f"{sign}{fmt_number(abs(round(pct, 1)), 1, 'vi')}%" in strings, code
        item_rows = [s for s in _texts(items) if s.strip() == "Mới"]
        assert len(item_rows) == n_items > 0
        english = _texts(render(day.isoformat(), None, None, "en")[0])
        assert "Daily indicators" in english
        critical = _texts(render(day.isoformat(), None, "critical", "vi")[1])
        assert all(s != "Cảnh báo" for s in critical)
