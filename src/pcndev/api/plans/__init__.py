"""Support plan endpoints: plans and their versions, initiatives and eligibility, overrides, workflow actions,
committee decisions, releases to the payee, and what is awaiting your action.

Every endpoint starts from the PCNs your roles reach (as the pages do): a plan, initiative or place outside them
is a 404. Everything else is the plan services' own work: a refusal is a 403 with the permission's reason, a
problem with the input a 400 listing every problem, and a save over someone else's a 409 with who saved since.

The endpoints live in one module per concern (schemas, payloads, plans, initiatives, workflow) and this router
joins them under one tag. Each endpoint names the operation id it had when they were all in one module (ninja
derives the default from the module), so the OpenAPI schema and the clients generated from it do not change.
"""

from ninja import Router

from pcndev.api.plans import initiatives, plans, workflow

router = Router(tags=["support plans"])
router.add_router("", plans.router)
router.add_router("", initiatives.router)
router.add_router("", workflow.router)
