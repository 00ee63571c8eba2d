"""Every state change of the assistance app (docs/assistance.md)."""

from govhall.assistance.services.emergency import (
    drill_record,
    emergency_incident_close,
    emergency_incident_record,
    equipment_check_record,
)
from govhall.assistance.services.special import (
    aid_lend,
    aid_return,
    special_request_cancel,
    special_request_complete,
    special_request_create,
    special_request_schedule,
)

__all__ = [
    "aid_lend",
    "aid_return",
    "drill_record",
    "emergency_incident_close",
    "emergency_incident_record",
    "equipment_check_record",
    "special_request_cancel",
    "special_request_complete",
    "special_request_create",
    "special_request_schedule",
]
