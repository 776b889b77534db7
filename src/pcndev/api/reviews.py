"""Reviews in the API (being built)."""

from ninja import Router

router = Router(tags=["reviews"])
