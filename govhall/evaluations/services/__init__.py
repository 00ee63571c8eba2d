"""Every state change of evaluations (DESIGN.md rule 1): keyword-only functions, each in one
transaction, taking `actor` and `now`."""

from govhall.evaluations.services.alerts import rectifications_alert_overdue
from govhall.evaluations.services.desk import complaints_take_from_desk
from govhall.evaluations.services.outreach import invitations_send, survey_respond
from govhall.evaluations.services.ratings import (
    ALREADY_RATED,
    blocked_report_create,
    complaint_create,
    rating_submit,
)
from govhall.evaluations.services.rectifications import (
    appeal_decide,
    appeal_file,
    rectification_callback,
    rectification_close,
    rectification_contact_reveal,
    rectification_rectify,
    rectification_verify,
)
from govhall.evaluations.services.surveys import survey_close, survey_publish, survey_save

__all__ = [
    "ALREADY_RATED",
    "appeal_decide",
    "appeal_file",
    "blocked_report_create",
    "complaint_create",
    "complaints_take_from_desk",
    "invitations_send",
    "rating_submit",
    "rectification_callback",
    "rectification_close",
    "rectification_contact_reveal",
    "rectification_rectify",
    "rectification_verify",
    "rectifications_alert_overdue",
    "survey_close",
    "survey_publish",
    "survey_respond",
    "survey_save",
]
