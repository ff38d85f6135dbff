"""Who may open what: the roles, the principal of a request, and the policy table (role → pages,
Dash callbacks of non-page modules, API routes, other Flask routes, exports).

The table is data, read by the request guard (:mod:`auth.guard`) on the server for every
request; the navigation only mirrors it. Anything not listed is open to admins only (fail
closed): a new page, API route or callback module must get a line here (a test lists every
registered page, callback module and route and fails on one without a line).

Roles:

* ``admin`` — users, tokens, the audit log, the configuration (metadata: units and indicators
  included; its pages, API routes and commands); and everything else.
* ``leader`` — every board and every indicator, confidential ones included; exports.
* ``analyst`` — every board and exports; confidential indicators only with a per-user grant.
* ``reporter`` — submits for its own unit, sees its unit's submissions and compliance; no boards.
* ``display`` — not a user: a wall screen carrying a revocable display token (the wall only).
* ``unit-token`` — not a user: a reporting unit's system with an API bearer token (the API only;
  the routes check the token and the unit themselves).
* an admin's token — a machine acting for an admin with a bearer token (``auth.admin_tokens``):
  the configuration routes of :data:`ADMIN_TOKEN_ROUTES` only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ADMIN, LEADER, ANALYST, REPORTER = "admin", "leader", "analyst", "reporter"
DISPLAY, UNIT_TOKEN = "display", "unit-token"
ROLES = (ADMIN, LEADER, ANALYST, REPORTER)  # roles a user account can have

BOARDS = frozenset({ADMIN, LEADER, ANALYST})
USERS = frozenset(ROLES)
EXPORTERS = frozenset({ADMIN, LEADER, ANALYST})
ADMINS = frozenset({ADMIN})

# Dash pages, by their registered ``path`` or ``path_template``.
PAGES: dict[str, frozenset[str]] = {
    "/": BOARDS,
    "/daily": BOARDS,
    "/sectors": BOARDS,
    "/provinces": BOARDS,
    "/provinces/<key>": BOARDS,
    "/indicators": BOARDS,
    "/indicator/<code>": BOARDS,
    "/briefing": EXPORTERS,
    "/compliance": BOARDS | {REPORTER},
    "/submit": frozenset({ADMIN, REPORTER}),
    "/wall": BOARDS | {DISPLAY},
    # directions: the list and a direction's page for the centre and the units (a reporter sees its
    # unit's only: the reads are viewer-aware); the "Giao nhiệm vụ" form for the centre (an
    # analyst's is a draft awaiting a leader's approval)
    "/directions": BOARDS | {REPORTER},
    "/directions/new": BOARDS,
    "/direction/<ref>": BOARDS | {REPORTER},
}

# Server callbacks defined outside page modules (shared components), by module. Callbacks of a
# page module follow the page's line above; Dash's own page router follows the page it routes to.
CALLBACK_MODULES: dict[str, frozenset[str]] = {
    "components.shell": USERS | {DISPLAY},
    "exports.menu": EXPORTERS,
}

# Callback inputs that name a reporting unit, as (component id, property). A principal limited to a
# unit (a reporter) may only send its own unit there: the upload page cannot submit for another,
# the compliance page shows no other unit's detail.
UNIT_INPUTS = frozenset({("sub-unit", "value"), ("cmp-unit", "data")})

# API routes: (method, Flask rule) → roles of signed-in users; ``True`` in TOKEN_ROUTES when a
# unit's bearer token may call it (the route itself checks the token's unit).
API: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/api/v1/health"): frozenset(),  # public, see PUBLIC_PATHS
    ("GET", "/api/v1/version"): frozenset(),  # public
    ("GET", "/api/v1/openapi.json"): USERS,
    ("GET", "/api/v1/indicators"): BOARDS | {REPORTER},
    ("GET", "/api/v1/observations"): BOARDS,
    ("GET", "/api/v1/submissions/<int:submission_id>"): BOARDS | {REPORTER},  # a reporter: its unit's only
    ("GET", "/api/v1/templates/<unit>/<period>.xlsx"): BOARDS | {REPORTER},  # a reporter: its unit's only
    ("POST", "/api/v1/submissions"): frozenset(),  # bearer tokens only
    # directions (issue 19): a reporter (like a unit's token) sees and answers its unit's only, the
    # route and the service decide (another unit's direction is 404); the transition table decides
    # who may report what
    ("GET", "/api/v1/directions"): BOARDS | {REPORTER},
    ("GET", "/api/v1/directions/<ref>"): BOARDS | {REPORTER},
    ("POST", "/api/v1/directions/<ref>/reports"): BOARDS | {REPORTER},
    # the configuration (metadata): admins only, never a unit's token
    ("GET", "/api/v1/metadata/export"): ADMINS,
    ("POST", "/api/v1/metadata/import"): ADMINS,
    ("GET", "/api/v1/metadata/<kind>/<path:key>/history"): ADMINS,
}
TOKEN_ROUTES = frozenset({
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/indicators"),
    ("GET", "/api/v1/observations"),
    ("GET", "/api/v1/submissions/<int:submission_id>"),
    ("GET", "/api/v1/templates/<unit>/<period>.xlsx"),
    ("POST", "/api/v1/submissions"),
    ("GET", "/api/v1/directions"),
    ("GET", "/api/v1/directions/<ref>"),
    ("POST", "/api/v1/directions/<ref>/reports"),
})

# What an admin's bearer token opens: the configuration, nothing else.
ADMIN_TOKEN_ROUTES = frozenset({
    ("GET", "/api/v1/metadata/export"),
    ("POST", "/api/v1/metadata/import"),
    ("GET", "/api/v1/metadata/<kind>/<path:key>/history"),
})

# Other Flask routes (exports, the account and admin pages), by path prefix.
ROUTES: dict[str, frozenset[str]] = {
    "/export": EXPORTERS,
    "/exports": EXPORTERS,
    "/account": USERS,
    "/signout": USERS,
    "/admin": ADMINS,
    "/admin/first-run": ADMINS,  # the first-run checklist (first_run): import a package, units and tokens, a report
    "/admin/metadata": ADMINS,  # the configuration's pages (metadata_pages): list, create, edit, retire, package
    # the alerts (alerts.pages), the longer prefixes first (the first matching prefix decides)
    "/alerts/rules": frozenset({ADMIN, LEADER}),  # the alert rules: create, change, switch off
    "/alerts/webhooks": ADMINS,  # the outgoing webhooks and the delivery log
    "/alerts": BOARDS,  # the notification centre: the alerts one may see, acknowledge
    "/subscriptions": EXPORTERS,  # a user's subscriptions (subscriptions): the boards' roles; others only by admins, leaders
    "/unsubscribe": frozenset(),  # public (PUBLIC_PREFIXES): an e-mail's signed unsubscribe link
    "/direction-files": BOARDS | {REPORTER},  # a direction's attachments (views.direction_files): the service decides
}

# Never behind sign-in: static files, the sign-in page, liveness and the data version.
PUBLIC_PATHS = frozenset({"/signin", "/api/v1/health", "/api/v1/version", "/_favicon.ico"})
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/static/", "/auth/static/", "/unsubscribe/")

# Where a role lands after signing in (the first that exists).
HOME = {
    ADMIN: ("/",),
    LEADER: ("/",),
    ANALYST: ("/",),
    REPORTER: ("/submit", "/compliance", "/account"),
}


@dataclass(frozen=True)
class Principal:
    """Who makes the request: a signed-in user, a wall's display token or a unit's API token."""

    kind: str  # "user" | "display" | "token"
    role: str
    name: str  # user name, "display:<id>" or "token:<id>"
    display_name: str = ""
    user_id: int | None = None
    unit_code: str | None = None  # a reporter's or a token's unit
    confidential: bool = False  # an analyst's grant
    session_id: str | None = None

    @property
    def clearance(self) -> str:
        """``admin`` sees every indicator, drafts included (an admin prepares them); ``all`` sees
        confidential indicators; ``public`` does not. Only admins see draft indicators."""
        if self.role == ADMIN:
            return "admin"
        if self.role == LEADER or (self.role == ANALYST and self.confidential):
            return "all"
        return "public"

    @property
    def cache_scope(self) -> str:
        """What a shared cached response may depend on besides the clearance: role and unit."""
        return f"{self.role}:{self.unit_code or ''}"


def _template_regex(template: str) -> re.Pattern:
    parts = re.split(r"(<[^>]+>)", template)
    pattern = "".join("[^/]+" if p.startswith("<") else re.escape(p) for p in parts)
    return re.compile(f"^{pattern}/?$")


_REGEX_CACHE: dict[str, re.Pattern] = {}


def path_matches(template: str, path: str) -> bool:
    if "<" not in template:
        return path == template or (template != "/" and path == template + "/")
    rx = _REGEX_CACHE.get(template)
    if rx is None:
        rx = _REGEX_CACHE[template] = _template_regex(template)
    return bool(rx.match(path))


def page_roles(template: str | None) -> frozenset[str]:
    """Roles that may open the page registered at ``template`` (None: no page there → Dash's "not
    found" page, open to every signed-in user). A registered page without a line: admins only."""
    if template is None:
        return USERS
    return PAGES.get(template, ADMINS)


def may(principal: Principal | None, roles: frozenset[str]) -> bool:
    if principal is None:
        return False
    return principal.role == ADMIN and principal.kind == "user" or principal.role in roles


def may_export(principal: Principal | None) -> bool:
    return may(principal, EXPORTERS)


def route_roles(path: str) -> frozenset[str] | None:
    """Roles for a non-Dash, non-API Flask route by prefix; None when no prefix matches."""
    for prefix, roles in ROUTES.items():
        if path == prefix or path.startswith(prefix + "/"):
            return roles
    return None


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)
