"""Every state change of appointments: one function per transition, each atomic, each with
an event row, an audit entry and its outbox messages in the same transaction.

A package grouped by concern; import from here (`govhall.appointments.services`), the
modules are an implementation detail."""

from govhall.appointments.services._common import (
    ServiceUnavailable,
    confirmation_link,
    online_code_required,
)
from govhall.appointments.services.applicant import (
    CANCEL_MAX_FAILURES,
    appointment_cancel,
    appointment_cancel_code_request,
)
from govhall.appointments.services.booking import (
    appointment_book,
    slots_materialise,
    slots_offer,
)
from govhall.appointments.services.closures import ClosureResult, closure_enter
from govhall.appointments.services.codes import (
    CODE_MAX_ATTEMPTS,
    CODE_MAX_PER_HOUR,
    CODE_MINUTES,
    CODE_RESEND_SECONDS,
    verification_code_request,
    verification_code_use,
    verification_code_verify,
)
from govhall.appointments.services.lifecycle import (
    appointment_cancel_by_center,
    appointment_check_in,
    appointment_reschedule,
)
from govhall.appointments.services.reminders import appointment_mark_no_show, appointment_remind

# Callers and tests catch these errors through this module (`services.Conflict`).
from govhall.core.errors import Conflict, DomainError, Forbidden, InvalidInput, InvalidTransition

__all__ = [
    "CANCEL_MAX_FAILURES",
    "CODE_MAX_ATTEMPTS",
    "CODE_MAX_PER_HOUR",
    "CODE_MINUTES",
    "CODE_RESEND_SECONDS",
    "ClosureResult",
    "Conflict",
    "DomainError",
    "Forbidden",
    "InvalidInput",
    "InvalidTransition",
    "ServiceUnavailable",
    "appointment_book",
    "appointment_cancel",
    "appointment_cancel_by_center",
    "appointment_cancel_code_request",
    "appointment_check_in",
    "appointment_mark_no_show",
    "appointment_remind",
    "appointment_reschedule",
    "closure_enter",
    "confirmation_link",
    "online_code_required",
    "slots_materialise",
    "slots_offer",
    "verification_code_request",
    "verification_code_use",
    "verification_code_verify",
]
