"""API operations for papers (being built)."""

from ninja import Router

router = Router(tags=["papers"])
