"""API operations for accounts (being built)."""

from ninja import Router

router = Router(tags=["accounts"])
