"""Assistance API (帮办代办, special groups, extended hours, emergency help)."""

from ninja import Router

router = Router(tags=["帮办代办"])
