"""CD development plans share the place's CD money: individual and collective plans together never exceed it."""

import pytest

from pcndev.orgs.models import ClinicalDirector
from pcndev.plans.cd_plans import add_item
from pcndev.plans.editing import PlanProblems
from pcndev.plans.models import CDDevelopmentItem, CDDevelopmentPlan
from tests.plans.builders import funded_world


def test_individual_and_collective_plans_together_stay_within_the_places_cd_money(db):
    w = funded_world()  # two PCNs, each with a £5,000 CD slice: £10,000 for the place
    director = ClinicalDirector.objects.create(pcn=w.pcn, name="Dr A", share_percent=100, user=w.cd)
    individual = CDDevelopmentPlan.objects.create(programme=w.programme, director=director, pcn=w.pcn)
    collective = CDDevelopmentPlan.objects.create(programme=w.programme, place=w.tree.places[0])
    add_item(collective, w.place_lead, "leadership", "Leadership programme for every CD", 8_000_00)
    with pytest.raises(PlanProblems) as caught:
        add_item(individual, w.cd, "coaching", "Coaching", 3_000_00)  # within the CD's own £5,000
    assert caught.value.problems == [
        (
            "cost",
            f"This would take {w.tree.places[0]}'s CD development plans to £11,000.00, "
            "over the £10,000.00 of CD development money for its PCNs",
        )
    ]
    add_item(individual, w.cd, "coaching", "Coaching", 2_000_00)
    assert sum(CDDevelopmentItem.objects.values_list("cost_pence", flat=True)) == 10_000_00
