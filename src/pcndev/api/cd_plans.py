"""API operations for cd-plans (being built)."""

from ninja import Router

router = Router(tags=["cd-plans"])
