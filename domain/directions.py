"""Directions ("chỉ đạo, điều hành"): a leader's direction assigned to units and followed until closed.

The rules, pure (no SQL, Flask or Dash):

* the states and the **transition table** ``(state, action, role) -> new state``: the one place
  the rules of who may do what live (:data:`TRANSITIONS`, read by :func:`next_state`);
* **overdue is computed, never stored**: an open direction (assigned, in progress, returned) whose
  deadline has passed on the centre's calendar (Asia/Ho_Chi_Minh), :func:`is_overdue`;
* **extensions**: requested by the lead unit, granted (with a new deadline) or refused by a
  leader or an admin; every deadline stays in the history (:func:`deadline_history`);
* **who sees what** (:class:`Viewer`, :func:`may_see`): confidential directions (about a
  confidential indicator) only for viewers cleared for confidential indicators and for the units
  the direction is assigned to.

Roles in the table are *acting roles*: a user's role (admin, leader, analyst) or, for a reporter
or a unit's API token, its relation to the direction (:data:`LEAD_UNIT`, :data:`COOPERATING_UNIT`,
:func:`acting_role`): a cooperating unit reports progress, only the lead unit reports the
direction done or asks for more time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

CENTER_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# --- states ------------------------------------------------------------------------------------
DRAFT, ASSIGNED, IN_PROGRESS, REPORTED_DONE, RETURNED, CLOSED, CANCELLED = (
    "draft", "assigned", "in_progress", "reported_done", "returned", "closed", "cancelled")
STATES = (DRAFT, ASSIGNED, IN_PROGRESS, REPORTED_DONE, RETURNED, CLOSED, CANCELLED)
#: open: the unit still owes work; such a direction past its deadline is overdue
OPEN_STATES = frozenset({ASSIGNED, IN_PROGRESS, RETURNED})
#: the pseudo-state of the filters: open and past its deadline (never stored)
OVERDUE = "overdue"
#: states a list may be filtered on (``overdue`` included)
FILTER_STATES = (*STATES, OVERDUE)
#: states whose direction is still followed (not a draft, not finished)
ACTIVE_STATES = frozenset({ASSIGNED, IN_PROGRESS, RETURNED, REPORTED_DONE})

# --- actions (each is also the ``kind`` of the event it writes) -----------------------------------
CREATE = "create"  # from NEW: a leader's direction is assigned at once, an analyst's is a draft
APPROVE = "approve"  # a leader approves an analyst's draft
EDIT = "edit"  # fields changed (title, content, units, ...), the state unchanged
PROGRESS = "progress"  # a unit's progress report
DONE = "done"  # the lead unit reports the direction done (with evidence)
REQUEST_EXTENSION = "request_extension"  # the lead unit asks for a new deadline
EXTEND = "extend"  # a leader grants an extension (or extends on their own): a new deadline
REFUSE_EXTENSION = "refuse_extension"  # a leader refuses the pending request
CLOSE = "close"  # the centre accepts the result
RETURN = "return"  # the centre sends the result back: work goes on
CANCEL = "cancel"  # withdrawn (a draft rejected, a direction no longer needed)
ACTIONS = (CREATE, APPROVE, EDIT, PROGRESS, DONE, REQUEST_EXTENSION, EXTEND, REFUSE_EXTENSION, CLOSE, RETURN, CANCEL)
#: the state a direction is in before it exists (the ``from`` of ``create``)
NEW = "new"
#: actions that need a new deadline; actions that need a text
NEEDS_DEADLINE = frozenset({REQUEST_EXTENSION, EXTEND})
NEEDS_TEXT = frozenset({PROGRESS, DONE, REQUEST_EXTENSION, RETURN, REFUSE_EXTENSION})

# --- roles ---------------------------------------------------------------------------------------
ADMIN, LEADER, ANALYST, REPORTER, DISPLAY, UNIT_TOKEN = "admin", "leader", "analyst", "reporter", "display", "unit-token"
LEAD_UNIT, COOPERATING_UNIT = "lead_unit", "cooperating_unit"
ACTING_ROLES = (ADMIN, LEADER, ANALYST, LEAD_UNIT, COOPERATING_UNIT)
UNIT_ROLES = frozenset({REPORTER, UNIT_TOKEN})  # principals bound to one unit
LEAD, COOPERATE = "lead", "cooperate"  # ``direction_unit.role``
FORMS = ("thong_bao_ket_luan", "cong_dien", "chi_thi", "van_ban")
PRIORITIES = ("urgent", "high", "normal")
ORIGINS = ("tile", "chart", "profile", "compliance", "daily", "page", "api")

_CENTRE = (ADMIN, LEADER)
_UNIT = (LEAD_UNIT, COOPERATING_UNIT)
_OPEN = (ASSIGNED, IN_PROGRESS, RETURNED)


def _table() -> dict[tuple[str, str, str], str]:
    rows: list[tuple[Iterable[str], str, Iterable[str], str | None]] = [
        # (from states, action, acting roles, to state; None: unchanged)
        ((NEW,), CREATE, _CENTRE, ASSIGNED),
        ((NEW,), CREATE, (ANALYST,), DRAFT),
        ((DRAFT,), APPROVE, _CENTRE, ASSIGNED),
        ((DRAFT,), EDIT, (*_CENTRE, ANALYST), None),
        ((*_OPEN, REPORTED_DONE), EDIT, _CENTRE, None),
        (_OPEN, PROGRESS, _UNIT, IN_PROGRESS),
        (_OPEN, DONE, (LEAD_UNIT,), REPORTED_DONE),
        (_OPEN, REQUEST_EXTENSION, (LEAD_UNIT,), None),
        (_OPEN, EXTEND, _CENTRE, None),
        (_OPEN, REFUSE_EXTENSION, _CENTRE, None),
        ((REPORTED_DONE,), CLOSE, _CENTRE, CLOSED),
        ((REPORTED_DONE,), RETURN, _CENTRE, RETURNED),
        ((DRAFT, *_OPEN, REPORTED_DONE), CANCEL, _CENTRE, CANCELLED),
    ]
    table: dict[tuple[str, str, str], str] = {}
    for states, action, roles, to in rows:
        for state in states:
            for role in roles:
                table[(state, action, role)] = to or state
    return table


#: (state, action, acting role) -> new state. What is not here is refused.
TRANSITIONS: dict[tuple[str, str, str], str] = _table()


def next_state(state: str, action: str, role: str) -> str | None:
    """The state after ``action`` by ``role`` (an acting role) on a direction in ``state``; None
    when the table does not allow it."""
    return TRANSITIONS.get((state, action, role))


def actions_for(state: str, role: str) -> tuple[str, ...]:
    """The actions ``role`` may take on a direction in ``state``, in :data:`ACTIONS` order (what a
    page offers)."""
    return tuple(a for a in ACTIONS if (state, a, role) in TRANSITIONS)


def acting_role(role: str, relation: str | None) -> str | None:
    """The role a principal acts in on one direction: a user's role, or for a unit-bound principal
    (reporter, unit token) its unit's relation (``lead`` / ``cooperate``); None: none (a unit not
    named on the direction, a display)."""
    if role in UNIT_ROLES:
        return {LEAD: LEAD_UNIT, COOPERATE: COOPERATING_UNIT}.get(relation or "")
    return role if role in (ADMIN, LEADER, ANALYST) else None


# --- time ----------------------------------------------------------------------------------------


def center_date(at: datetime) -> date:
    """The centre's calendar date (Asia/Ho_Chi_Minh) at the instant ``at``; a naive ``at`` is UTC
    (how the directions' timestamps are stored). 23:30 UTC is already the next day in Hà Nội."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(CENTER_TZ).date()


def is_overdue(state: str, deadline: date, today: date) -> bool:
    """Open and past its deadline: the deadline day itself is still in time."""
    return state in OPEN_STATES and deadline < today


def days_overdue(state: str, deadline: date, today: date) -> int:
    """Days past the deadline of an overdue direction, else 0."""
    return (today - deadline).days if is_overdue(state, deadline, today) else 0


def days_late(done_on: date, deadline: date) -> int:
    """Days a direction reported done on ``done_on`` was late against ``deadline`` (0: on time)."""
    return max(0, (done_on - deadline).days)


def week_end(today: date) -> date:
    """The last day (Sunday) of ``today``'s week: "due this week" is ``today .. week_end``."""
    return today + timedelta(days=6 - today.weekday())


# --- extensions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineChange:
    """One deadline of a direction's life: the first, or one granted by an extension."""

    at: datetime
    deadline: date
    kind: str  # create | extend


def deadline_history(first_deadline: date, created_at: datetime,
                     events: Iterable[tuple[datetime, str, date | None]]) -> tuple[DeadlineChange, ...]:
    """Every deadline a direction had, oldest first, from its events ``(at, kind, new_deadline)``:
    the first, then each granted extension (requests and refusals change nothing)."""
    history = [DeadlineChange(created_at, first_deadline, CREATE)]
    for at, kind, new_deadline in sorted(events, key=lambda e: e[0]):
        if kind == EXTEND and new_deadline is not None:
            history.append(DeadlineChange(at, new_deadline, EXTEND))
    return tuple(history)


def pending_extension(events: Iterable[tuple[datetime, str, date | None]]) -> date | None:
    """The deadline the lead unit asked for and nobody has decided on yet (None: no request waits)."""
    pending: date | None = None
    for _at, kind, new_deadline in sorted(events, key=lambda e: e[0]):
        if kind == REQUEST_EXTENSION:
            pending = new_deadline
        elif kind in (EXTEND, REFUSE_EXTENSION):
            pending = None
    return pending


def check_new_deadline(action: str, new_deadline: date | None, current: date, today: date) -> str | None:
    """Why ``new_deadline`` is refused for ``action`` (a message key), or None. An extension moves
    the deadline later and never into the past."""
    if action not in NEEDS_DEADLINE:
        return None
    if new_deadline is None:
        return "dir.err.deadline_required"
    if new_deadline <= current:
        return "dir.err.deadline_not_later"
    if new_deadline < today:
        return "dir.err.deadline_past"
    return None


# --- who sees what -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """Who reads: a role (admin, leader, analyst, reporter, display, unit-token), the unit of a
    unit-bound principal (its agency code) and the confidential clearance (admins, leaders and
    analysts with the grant). Part of every cached read's key (a frozen dataclass: a stable repr)."""

    role: str
    unit: str | None = None
    cleared: bool = False

    @property
    def unit_bound(self) -> bool:
        """Sees only the directions its unit is named on (reporters and units' tokens)."""
        return self.role in UNIT_ROLES

    @property
    def sees_confidential(self) -> bool:
        return self.role in (ADMIN, LEADER) or (self.role == ANALYST and self.cleared)

    @property
    def sees_drafts(self) -> bool:
        return self.role in (ADMIN, LEADER, ANALYST)


def may_see(viewer: Viewer, *, state: str, confidential: bool, relation: str | None) -> bool:
    """Whether ``viewer`` may see a direction at all (listed, counted, opened). A confidential one
    is invisible (not even counted) to a viewer without the clearance, except the units it is
    assigned to; a unit-bound viewer sees only its unit's directions; drafts only the centre."""
    if state == DRAFT and not viewer.sees_drafts:
        return False
    if viewer.unit_bound:
        return relation in (LEAD, COOPERATE)
    if viewer.role not in (ADMIN, LEADER, ANALYST, DISPLAY):
        return False
    return not confidential or viewer.sees_confidential


def is_on_time(done_on: date, deadline: date) -> bool:
    return done_on <= deadline
