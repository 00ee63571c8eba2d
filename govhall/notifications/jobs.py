"""Periodic work of notifications, run by `manage.py run_worker`."""

from __future__ import annotations

import datetime as dt

from govhall.core.jobs import Job
from govhall.notifications.dispatch import dispatch_due


def send_due_messages(now: dt.datetime) -> int:
    # The clock is read again per batch (sending takes real time), so `now` is not pinned.
    del now
    return dispatch_due(None, max_batches=10).done


JOBS = [Job("notifications.send_due_messages", send_due_messages, every_seconds=2)]
