"""One direction ("nhiệm vụ", ``/direction/NV-2026-00042``): its details (content, legal form and
number, issuing leader, lead and co-operating units, deadline and every extension, indicators and
areas, where it was created from), its history, its attachments, and what the viewer may do in its
state: the units report progress or "done" with evidence and ask for more time; leaders approve a
draft, extend, close or return, and correct its text ("Sửa nội dung"). Each action is one call of
``directions.service`` (audited); the page then reads the direction again."""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from components.controls import control, dropdown
from components.directions import attachment_list, history_list, state_badge
from components.fast import el, link
from components.ids import page_ids
from components.shell import with_lang
from components.urlstate import as_text
from domain.directions import FORMS, PRIORITIES
from i18n import fmt_date, norm_lang, t
from views import directions as view

dash.register_page(__name__, path_template="/direction/<ref>", title="Nhiệm vụ")

MAX_UPLOAD_BYTES = 20 * 1024 * 1024

ids = page_ids("dir", "ref", "lang", "body", "text", "deadline", "upload", "upload_text", "e_title", "e_content",
               "e_form", "e_doc_number", "e_leader", "e_priority",
               act=lambda action: {"type": "dir-act", "action": action})
EDIT_FIELDS = ("title", "content", "form", "doc_number", "leader", "priority")


def layout(ref: str | None = None, lang: str | None = None, **_params: Any) -> html.Div:
    lang = norm_lang(lang)
    ref = (as_text(ref, "") or "")[:40]
    return html.Div([
        dcc.Store(id=ids.ref, data=ref),
        dcc.Store(id=ids.lang, data=lang),
        html.Div(body(ref, lang), id=ids.body),
    ], className="page page-direction")


def body(ref: str, lang: str) -> list:
    """The whole page of ``ref`` for the request's viewer ("not found" when it may not see it)."""
    shown = view.detail(ref, lang)
    if shown is None:
        return [html.Div([html.H1(t("dir.not_found", lang), className="page-title"),
                          html.P(t("dir.not_found_detail", lang, ref=ref), className="page-lede"),
                          dcc.Link("← " + t("dir.back", lang), href=with_lang("/directions", lang),
                                   className="button-link")], className="card not-found"),
                html.Div([*fields(lang), edit_fields(None, lang)], hidden=True)]
    row = shown["row"]
    return [
        html.Header([
            html.Nav([dcc.Link(t("dir.back", lang), href=with_lang("/directions", lang)),
                      html.Span("›", className="crumb-sep", **{"aria-hidden": "true"}), html.Span(row["ref"])],
                     className="ind-eyebrow", **{"aria-label": t("dir.back", lang)}),
            html.H1(row["title"], className="page-title"),
            html.P([state_badge(row, lang), html.Span(shown["subtitle"]),
                    html.Span(t("dir.confidential", lang), className="mark mark-flagged") if row["confidential"] else None],
                   className="ind-subtitle dir-subtitle"),
        ], className="ind-header"),
        html.Div([
            html.Div([
                html.Section([html.H2(t("dir.details", lang)), details(shown, lang)], className="card dir-details"),
                html.Section([html.H2(t("dir.history", lang)), history_list(shown["events"], lang)],
                             className="card dir-history-card"),
            ], className="dir-main"),
            html.Div([
                html.Section([html.H2(t("dir.actions", lang)), *actions(shown, lang)], className="card dir-actions"),
                html.Section([html.H2(t("dir.attachments", lang)),
                              attachment_list(shown["attachments"], shown["file_href"], lang)],
                             className="card dir-files-card"),
            ], className="dir-side"),
        ], className="dir-grid-2"),
    ]


def details(shown: dict, lang: str) -> dict:
    """The direction's fields as a definition list; indicators link to their page."""
    row = shown["row"]
    items: list[tuple[str, Any]] = [
        ("dir.field.content", el("Div", shown["content"], className="dir-content")),
        ("dir.field.lead_agency", shown["lead"]),
        ("dir.field.cooperating", ", ".join(shown["cooperating"]) or "–"),
        ("dir.field.deadline", shown["deadline_text"]),
        ("dir.field.priority", t(f"dir.priority.{row['priority']}", lang)),
        ("dir.field.indicators", [link(name, href, className="dir-chip") for name, href in shown["indicators"]] or "–"),
        ("dir.field.areas", ", ".join(shown["areas"]) or "–"),
        ("dir.field.origin", shown["origin"]),
        ("dir.field.created_by", shown["created_by"]),
    ]
    return el("Dl", [part for key, value in items
                     for part in (el("Dt", t(key, lang)), el("Dd", value))], className="ind-meta dir-dl")


def actions(shown: dict, lang: str) -> list:
    """The form of what the viewer may do: a text, a new deadline where an action needs one,
    files for a unit's report, and one button per allowed action."""
    offered = shown["actions"]
    if not offered:
        none = [] if shown["editable"] else [html.P(t("dir.actions_none", lang), className="muted")]
        return [*none, *fields(lang), edit_fields(shown, lang)]
    parts: list[Any] = []
    if shown["pending_extension"]:
        parts.append(html.P(t("dir.pending_extension", lang, date=fmt_date(shown["pending_extension"], lang)),
                            className="auth-notice"))
    parts += fields(lang, text=True, deadline=bool(set(offered) & view.NEEDS_DEADLINE), upload=shown["uploads"])
    parts.append(html.Div([html.Button(t(f"dir.action.{a}", lang), id=ids.act(a), n_clicks=0, type="button",
                                       className="dir-act-button" + (" primary" if a in view.PRIMARY else ""))
                           for a in offered], className="dir-act-buttons"))
    return [*parts, edit_fields(shown, lang)]


def edit_fields(shown: dict | None, lang: str) -> Any:
    """A leader's "Sửa nội dung" (title, content, legal form, number, issuing leader, priority),
    folded until opened; for the others its fields are in the page, hidden (the action callback
    reads them all)."""
    now = shown["edit_values"] if shown else {}

    def text(ident: str, name: str, **extra: Any) -> dcc.Input:
        return dcc.Input(id=ident, type="text", value=now.get(name, ""), className="text-input", **extra)

    def label(name: str) -> str:
        return t(f"dir.field.{name}", lang)

    parts = [
        control(label("title"), text(ids.e_title, "title", maxLength=500), html_for=ids.e_title),
        control(label("content"), dcc.Textarea(id=ids.e_content, value=now.get("content", ""), maxLength=20000,
                                               className="text-input dir-textarea"), html_for=ids.e_content),
        dropdown(ids.e_form, [{"label": t(f"dir.form.{f}", lang), "value": f} for f in FORMS], now.get("form"),
                 label=label("form"), lang=lang),
        control(label("doc_number"), text(ids.e_doc_number, "doc_number", maxLength=60), html_for=ids.e_doc_number),
        control(label("leader"), text(ids.e_leader, "leader", maxLength=200), html_for=ids.e_leader),
        dropdown(ids.e_priority, [{"label": t(f"dir.priority.{p}", lang), "value": p} for p in PRIORITIES],
                 now.get("priority"), label=label("priority"), lang=lang),
    ]
    if not (shown and shown["editable"]):
        return html.Div(parts, hidden=True)
    return html.Details([html.Summary(t("dir.action.edit", lang)), *parts,
                         html.Button(t("dir.edit.save", lang), id=ids.act("edit"), n_clicks=0, type="button",
                                     className="dir-act-button")], className="dir-edit")


def fields(lang: str, *, text: bool = False, deadline: bool = False, upload: bool = False) -> list:
    """The action form's fields; those the viewer's actions do not use are in the page, hidden
    (the action callback reads them all)."""
    return [
        html.Div(control(t("dir.act.text", lang), dcc.Textarea(id=ids.text, className="text-input dir-textarea"),
                         html_for=ids.text), hidden=not text),
        html.Div(control(t("dir.act.new_deadline", lang), dcc.DatePickerSingle(
            id=ids.deadline, first_day_of_week=1, display_format="DD/MM/YYYY" if lang == "vi" else "MMM D, YYYY",
            placeholder=t("dir.act.new_deadline", lang)), html_for=ids.deadline), hidden=not deadline),
        html.Div([dcc.Upload(id=ids.upload, multiple=True, max_size=MAX_UPLOAD_BYTES, accept=".pdf,.docx,.xlsx",
                             className="upload-zone dir-upload", children=html.Div(t("dir.act.files", lang))),
                  html.Div(id=ids.upload_text, className="muted")], hidden=not upload),
    ]


@callback(
    Output(ids.upload_text, "children"),
    Input(ids.upload, "filename"),
    State(ids.lang, "data"),
    prevent_initial_call=True,
)
def chosen_files(names: Any, lang: Any) -> str:
    names = [n for n in (names if isinstance(names, list) else [names]) if isinstance(n, str)]
    return t("dir.act.files_chosen", norm_lang(lang), names=", ".join(names)) if names else ""


@callback(
    Output(ids.body, "children"),
    Input(ids.act(ALL), "n_clicks"),
    State(ids.text, "value"),
    State(ids.deadline, "date"),
    State(ids.upload, "contents"),
    State(ids.upload, "filename"),
    State(ids.ref, "data"),
    State(ids.lang, "data"),
    State(ids.e_title, "value"),
    State(ids.e_content, "value"),
    State(ids.e_form, "value"),
    State(ids.e_doc_number, "value"),
    State(ids.e_leader, "value"),
    State(ids.e_priority, "value"),
    prevent_initial_call=True,
)
def act(clicks: Any, text: Any, deadline: Any, contents: Any, names: Any, ref: Any, lang: Any, *edited: Any) -> list:
    """One action on the direction; the page again, with the outcome (or the refusal) said."""
    lang = norm_lang(lang)
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(isinstance(c, int) and c > 0 for c in clicks or []):
        raise dash.exceptions.PreventUpdate
    ref = as_text(ref, "") or ""
    outcome = view.act_on(ref, str(trigger.get("action")), text=text, deadline=deadline, contents=contents,
                          names=names, lang=lang, edits=dict(zip(EDIT_FIELDS, edited, strict=True)))
    page = body(ref, lang)
    notice = html.P(outcome.message, className="auth-notice" if outcome.ok else "auth-error",
                    role="status" if outcome.ok else "alert", id="dir-outcome")
    return [notice, *page]
