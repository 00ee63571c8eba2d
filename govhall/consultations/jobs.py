"""Periodic work of consultations, run by `manage.py run_worker`: overdue replies (alerts
once per level) and reply calls whose result was recorded on the call screen."""

from __future__ import annotations

import datetime as dt

from govhall.consultations.services import consultations_flag_overdue, consultations_sync_calls
from govhall.core.jobs import Job


def flag_overdue(now: dt.datetime) -> int:
    return consultations_flag_overdue(now=now)


def sync_calls(now: dt.datetime) -> int:
    return consultations_sync_calls(now=now)


JOBS = [
    Job("consultations.overdue", flag_overdue, 600),
    Job("consultations.reply_calls", sync_calls, 120),
]
