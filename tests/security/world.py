"""The security suite's world, built once (per test worker) with the real services: two regions, each with a system
of two places of two PCNs of two practices, and a local place (no PCNs yet) per system; users holding every role
along one chain (region 0 → … → practice 0); and for four PCNs (own, another in the same place, one in another
place, one in another region) the same objects:

* 2019/20 (funded nationally): a plan agreed, approved by the committee, released and in delivery, with a submitted
  October review naming additional support, which opened a draft revision (v2) with an initiative, and a draft
  November review; ledger entries; an agreed CD development plan with an item; the place's collective CD plan;
* 2020/21: a plan submitted for agreement; 2021/22: a plan approved by the committee, waiting for its release;
* self-assessment: per place a September round (submitted), its March re-assessment and a round not yet
  re-assessed; a national round open today with each PCN's first practice's draft ratings.
"""

import datetime
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.test import override_settings

from pcndev.accounts.models import Role
from pcndev.delivery.reviewing import save_review
from pcndev.funding.allocating import preview, save_run
from pcndev.funding.models import LedgerEntry
from pcndev.funding.programmes import create_programme
from pcndev.maturity.models import AssessmentRound, PCNAssessment
from pcndev.maturity.templates import copy_template, default_template
from pcndev.orgs.models import ClinicalDirector, PayeeOrganisation, Place
from pcndev.plans.cd_plans import add_item, agree_cd_plan
from pcndev.plans.models import CDDevelopmentPlan, PlanVersion
from pcndev.plans.transitions import record_committee_decision, transition
from tests.builders import AS_OF, build_tree, make_user
from tests.delivery.review_builders import NOV, OCT, agree, delivered_plan, record_review, review_data
from tests.maturity.builders import make_round, open_round_now, practice_response, submitted_assessment
from tests.plans.builders import ready_plan

# Who holds which role where: (key, role, level of the node on the chain); None is England.
HOLDERS = [
    ("national", Role.NATIONAL_ADMIN, None),
    ("region_lead", Role.REGION_LEAD, "region"),
    ("system_lead", Role.SYSTEM_LEAD, "system"),
    ("place_lead", Role.PLACE_LEAD, "place"),
    ("pcn_cd", Role.PCN_CD, "pcn"),
    ("practice_member", Role.PRACTICE_MEMBER, "practice"),
    *((f"viewer@{level}", Role.VIEWER, level) for level in ("region", "system", "place", "pcn", "practice")),
]
ANONYMOUS = "anonymous"
PREFIX = "W"  # the world's codes and names, apart from the org trees other tests build beside it
VARIANTS = ("own", "same_place", "other_place", "other_region")
# The variants that exist for an object held at each level (a region has no "same place" neighbour, …).
LEVEL_VARIANTS = {
    "region": ("own", "other_region"),
    "system": ("own", "other_region"),
    "place": ("own", "other_place", "other_region"),
    "pcn": VARIANTS,
    "practice": ("own", "same_pcn", "same_place", "other_region"),
}


@dataclass(frozen=True)
class Holder:
    key: str
    role: str | None
    level: str | None  # None: England (or anonymous)
    code: str | None
    lineage: frozenset  # the holder's node and its ancestors, as (level, code)

    @property
    def national(self) -> bool:
        return self.role is not None and self.level is None


@dataclass
class World:
    tree: object
    users: dict = field(default_factory=dict)  # holder key -> User
    holders: dict = field(default_factory=dict)  # holder key -> Holder
    nodes: dict = field(default_factory=dict)  # (level, variant) -> org node
    programmes: dict = field(default_factory=dict)  # 2019, 2020, 2021 -> Programme
    o: dict = field(default_factory=dict)  # (object name, variant) -> object
    template: object = None
    unused_template: object = None
    run: object = None
    open_round: object = None

    def lineage(self, level: str, code: str) -> frozenset:
        return frozenset(self.tree.lineage[(level, code)])


def _chain(tree) -> dict:
    """The org nodes per (level, variant)."""
    r0, r1 = tree.regions
    by_code = {p.code: p for p in tree.places}
    p_own, p_other, p_far = (by_code[PREFIX + c] for c in ("R0S0P0", "R0S0P1", "R1S0P0"))
    pcns = {p.code: p for p in tree.pcns}
    practices = {p.code: p for p in tree.practices}
    nodes = {("region", "own"): r0, ("region", "other_region"): r1}
    nodes |= {("system", "own"): tree.systems[0], ("system", "other_region"): tree.systems[1]}
    nodes |= {("place", "own"): p_own, ("place", "other_place"): p_other, ("place", "other_region"): p_far}
    for variant, code in zip(VARIANTS, ("R0S0P0N0", "R0S0P0N1", "R0S0P1N0", "R1S0P0N0"), strict=True):
        nodes[("pcn", variant)] = pcns[PREFIX + code]
    for variant, code in zip(
        LEVEL_VARIANTS["practice"], ("R0S0P0N0G0", "R0S0P0N0G1", "R0S0P0N1G0", "R1S0P0N0G0"), strict=True
    ):
        nodes[("practice", variant)] = practices[PREFIX + code]
    return nodes


def _holders(w: World) -> None:
    for key, role, level in HOLDERS:
        node = None if level is None else w.nodes[(level, "own")]
        w.users[key] = make_user(f"{key.replace('@', '-at-')}@world.example", role, node)
        lineage = frozenset() if node is None else w.lineage(level, node.code)
        w.holders[key] = Holder(key, role, level, node.code if node else None, lineage)
    w.holders[ANONYMOUS] = Holder(ANONYMOUS, None, None, None, frozenset())


def _programme(year: int):
    programme = create_programme("PCN development support", year, 43_500_000_00, AS_OF)
    run = save_run(programme, preview(4_000_000_00, "national", "list-size", AS_OF))
    return programme, run


def _actors(w: World, variant: str):
    """The people who act on a variant PCN's plans: its CD and its place lead (holders where the chain has them)."""
    pcn = w.nodes[("pcn", variant)]
    cd = (
        w.users["pcn_cd"]
        if variant == "own"
        else make_user(f"cd-{pcn.code}@actors.example", Role.PCN_CD, pcn)
    )
    if pcn.place_id == w.nodes[("place", "own")].pk:
        lead = w.users["place_lead"]
    else:
        lead = make_user(f"lead-{pcn.code}@actors.example", Role.PLACE_LEAD, pcn.place)
    director = ClinicalDirector.objects.create(pcn=pcn, name=f"Dr {pcn.code}", share_percent=100, user=cd)
    pcn.payee = PayeeOrganisation.objects.create(name=f"Federation of {pcn.code}")
    pcn.save()
    return cd, lead, director


def _plans(w: World, variant: str) -> None:
    pcn = w.nodes[("pcn", variant)]
    cd, lead, director = _actors(w, variant)
    p19, p20, p21 = (w.programmes[y] for y in (2019, 2020, 2021))
    actor = SimpleNamespace(cd=cd, place_lead=lead, pcn=pcn, programme=p19)
    delivered = delivered_plan(actor)
    review = record_review(actor, delivered, OCT, support="Population health analytics")
    revision = review.revision
    save_review(delivered.plan, NOV, 0, cd, review_data(delivered))  # November's review: a draft
    w.o |= {("delivered", variant): delivered, ("revision", variant): revision, ("review", variant): review}
    w.o[("initiative", variant)] = revision.initiatives.order_by("position").first()
    w.o[("release_entry", variant)] = LedgerEntry.objects.filter(
        programme=p19, pcn=pcn, kind="release"
    ).first()
    actor.programme = p20
    submitted = ready_plan(actor)
    w.o[("submitted", variant)] = transition(submitted, "submit", cd)
    actor.programme = p21
    approved = agree(actor, ready_plan(actor))
    record_committee_decision(
        lead, pcn.place, p21, [approved], "PCCC", datetime.date(2021, 10, 10), "PCCC/21/1"
    )
    w.o[("approved", variant)] = PlanVersion.objects.get(pk=approved.pk)
    cd_plan = CDDevelopmentPlan.objects.create(programme=p19, director=director, pcn=pcn)
    add_item(cd_plan, cd, "coaching", "Six coaching sessions", 1_000_00)
    w.o[("cd_plan", variant)] = agree_cd_plan(cd_plan, lead)


def _rounds(w: World) -> None:
    template = w.template
    for variant in LEVEL_VARIANTS["place"]:
        place = w.nodes[("place", variant)]
        september = make_round(f"September 2019 in {place.name}", template, place=place)
        for pcn in place.pcns.all():
            submitted_assessment(september, pcn)
        march = make_round(f"March 2020 in {place.name}", template, place=place)
        AssessmentRound.objects.filter(pk=march.pk).update(baseline=september)
        march.refresh_from_db()
        for pcn in place.pcns.all():
            submitted_assessment(march, pcn, stages=(2, 3))
        later = make_round(f"September 2020 in {place.name}", template, place=place)
        w.o |= {("september", variant): september, ("march", variant): march, ("fresh", variant): later}
    w.open_round = open_round_now(make_round("Open now", template))
    for variant in VARIANTS:
        pcn = w.nodes[("pcn", variant)]
        assessment = PCNAssessment.objects.create(round=w.open_round, pcn=pcn)
        practice = pcn.memberships.order_by("practice__code").first().practice
        member = w.users["practice_member"] if variant == "own" else None
        practice_response(assessment, practice, user=member)
        w.o |= {("open_assessment", variant): assessment, ("rater", variant): practice}
        w.o[("submitted_assessment", variant)] = PCNAssessment.objects.get(
            round=w.o[("march", _place_variant(variant))], pcn=pcn
        )


def _place_variant(pcn_variant: str) -> str:
    return "own" if pcn_variant == "same_place" else pcn_variant


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
def build_world() -> World:
    """(A fast hasher: the matrix signs in with force_login, so no password is ever checked.)"""
    tree = build_tree(regions=2, systems=1, places=2, pcns=2, practices=2, unallocated=0, prefix=PREFIX)
    w = World(tree=tree, nodes=_chain(tree))
    _holders(w)
    for year in (2019, 2020, 2021):
        w.programmes[year], run = _programme(year)
        w.run = w.run or run
    w.template = default_template()
    w.unused_template = copy_template(w.template, "Local variant")
    for variant in VARIANTS:
        _plans(w, variant)
    for variant in LEVEL_VARIANTS["place"]:
        place = w.nodes[("place", variant)]
        w.o[("place_cd_plan", variant)] = CDDevelopmentPlan.objects.create(
            programme=w.programmes[2019], place=place
        )
    _rounds(w)
    _defined_places(w)
    return w


def _defined_places(w: World) -> None:
    """A local place (no PCNs yet) in each system, for the place editor."""
    for variant in LEVEL_VARIANTS["system"]:
        system = w.nodes[("system", variant)]
        place = Place.objects.create(
            code=f"{system.code}L", name=f"{system.name} Local place", system=system, kind=Place.Kind.DEFINED
        )
        w.tree.lineage[("place", place.code)] = {("place", place.code)} | w.tree.lineage[
            ("system", system.code)
        ]
        w.o[("defined", variant)] = place
