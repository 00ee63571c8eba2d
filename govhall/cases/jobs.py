"""Periodic work of cases, run by `manage.py run_worker`: deemed acceptance (行政许可法 §32).
Idempotent and safe with several workers (rows claimed with SKIP LOCKED, moved by a
conditional UPDATE)."""

from __future__ import annotations

import datetime as dt

from govhall.cases import jobs_flow
from govhall.cases.services import cases_deem_accepted
from govhall.core.jobs import Job


def deem_accepted(now: dt.datetime) -> int:
    return cases_deem_accepted(now=now)


JOBS = [Job("cases.deemed_acceptance", deem_accepted, 300), *jobs_flow.JOBS]
