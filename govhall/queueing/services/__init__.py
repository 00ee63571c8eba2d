"""Every state change of the queue, one service function per operation (pages, the API,
jobs and other apps call these same functions): issuing.py, tickets.py (the actions on
a ticket), windows.py (a window's work, calling), sweeps.py (jobs). Each runs in one
transaction and moves tickets only through govhall.core.workflow.transition."""

from govhall.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    InvalidTransition,
    NotFound,
)
from govhall.queueing.services._common import (
    ISSUE_ROLES,
    WINDOW_ROLES,
    audit_chain,
    end_idle_incidents,
)
from govhall.queueing.services.issuing import (
    register_appointment_check,
    ticket_issue,
    ticket_number,
)
from govhall.queueing.services.sweeps import tickets_close_stale
from govhall.queueing.services.tickets import (
    ticket_cancel,
    ticket_finish,
    ticket_no_show,
    ticket_recall,
    ticket_requeue,
    ticket_set_items,
    ticket_start,
    ticket_transfer,
)
from govhall.queueing.services.windows import (
    NEAR_AHEAD,
    window_call_next,
    window_close,
    window_finish_and_call_next,
    window_open,
    window_pause,
)

__all__ = [
    "ISSUE_ROLES",
    "NEAR_AHEAD",
    "WINDOW_ROLES",
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "InvalidTransition",
    "NotFound",
    "audit_chain",
    "end_idle_incidents",
    "register_appointment_check",
    "ticket_cancel",
    "ticket_finish",
    "ticket_issue",
    "ticket_no_show",
    "ticket_number",
    "ticket_recall",
    "ticket_requeue",
    "ticket_set_items",
    "ticket_start",
    "ticket_transfer",
    "tickets_close_stale",
    "window_call_next",
    "window_close",
    "window_finish_and_call_next",
    "window_open",
    "window_pause",
]
