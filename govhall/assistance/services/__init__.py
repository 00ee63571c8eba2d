"""Every state change of the assistance app (DESIGN.md rule 1; docs/assistance.md): keyword-only
`<entity>_<action>` functions, each in one transaction, taking `actor` and `now`."""

from govhall.assistance.services.emergency import (
    drill_record,
    emergency_incident_close,
    emergency_incident_record,
    equipment_check_record,
)
from govhall.assistance.services.help import help_record_create
from govhall.assistance.services.proxy import (
    MaterialLine,
    TakeInResult,
    proxy_apply,
    proxy_sign,
    proxy_take_in,
)
from govhall.assistance.services.proxy_progress import (
    proxy_deliver,
    proxy_fee_guide,
    proxy_file,
    proxy_note_add,
    proxy_terminate,
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
    "MaterialLine",
    "TakeInResult",
    "aid_lend",
    "aid_return",
    "drill_record",
    "emergency_incident_close",
    "emergency_incident_record",
    "equipment_check_record",
    "help_record_create",
    "proxy_apply",
    "proxy_deliver",
    "proxy_fee_guide",
    "proxy_file",
    "proxy_note_add",
    "proxy_sign",
    "proxy_take_in",
    "proxy_terminate",
    "special_request_cancel",
    "special_request_complete",
    "special_request_create",
    "special_request_schedule",
]
