"""Periodic work of assistance, run by `manage.py run_worker`. 帮办 and 代办 have none:
every step is a person's action at the console (the 代办's evaluation invitation is sent
when the result is delivered, in the same transaction)."""

from __future__ import annotations

from govhall.core.jobs import Job

JOBS: list[Job] = []
