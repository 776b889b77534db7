"""The one place API routers are mounted: /api/v1/, OpenAPI at /api/v1/openapi.json."""

from django.http import Http404

from pcndev.api.auth import AUTH
from pcndev.api.funding import router as funding_router
from pcndev.api.maturity import router as maturity_router
from pcndev.api.openapi import CompleteNinjaAPI
from pcndev.api.orgs import router as orgs_router

api = CompleteNinjaAPI(
    title="pcndev API",
    version="1",
    description=(
        "PCN development support: organisations and list sizes, development funding, and maturity-matrix "
        "self-assessment. Every list is scoped to your roles."
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("/", orgs_router)
api.add_router("/", funding_router)
api.add_router("/", maturity_router)
api.add_router("/", "pcndev.api.plans.router")
api.add_router("/", "pcndev.api.delivery.router")
api.add_router("/", "pcndev.api.dashboards.router")
api.add_router("/", "pcndev.api.reviews.router")
api.add_router("/", "pcndev.api.rollover.router")
api.add_router("/", "pcndev.api.cd_plans.router")
api.add_router("/", "pcndev.api.papers.router")
api.add_router("/", "pcndev.api.accounts.router")
api.add_router("/", "pcndev.api.places.router")


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found"}, status=404)
