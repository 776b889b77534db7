"""Builders for plan tests: a funded programme, the people who act on a plan, and a plan ready to submit."""

import datetime
from dataclasses import dataclass

from pcndev.accounts.models import Role
from pcndev.funding.allocating import preview, save_run
from pcndev.funding.programmes import create_programme
from pcndev.orgs.models import PayeeOrganisation
from pcndev.plans.editing import InitiativeData, Measure, save_initiative, start_plan
from tests.builders import AS_OF, build_tree, make_user


@dataclass
class World:
    tree: object
    programme: object
    pcn: object
    cd: object
    place_lead: object
    system_lead: object
    other_cd: object
    viewer: object


def funded_world(requires_system: bool = False, pcns: int = 2, year: int = 2019) -> World:
    """A place with PCNs sharing £100,000 by list size (10% kept for CDs); the first PCN has a payee."""
    tree = build_tree(regions=1, systems=1, places=1, pcns=pcns, practices=2, unallocated=0)
    programme = create_programme(
        "PCN development support", year, 43_500_000_00, AS_OF, requires_system_signoff=requires_system
    )
    save_run(programme, preview(100_000_00, "national", "list-size", AS_OF))
    pcn = tree.pcns[0]
    pcn.payee = PayeeOrganisation.objects.create(name="Riverside GP Federation")
    pcn.save()
    return World(
        tree,
        programme,
        pcn,
        make_user("cd@test.example", Role.PCN_CD, pcn),
        make_user("place@test.example", Role.PLACE_LEAD, tree.places[0]),
        make_user("system@test.example", Role.SYSTEM_LEAD, tree.systems[0]),
        make_user("other-cd@test.example", Role.PCN_CD, tree.pcns[1]),
        make_user("viewer@test.example", Role.VIEWER, tree.places[0]),
    )


def initiative_data(cost_pence: int = 10_000_00, **changes) -> InitiativeData:
    data = InitiativeData(
        title="Clinical director coaching",
        domain_code="leadership",
        cost_pence=cost_pence,
        support_required="Six coaching sessions",
        category="development",
        existing_funds_checked=True,
        measures=[Measure("Coaching sessions held", "6", datetime.date(2020, 3, 31))],
    )
    for k, v in changes.items():
        setattr(data, k, v)
    return data


def ready_plan(w: World, costs=(10_000_00, 5_000_00)):
    """A draft with a priority and eligible, measured initiatives within budget."""
    version = start_plan(w.programme, w.pcn, w.cd)
    version.improvement_priority = "Frail older people at home"
    version.save()
    for i, cost in enumerate(costs):
        version.refresh_from_db()
        save_initiative(
            version, version.lock_version, w.cd, initiative_data(cost, title=f"Initiative {i + 1}")
        )
    version.refresh_from_db()
    return version
