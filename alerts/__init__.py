"""Alerts (issue 20): rules on indicators and on reporting, evaluated when data arrives and on a
schedule, each occurrence raised once, and their channels.

* :mod:`alerts.store` — the writes: rules and webhooks (audited), alerts raised once per
  occurrence with their deliveries queued, acknowledgements;
* :mod:`alerts.evaluate` — the rules (:mod:`domain.alerts`) on what an intake wrote, in its
  transaction, on the reporting calendar and on the open directions past their deadline;
* :mod:`alerts.delivery` — the webhook (signed JSON) and e-mail channels, retried with back-off;
* :mod:`alerts.text` — what an alert says, in either language;
* :mod:`alerts.pages` — the notification centre (``/alerts``), the rules' page
  (``/alerts/rules``) and the webhooks' page (``/alerts/webhooks``).

Below :mod:`ingest` (which calls :func:`alerts.evaluate.on_intake`) and :mod:`directions` (whose
service calls :func:`alerts.evaluate.on_directions`), above :mod:`auth` (the audit
log) and :mod:`data_access`.
"""
