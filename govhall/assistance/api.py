"""Assistance API (帮办代办, special groups, extended hours, emergency help): sub-routers by
subject, mounted here."""

from ninja import Router

from govhall.assistance import api_aids, api_emergency, api_special
from govhall.assistance.api_help import router as help_router
from govhall.assistance.api_proxy import router as proxy_router

router = Router(tags=["帮办代办"])
router.add_router("", help_router)
router.add_router("", proxy_router)

router.add_router("", api_special.router)
router.add_router("", api_aids.router)
router.add_router("", api_emergency.router)
