"""A funded place with support plans for the committee paper tests."""

import datetime
from dataclasses import dataclass

from django.db.models import Sum

from pcndev.funding.allocating import preview, save_run
from pcndev.funding.models import AllocationLine
from pcndev.funding.programmes import create_programme
from pcndev.maturity.templates import default_template
from pcndev.orgs.models import PCN, ListSize, PayeeOrganisation, PracticeMembership
from pcndev.plans import workflow
from pcndev.plans.models import Initiative, OutputMeasure, PlanVersion, SupportPlan
from tests.builders import AS_OF, build_tree

DUE = datetime.date(2020, 3, 31)


@dataclass
class Funded:
    tree: object
    programme: object
    areas: list


def funded_place(pcns: int = 5, practices: int = 3, prefix: str = "", programme=None) -> Funded:
    """A region with one system of two places of `pcns` PCNs each, allocated £1,134,000 nationally by list size."""
    tree = build_tree(
        regions=1, systems=1, places=2, pcns=pcns, practices=practices, unallocated=1, prefix=prefix
    )
    if programme is None:
        programme = create_programme("PCN development support", 2019, 43_500_000_00, AS_OF)
    save_run(programme, preview(1_134_000_00, "national", "list-size", AS_OF))
    return Funded(tree, programme, list(default_template().areas.order_by("position")))


def add_plan(programme, pcn, areas, state=workflow.SUBMITTED, number=1, initiatives=None) -> PlanVersion:
    """A plan version in `state` with initiatives given as (title, area or None, support, [(measure, target)])."""
    plan, _ = SupportPlan.objects.get_or_create(programme=programme, pcn=pcn)
    version = PlanVersion.objects.create(
        plan=plan, number=number, state=state, improvement_priority="Frail older people at home"
    )
    if initiatives is None:
        initiatives = [
            (f"{pcn.name} leadership coaching", areas[0], "Coaching for the clinical director", [("Sessions held", "6")]),
            (f"{pcn.name} population analytics", areas[1], "Analyst time to profile the population", [("Profile published", "1"), ("Practices trained", "all")]),
        ]  # fmt: skip
    for position, (title, area, support, measures) in enumerate(initiatives):
        initiative = Initiative.objects.create(
            version=version,
            position=position,
            title=title,
            area=area,
            support_required=support,
            cost_pence=1000_00,
        )
        OutputMeasure.objects.bulk_create(
            OutputMeasure(initiative=initiative, position=n, description=d, target=t, due=DUE)
            for n, (d, t) in enumerate(measures)
        )
    return version


def plans_for_all(funded: Funded, place) -> None:
    for pcn in PCN.objects.filter(place=place):
        add_plan(funded.programme, pcn, funded.areas)


def give_payees(place) -> PayeeOrganisation:
    federation = PayeeOrganisation.objects.create(name=f"{place.name} GP Chambers")
    PCN.objects.filter(place=place).update(payee=federation)
    return federation


# The figures the paper should show, worked out here straight from the ORM.


def practices_in(**pcn_filter) -> int:
    return PracticeMembership.objects.filter(
        valid_to__isnull=True, **{f"pcn__{k}": v for k, v in pcn_filter.items()}
    ).count()


def list_size_of(programme, **pcn_filter) -> int:
    lookup = {f"practice__memberships__pcn__{k}": v for k, v in pcn_filter.items()}
    return (
        ListSize.objects.filter(
            as_of=programme.list_size_date, practice__memberships__valid_to__isnull=True, **lookup
        ).aggregate(n=Sum("patients"))["n"]
        or 0
    )


def latest_line(programme, level: str, **node) -> AllocationLine:
    return (
        AllocationLine.objects.filter(run__programme=programme, level=level, **node)
        .order_by("-run__created_at", "-run_id")
        .first()
    )
