"""Assistance API (帮办代办, special groups, extended hours, emergency help)."""

from ninja import Router

router = Router(tags=["帮办代办"])

from govhall.assistance import api_aids, api_emergency, api_special  # noqa: E402

router.add_router("", api_special.router)
router.add_router("", api_aids.router)
router.add_router("", api_emergency.router)
