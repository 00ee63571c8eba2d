"""Every state change of a case (DESIGN.md rule 1): keyword-only `case_<action>` functions,
each in one transaction, taking `actor` and `now`."""

from govhall.cases.services.checks import AgentIn, ApplicantIn, MailIn, MaterialIn
from govhall.cases.services.corrections import case_corrections_supply, case_return, case_withdraw
from govhall.cases.services.deemed import cases_deem_accepted, cases_recompute_provisional
from govhall.cases.services.intake import IntakeResult, case_intake, case_mail_sign_in
from govhall.cases.services.review import case_decide

__all__ = [
    "AgentIn",
    "ApplicantIn",
    "IntakeResult",
    "MailIn",
    "MaterialIn",
    "case_corrections_supply",
    "case_decide",
    "case_intake",
    "case_mail_sign_in",
    "case_return",
    "case_withdraw",
    "cases_deem_accepted",
    "cases_recompute_provisional",
]
