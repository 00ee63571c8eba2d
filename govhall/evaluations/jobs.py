"""Periodic work of evaluations, run by `manage.py run_worker`: SMS invitations for finished
matters (once per matter) and overdue alerts of rectifications (once per step and level).
Both idempotent and safe with several workers (unique rows decide)."""

from __future__ import annotations

import datetime as dt

from govhall.core.jobs import Job
from govhall.evaluations.services import invitations_send, rectifications_alert_overdue


def invite(now: dt.datetime) -> int:
    return invitations_send(now=now)


def alert_overdue(now: dt.datetime) -> int:
    return rectifications_alert_overdue(now=now)


JOBS = [
    Job("evaluations.invitations", invite, 120),
    Job("evaluations.overdue_alerts", alert_overdue, 900),
]
