"""The "Giao nhiệm vụ" form (``/directions/new``): a direction to a unit, pre-filled from where it
was opened — a tile, a chart, a province profile, a compliance row, a daily item — with the
indicator, the area and the period that were on screen, the unit responsible for the indicator
there and a suggested title (``?origin=tile&indicator=IIP&area=VN&period=202611``). A leader's or
an admin's direction is assigned at once; an analyst's is a draft for a leader's approval. One
call of ``directions.service.create``; the direction's page opens on success."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html

from components.controls import control, dropdown
from components.ids import page_ids
from components.shell import with_lang
from components.urlstate import as_text, parse_list
from data_access.directions import center_today
from domain.directions import FORMS, PRIORITIES
from i18n import norm_lang, t
from views import directions as view

dash.register_page(__name__, path="/directions/new", title="Giao nhiệm vụ")

DEFAULT_DAYS = 14  # the suggested deadline: two weeks from today

ids = page_ids("dnew", "lang", "origin", "context", "title", "content", "form", "doc_number", "leader", "issued_on",
               "lead_unit", "cooperating", "deadline", "priority", "indicators", "areas", "submit", "status", "go")

LABEL = {"lead_unit": "lead_agency"}  # a field whose label key is not its name
FIELDS = ("title", "content", "form", "doc_number", "leader", "issued_on", "lead_unit", "cooperating", "deadline",
          "priority", "indicators", "areas")


def layout(origin: str | None = None, indicator: str | None = None, area: str | None = None,
           period: str | None = None, unit: str | None = None, item: str | None = None, lang: str | None = None,
           **_params: Any) -> html.Div:
    lang = norm_lang(lang)
    pre = view.prefill(origin, lang, indicator=indicator, area=area, period=period, unit=unit, item=item)
    choices = view.filter_choices(lang)
    today = center_today()
    draft = view.drafts_only()

    def date_picker(ident: str, value: Any) -> dcc.DatePickerSingle:
        return dcc.DatePickerSingle(id=ident, date=value.isoformat(), first_day_of_week=1,
                                    display_format="DD/MM/YYYY" if lang == "vi" else "MMM D, YYYY")

    def text(ident: str, value: str = "", **extra: Any) -> dcc.Input:
        return dcc.Input(id=ident, type="text", value=value, className="text-input", **extra)

    labelled = {name: t(f"dir.field.{LABEL.get(name, name)}", lang) for name in FIELDS}
    from_words = view.origin_words(pre, lang)
    return html.Div([
        dcc.Store(id=ids.lang, data=lang),
        dcc.Store(id=ids.origin, data=pre.origin),
        dcc.Store(id=ids.context, data=pre.context),
        dcc.Location(id=ids.go, refresh="callback-nav"),
        html.Header([
            html.Nav([dcc.Link(t("dir.back", lang), href=with_lang("/directions", lang))], className="ind-eyebrow",
                     **{"aria-label": t("dir.back", lang)}),
            html.H1(t("dir.new.title", lang), className="page-title"),
            html.P(t("dir.new.lede_draft" if draft else "dir.new.lede", lang), className="page-lede"),
            html.P(from_words, className="dir-origin") if from_words else None,
        ], className="ind-header"),
        html.Section([
            control(labelled["title"] + " *", text(ids.title, pre.title, maxLength=500, required=True),
                    html_for=ids.title, className="dir-wide"),
            control(labelled["content"], dcc.Textarea(id=ids.content, className="text-input dir-textarea",
                                                      maxLength=20000), html_for=ids.content, className="dir-wide"),
            dropdown(ids.lead_unit, choices["unit"], pre.lead_unit, label=labelled["lead_unit"] + " *", lang=lang,
                     className="control-wide"),
            dropdown(ids.cooperating, choices["unit"], list(pre.cooperating), label=labelled["cooperating"], lang=lang,
                     multi=True, clearable=True, className="control-wide"),
            control(labelled["deadline"] + " *", date_picker(ids.deadline, today + timedelta(days=DEFAULT_DAYS)),
                    html_for=ids.deadline),
            dropdown(ids.priority, [{"label": t(f"dir.priority.{p}", lang), "value": p} for p in PRIORITIES], "normal",
                     label=labelled["priority"], lang=lang),
            dropdown(ids.form, [{"label": t(f"dir.form.{f}", lang), "value": f} for f in FORMS], "thong_bao_ket_luan",
                     label=labelled["form"], lang=lang),
            control(labelled["doc_number"], text(ids.doc_number, maxLength=60), html_for=ids.doc_number),
            control(labelled["leader"], text(ids.leader, view.leader_name(), maxLength=200), html_for=ids.leader),
            control(labelled["issued_on"], date_picker(ids.issued_on, today), html_for=ids.issued_on),
            dropdown(ids.indicators, choices["indicator"], [pre.indicator] if pre.indicator else [],
                     label=labelled["indicators"], lang=lang, multi=True, clearable=True, className="dir-wide"),
            dropdown(ids.areas, choices["area"], [pre.area] if pre.area else [], label=labelled["areas"], lang=lang,
                     multi=True, clearable=True, className="dir-wide"),
            html.Div([html.Button(t("dir.new.submit_draft" if draft else "dir.new.submit", lang), id=ids.submit,
                                  n_clicks=0, type="button", className="primary dir-submit"),
                      html.Span(t("dir.required", lang) + ": *", className="muted")], className="dir-wide dir-form-foot"),
            html.Div(id=ids.status, role="alert", className="dir-wide"),
        ], className="card dir-form"),
    ], className="page page-direction-new")


@callback(
    Output(ids.go, "href"),
    Output(ids.status, "children"),
    Input(ids.submit, "n_clicks"),
    *[State(getattr(ids, name), "date" if name in ("issued_on", "deadline") else "value") for name in FIELDS],
    State(ids.origin, "data"),
    State(ids.context, "data"),
    State(ids.lang, "data"),
    prevent_initial_call=True,
)
def submit(clicks: Any, *values: Any) -> tuple:
    """Create the direction; its page on success, else the refusal beside the form."""
    *shown, origin, context, lang = values
    lang = norm_lang(lang)
    if not clicks:
        raise dash.exceptions.PreventUpdate
    given = dict(zip(FIELDS, shown, strict=True))
    fields = {name: (as_text(value, "") or "")[:20000] for name, value in given.items()
              if name not in ("cooperating", "indicators", "areas")}
    fields.pop("lead_unit")
    fields.update(lead_unit=as_text(given["lead_unit"], "") or "",
                  cooperating_units=parse_list(given["cooperating"]), indicators=parse_list(given["indicators"]),
                  areas=parse_list(given["areas"]), origin=as_text(origin, "page"),
                  origin_context={k: v for k, v in (context if isinstance(context, dict) else {}).items()
                                  if k in ("indicator", "area", "period") and isinstance(v, str)})
    outcome = view.create_direction(fields, lang)
    if not outcome.ok:
        return dash.no_update, html.P(outcome.message, className="auth-error")
    return with_lang(f"/direction/{outcome.ref}", lang), None
