"""Periodic work of Cases II, run by `manage.py run_worker` (registered from jobs.py): the
paper handover batches at each department's cut-offs, pickup notices for results the
output window signed for, and the time-limit alerts. Each is idempotent and safe with
several workers (unique batch slot, conditional transitions, unique alert rows); the
fake payment gateway's notification retries."""

from __future__ import annotations

import datetime as dt

from govhall.cases.services.fake_gateway import fake_gateway_notify_due
from govhall.cases.services.handover import handover_batches_due
from govhall.cases.services.monitoring import cases_deadline_alerts
from govhall.cases.services.output import cases_pickup_notices
from govhall.core.jobs import Job


def handover_batches(now: dt.datetime) -> int:
    return handover_batches_due(now)


def pickup_notices(now: dt.datetime) -> int:
    return cases_pickup_notices(now)


def deadline_alerts(now: dt.datetime) -> int:
    return cases_deadline_alerts(now)


def fake_gateway_notify(now: dt.datetime) -> int:
    return fake_gateway_notify_due(now)


JOBS = [
    Job("cases.handover_batches", handover_batches, 300),
    Job("cases.pickup_notices", pickup_notices, 300),
    Job("cases.deadline_alerts", deadline_alerts, 900),
    Job("cases.fake_gateway_notify", fake_gateway_notify, 60),
]
