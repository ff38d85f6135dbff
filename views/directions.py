"""What the directions' screens show and who may act: the viewer of the request, whether it may
create (a leader's direction is assigned at once, an analyst's is a draft), the "Giao nhiệm vụ"
address of a tile, a chart, a province profile, a compliance row or a daily item, and the
form's pre-fill from that address (indicator, area, period, the unit responsible for the
indicator there, a suggested title)."""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app, has_request_context, request

from auth.guard import current_principal
from auth.guard import engine as write_engine
from auth.policy import ADMIN, ANALYST, DISPLAY, LEADER, REPORTER
from components.directions import deadline_words, measures_by_unit_of, with_assign
from components.shell import with_lang
from components.urlstate import as_date
from data_access.catalogue import NotFound, agencies, area_map, get_indicator, indicator_map
from data_access.directions import (
    DirectionDetail,
    DirectionFilters,
    DirectionRow,
    center_today,
    daily_directions,
    direction_counts,
    direction_detail,
    direction_unit_measures,
    indicator_direction_markers,
    list_directions,
    unit_open_directions,
)
from directions import service
from directions.attachments import Upload
from directions.errors import DirectionError
from domain import directions as rules
from domain.directions import FILTER_STATES, ORIGINS, OVERDUE, STATES, Viewer
from domain.periods import PeriodError, parse
from i18n import MESSAGES, fmt_date, format_period, t

NEW_PATH = "/directions/new"
FILES_PATH = "/direction-files"  # /<ref>/<id>: an attachment's download (views.direction_files)
CREATORS = frozenset({ADMIN, LEADER, ANALYST})


def viewer() -> Viewer:
    """The request's viewer for the directions' reads: role, unit (a reporter's or a token's) and
    clearance. A wall's display token reads the wall's summaries only; with access control off
    (a single-user desk) the viewer is an admin."""
    p = current_principal() if has_request_context() else None
    if p is None:
        off = has_request_context() and not current_app.config["SETTINGS"].auth_required
        return Viewer(ADMIN, None, True) if off else Viewer(DISPLAY)
    return service.viewer_of(p)


def may_create() -> bool:
    """Leaders and admins assign; analysts draft for a leader's approval."""
    return viewer().role in CREATORS


def drafts_only() -> bool:
    """An analyst's new direction is a draft awaiting a leader's approval."""
    return viewer().role == ANALYST


def is_unit_viewer() -> bool:
    return viewer().role == REPORTER


def assign_href(origin: str, lang: str, *, indicator: str | None = None, area: str | None = None,
                period: str | None = None, unit: str | None = None, item: str | None = None) -> str:
    """The address of the "Giao nhiệm vụ" form pre-filled with what was on screen."""
    return with_lang(NEW_PATH, lang, origin=origin, indicator=indicator, area=area, period=period, unit=unit,
                     item=item)


@dataclass(frozen=True)
class Prefill:
    """What the form starts with (every value checked against the catalogue)."""

    origin: str
    indicator: str | None = None
    area: str | None = None
    period: str | None = None
    lead_unit: str | None = None
    cooperating: tuple[str, ...] = ()
    title: str = ""
    context: dict[str, Any] = field(default_factory=dict)  # the indicator, area and period shown


def _unit_names(lang: str) -> dict[str, str]:
    """Unit code -> its full name ("Bộ Công Thương"), as a direction's title names it."""
    df = agencies()
    return dict(zip(df["code"], df["name_en" if lang == "en" else "name_vi"], strict=True))


def province_unit(area: str | None) -> str | None:
    """The people's committee of a province (the unit that answers for it), if there is one."""
    if not area:
        return None
    df = agencies("province")
    found = df[(df["area_key"] == area) & df["active"].astype(bool)]
    return str(found["code"].iloc[0]) if not found.empty else None


def prefill(origin: Any, lang: str, *, indicator: Any = None, area: Any = None, period: Any = None,
            unit: Any = None, item: Any = None) -> Prefill:
    """The form's values from its address. The lead unit: the unit named (a compliance row, a daily
    item), else a province's committee for a province's figure (the indicator's own agency
    co-operating), else the agency responsible for the indicator. Unknown values are dropped."""
    origin = origin if origin in ORIGINS else "page"
    names = _unit_names(lang)
    try:
        ind = get_indicator(str(indicator)) if indicator else None
    except NotFound:  # unknown, or confidential to this viewer
        ind = None
    a = area_map().get(str(area)) if area else None
    try:
        key = parse(str(period)).key if period else None
    except PeriodError:
        key = None
    lead = str(unit) if unit and str(unit) in names else None
    cooperating: list[str] = []
    if lead is None and a is not None and a.level == "province":
        lead = province_unit(a.key)
        if lead and ind is not None and ind.agency_code in names and ind.agency_code != lead:
            cooperating.append(ind.agency_code)
    if lead is None and ind is not None and ind.agency_code in names:
        lead = ind.agency_code
    title = suggested_title(lang, names.get(lead or "", ""), ind.name(lang) if ind else None,
                            a.name(lang) if a is not None and a.key != "VN" else None,
                            format_period(key, lang) if key else None, str(item)[:200] if item else None)
    context = {k: v for k, v in (("indicator", ind.code if ind else None), ("area", a.key if a else None),
                                 ("period", key)) if v}
    return Prefill(origin, ind.code if ind else None, a.key if a else None, key, lead, tuple(cooperating), title,
                   context)


def suggested_title(lang: str, unit: str, indicator: str | None, area: str | None, period: str | None,
                    item: str | None = None) -> str:
    """"Bộ Công Thương báo cáo nguyên nhân, đề xuất giải pháp về Chỉ số sản xuất công nghiệp (Tháng
    11/2026)"; for a daily item, its title; without an indicator, the unit's report."""
    if item:
        return t("dir.suggested.item", lang, unit=unit, item=item).strip()
    if indicator is None and area:
        return t("dir.suggested.area_only", lang, unit=unit, area=area).strip()
    if indicator is None:
        return t("dir.suggested.unit", lang, unit=unit).strip() if unit else ""
    return t("dir.suggested", lang, unit=unit, indicator=indicator,
             area=t("dir.suggested.area", lang, area=area) if area else "",
             period=t("dir.suggested.period", lang, period=period) if period else "").strip()


# --- the reads, as the screens draw them ----------------------------------------------------------

MEASURE_MONTHS = 12


def _name(row: Any, lang: str) -> str:
    return str(row.unit_en if lang == "en" else row.unit_vi)


def as_dict(row: DirectionRow, lang: str) -> dict[str, Any]:
    """A direction's row for :mod:`components.directions` (the lead unit named in ``lang``)."""
    return {**row._asdict(), "unit_code": row.unit, "unit": _name(row, lang)}


def filter_choices(lang: str) -> dict[str, list[dict[str, str]]]:
    """The options of the page's filters: active reporting units, states (overdue included),
    indicators this viewer may see, and the nation, regions and provinces of today's map."""
    units = agencies()
    units = units[units["active"].astype(bool) & (units["kind"] != "government") & units["valid_to"].isna()]
    name = "short_en" if lang == "en" else "short_vi"
    areas = [a for a in area_map().values() if a.level in ("nation", "region", "province") and a.valid_to is None]
    return {
        "unit": [{"label": f"{r[name]} ({r['code']})", "value": r["code"]} for _, r in units.iterrows()],
        "state": [{"label": t(f"dir.state.{s}", lang), "value": s} for s in (OVERDUE, *STATES)],
        "indicator": [{"label": f"{i.name(lang)} ({i.code})", "value": i.code} for i in indicator_map().values()],
        "area": [{"label": a.name(lang), "value": a.key} for a in areas],
    }


def filters_from(*, q: Any = None, unit: Any = None, state: Any = None, leader: Any = None, indicator: Any = None,
                 area: Any = None, start: Any = None, end: Any = None) -> DirectionFilters:
    """The filters as the page sends them, each checked (hostile input gives no filter)."""

    def text(value: Any, n: int) -> str | None:
        return value.strip()[:n] or None if isinstance(value, str) else None

    return DirectionFilters(unit=text(unit, 24), state=state if state in FILTER_STATES else None,
                            deadline_from=as_date(start), deadline_to=as_date(end), leader=text(leader, 80),
                            indicator=text(indicator, 40), area=text(area, 24), text=text(q, 200), sort="-issued_on")


@dataclass(frozen=True)
class Listing:
    rows: list[dict[str, Any]]
    total: int
    today: date


def listing(filters: DirectionFilters, *, page: int, page_size: int, lang: str) -> Listing:
    """One page of the list for the request's viewer."""
    today = center_today()
    found = list_directions(filters, page=page, page_size=page_size, viewer=viewer(), today=today)
    return Listing([as_dict(r, lang) for r in found.rows], found.total, today)


def counts() -> dict[str, int]:
    """Open, overdue, due this week and recently closed (the list's cards)."""
    n = direction_counts(center_today(), viewer())
    return {"open": n.open, "overdue": n.overdue, "week": n.due_this_week, "closed": n.recently_closed}


def measures_by_unit(lang: str, months: int = MEASURE_MONTHS) -> dict[str, list[tuple[str, float]]]:
    """Each measure per lead unit over the last ``months`` months, largest first: the on-time
    completion rate (%) of the directions closed, the mean days overdue of those closed late,
    and the open load at the end of the current month."""
    return measures_by_unit_of(direction_unit_measures(viewer(), months, center_today()), lang)


# --- a direction's page -------------------------------------------------------------------------------

NEEDS_DEADLINE = rules.NEEDS_DEADLINE
PRIMARY = frozenset({rules.APPROVE, rules.DONE, rules.CLOSE, rules.EXTEND, rules.PROGRESS})
UNIT_UPLOADS = frozenset({rules.PROGRESS, rules.DONE, rules.REQUEST_EXTENSION})


def file_href(ref: str, attachment_id: int) -> str:
    """Where an attachment is downloaded (the route checks the viewer may see the direction)."""
    return f"{FILES_PATH}/{ref}/{attachment_id}"


def acting_role_on(detail: DirectionDetail, who: Viewer) -> str | None:
    """The role ``who`` acts in on this direction (a unit: lead or co-operating)."""
    relation = next((u.role for u in detail.units if who.unit and u.code == who.unit), None)
    return rules.acting_role(who.role, relation)


def detail(ref: str, lang: str) -> dict[str, Any] | None:
    """A direction as its page shows it, with the actions the viewer may take; None when there is
    none or the viewer may not see it."""
    who = viewer()
    found = direction_detail(ref, who, center_today())
    if found is None:
        return None
    row = as_dict(found.row, lang)
    today = center_today()
    role = acting_role_on(found, who)
    allowed = rules.actions_for(found.row.state, role) if role else ()
    offered = tuple(a for a in allowed if a != rules.EDIT)  # editing has its own form
    if found.pending_extension is None:
        offered = tuple(a for a in offered if a != rules.REFUSE_EXTENSION)
    name = "name_en" if lang == "en" else "name_vi"
    deadline = deadline_words(row, today, lang)
    if found.first_deadline != found.row.deadline:
        deadline += f" ({t('dir.field.first_deadline', lang)}: {fmt_date(found.first_deadline, lang)})"
    origin = t(f"dir.origin.{found.origin}", lang) if found.origin in ORIGINS else found.origin
    context = ", ".join(str(v) for v in found.origin_context.values() if isinstance(v, str))
    events = [{"at": e.at, "actor": e.actor, "agency": e.unit, "kind": e.kind, "from_state": e.from_state,
               "to_state": e.to_state, "text": e.text, "new_deadline": e.new_deadline} for e in found.events]
    files = [a._asdict() for a in found.attachments]
    subtitle = " · ".join(x for x in (
        found.row.ref, t(f"dir.form.{found.row.form}", lang) + (f" {found.row.doc_number}" if found.row.doc_number else ""),
        found.row.leader, fmt_date(found.row.issued_on, lang)) if x)
    return {
        "row": row, "subtitle": subtitle, "content": found.content, "deadline_text": deadline,
        "lead": next((getattr(u, name) for u in found.units if u.role == rules.LEAD), row["unit"]),
        "cooperating": [getattr(u, name) for u in found.units if u.role == rules.COOPERATE],
        "indicators": [(getattr(i, name), with_lang(f"/indicator/{i.key}", lang)) for i in found.indicators],
        "areas": [getattr(a, name) for a in found.areas],
        "origin": f"{origin} ({context})" if context else origin, "created_by": found.created_by,
        "events": events, "attachments": files, "file_href": lambda a: file_href(found.row.ref, a["id"]),
        "actions": offered, "uploads": bool(set(offered) & UNIT_UPLOADS), "pending_extension": found.pending_extension,
        "editable": rules.EDIT in allowed, "edit_values": _edit_values(found),
    }


def _edit_values(found: DirectionDetail) -> dict[str, str]:
    """The editable fields (``directions.service.EDITABLE``) as they are now."""
    return {"title": found.row.title, "content": found.content or "", "form": found.row.form,
            "doc_number": found.row.doc_number or "", "leader": found.row.leader or "", "priority": found.row.priority}


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str
    ref: str | None = None


def _uploads(contents: Any, names: Any) -> list[Upload]:
    """The files of a ``dcc.Upload`` (data URLs) as the service reads them; what is not a data URL
    is dropped (the service checks each file's kind and size)."""
    contents = contents if isinstance(contents, list) else [contents] if contents else []
    names = names if isinstance(names, list) else [names] if names else []
    out = []
    for content, name in zip(contents, names, strict=False):
        if not isinstance(content, str) or "," not in content or not isinstance(name, str):
            continue
        try:
            data = base64.b64decode(content.split(",", 1)[1], validate=True)
        except (binascii.Error, ValueError):
            continue
        out.append(Upload(name, io.BytesIO(data)))
    return out


def _refusal(err: DirectionError, lang: str) -> str:
    reason = t(err.key, lang, **err.params)
    if err.field:
        reason = f"{t('dir.field.' + err.field, lang) if 'dir.field.' + err.field in MESSAGES else err.field}: {reason}"
    return t("dir.refused", lang, reason=reason)


def act_on(ref: str, action: str, *, text: Any, deadline: Any, contents: Any, names: Any, lang: str,
           edits: dict[str, Any] | None = None) -> Outcome:
    """One action of the signed-in user on ``ref`` through the service (one transaction, audited);
    ``edits``: the edit form's fields (an edit changes those that differ from the direction's)."""
    if action not in rules.ACTIONS:
        return Outcome(False, t("dir.forbidden", lang))
    changes = None
    if action == rules.EDIT:
        found = direction_detail(ref, viewer(), center_today())
        now = _edit_values(found) if found is not None else {}
        changes = {k: v for k, v in (edits or {}).items() if k in now and isinstance(v, str) and v != now[k]}
        if found is not None and not changes:
            return Outcome(False, t("dir.edit.unchanged", lang), ref)
    try:
        with write_engine().begin() as conn:
            state = service.act(conn, actor(), ref, action, text=text if isinstance(text, str) else None,
                                new_deadline=as_date(deadline), attachments=_uploads(contents, names), fields=changes)
    except DirectionError as err:
        return Outcome(False, _refusal(err, lang), ref)
    return Outcome(True, t("dir.act.done", lang, state=t(f"dir.state.{state}", lang)), ref)


# --- the "Giao nhiệm vụ" form ----------------------------------------------------------------------


def actor() -> service.Actor:
    """The signed-in user as the service's actor (an admin when access control is off)."""
    p = current_principal()
    if p is None:
        return service.Actor("admin", ADMIN, None, True, "admin", request.remote_addr)
    return service.actor_of(p, request.remote_addr)


def create_direction(fields: dict[str, Any], lang: str) -> Outcome:
    """Create the direction of the form (assigned, or a draft for an analyst); its ref, or the
    refusal naming its field."""
    try:
        with write_engine().begin() as conn:
            ref = service.create(conn, actor(), fields)
    except DirectionError as err:
        return Outcome(False, _refusal(err, lang))
    return Outcome(True, ref, ref)


def leader_name() -> str:
    """The issuing leader by default: the signed-in user's name (an analyst's draft: empty, for the
    leader who will approve it)."""
    p = current_principal()
    if p is None or p.role == ANALYST:
        return ""
    return p.display_name or p.name


def origin_words(pre: Prefill, lang: str) -> str:
    """"ô chỉ tiêu · Chỉ số sản xuất công nghiệp · Hà Nội · Tháng 11/2026": where the form was
    opened from and what was on screen ("" when opened from the directions page)."""
    if pre.origin == "page" and not pre.context:
        return ""
    parts = [t(f"dir.origin.{pre.origin}", lang)]
    if pre.indicator:
        parts.append(indicator_map()[pre.indicator].name(lang))
    if pre.area:
        parts.append(area_map()[pre.area].name(lang))
    if pre.period:
        parts.append(format_period(pre.period, lang))
    return " · ".join(parts)


def daily(day: date, lang: str, *, current: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]], date]:
    """The daily brief's directions: due on the day and overdue on it, and that day — today on the
    centre's calendar for the current brief (``current``: the newest day of daily figures, which
    may be a day or two behind), else the brief's own day."""
    day = max(day, center_today()) if current else day
    found = daily_directions(day, viewer())
    return [as_dict(r, lang) for r in found.due_today], [as_dict(r, lang) for r in found.overdue], day


def markers(indicator_code: str) -> list[dict[str, Any]]:
    """The directions about an indicator, for its trend (issued, closed)."""
    return [m._asdict() for m in indicator_direction_markers(indicator_code, viewer())]


def unit_open() -> dict[str, tuple[int, int]]:
    """Lead unit's code -> (open, overdue) directions, for the compliance rows."""
    return unit_open_directions(center_today(), viewer())


def tiles_with_assign(tiles: list[dict], kpis: list[Any], lang: str, area: str) -> list[dict]:
    """Each KPI tile with its "Giao nhiệm vụ" (indicator, area and period of the tile) for the
    viewers who may create; the tiles as they are for the others."""
    if not may_create():
        return tiles
    imap = indicator_map()
    return [with_assign(tile, assign_href("tile", lang, indicator=k.code, area=area, period=k.period),
                        t("dir.assign_about", lang, what=imap[k.code].name(lang)), lang)
            for tile, k in zip(tiles, kpis, strict=True)]
