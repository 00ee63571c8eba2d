"""Every state change of assistance (DESIGN.md rule 1): keyword-only `<entity>_<action>`
functions, each in one transaction, taking `actor` and `now`."""

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

__all__ = [
    "MaterialLine",
    "TakeInResult",
    "help_record_create",
    "proxy_apply",
    "proxy_deliver",
    "proxy_fee_guide",
    "proxy_file",
    "proxy_note_add",
    "proxy_sign",
    "proxy_take_in",
    "proxy_terminate",
]
