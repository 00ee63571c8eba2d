"""Every state change of consultations (docs/consultations.md)."""

from govhall.consultations.services.ledger import (
    consultation_close,
    consultation_record,
    consultation_transfer,
    consultations_flag_overdue,
    online_consultation_submit,
)
from govhall.consultations.services.replies import (
    consultation_call_result,
    consultation_guide_send,
    consultation_phone_reveal,
    consultation_reply,
    consultations_sync_calls,
)

__all__ = [
    "consultation_call_result",
    "consultation_close",
    "consultation_guide_send",
    "consultation_phone_reveal",
    "consultation_record",
    "consultation_reply",
    "consultation_transfer",
    "consultations_flag_overdue",
    "consultations_sync_calls",
    "online_consultation_submit",
]
