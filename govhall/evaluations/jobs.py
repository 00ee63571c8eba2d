"""Periodic work of evaluations, run by `manage.py run_worker`: SMS invitations for finished
matters (once per matter), overdue alerts of rectifications (once per step and level) and
the rectifications of complaints taken at the consultation desk (once per complaint).
All idempotent and safe with several workers (unique rows decide)."""

from __future__ import annotations

import datetime as dt

from govhall.core.jobs import Job
from govhall.evaluations.services import (
    complaints_take_from_desk,
    invitations_send,
    rectifications_alert_overdue,
)


def invite(now: dt.datetime) -> int:
    return invitations_send(now=now)


def alert_overdue(now: dt.datetime) -> int:
    return rectifications_alert_overdue(now=now)


def desk_complaints(now: dt.datetime) -> int:
    return complaints_take_from_desk(now=now)


JOBS = [
    Job("evaluations.invitations", invite, 120),
    Job("evaluations.overdue_alerts", alert_overdue, 900),
    Job("evaluations.desk_complaints", desk_complaints, 60),
]
