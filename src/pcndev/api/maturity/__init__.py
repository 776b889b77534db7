"""Self-assessment endpoints: matrix templates, rounds, practice and CD ratings, the PCN's consensus, needs and results.

Every endpoint starts from the same lookups, permission checks and privacy querysets as the pages:
anything the user's roles do not reach is a 404; a refusal of something they can see is a 403 with its reason.

The endpoints live in one module per concern (schemas, templates, rounds, ratings, results) and this router joins
them under one tag. Each endpoint names the operation id it had when they were all in one module (ninja derives
the default from the module), so the OpenAPI schema and the clients generated from it do not change.
"""

from ninja import Router

from pcndev.api.maturity import ratings, results, rounds, templates

router = Router(tags=["self-assessment"])
router.add_router("", templates.router)
router.add_router("", rounds.router)
router.add_router("", ratings.router)
router.add_router("", results.router)
