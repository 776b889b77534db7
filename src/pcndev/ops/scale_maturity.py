"""The September self-assessment round for `pcndev scale-data`: every practice rating every element.

Each PCN has a maturity profile (most were new in 2019, so mostly Foundation and Developing) that its
practices' ratings scatter around. About 96% of PCNs have submitted: every practice's ratings, the PCN's
consensus on all twenty elements (near the practices' median), its service-improvement priority and the
development needs ranked by the scoring rules. The rest are part-way: some practices still drafting (part of
the matrix rated), the consensus begun or not. A quarter of clinical directors also rated as CD.
"""

import datetime
import statistics
from dataclasses import dataclass, field

from pcndev.maturity.models import (
    AssessmentRound,
    ConsensusRating,
    DevelopmentNeed,
    PCNAssessment,
    Rating,
    Response,
)
from pcndev.maturity.scoring import NeedInput, rank_needs
from pcndev.maturity.templates import default_template
from pcndev.orgs.models import PCN, PracticeMembership

SUBMITTED_SHARE = 0.96
PRIORITIES = (
    "Frail older people and care homes",
    "Same-day access",
    "Mental health in the community",
    "Long-term conditions: diabetes",
    "Social prescribing",
    "Children and young people",
    "Health inequalities in deprived areas",
    "Respiratory care",
)
SUPPORT = (
    "Facilitated workshops across the member practices",
    "Backfill so clinicians can take part",
    "Analyst support to use the data we already have",
    "Project management for six months",
    "Coaching for the clinical director and practice leads",
    "Help to agree governance and a data-sharing agreement",
)
EVIDENCE = ("Discussed at the practice meeting", "Partners' away day", "See the PCN's business plan", "")


@dataclass
class RoundFacts:
    round: AssessmentRound
    elements: list  # in matrix order, with .area
    stages: int
    # PCN id -> (assessment id, submitted, improvement priority, submitted_at)
    assessments: dict[int, tuple[int, bool, str, datetime.datetime | None]] = field(default_factory=dict)
    needs: dict[int, list[tuple[int, int]]] = field(
        default_factory=dict
    )  # assessment id -> [(need, element)]
    responses: list[tuple[int, int, int | None, int, bool, datetime.datetime]] = field(default_factory=list)
    # (response id, rater user id, practice id or None, assessment id, submitted, when) for the audit trail


def _when(rng, day_from: int, day_to: int) -> datetime.datetime:
    day = rng.randint(day_from, day_to)
    return datetime.datetime(2019, 9, day, rng.randint(8, 18), rng.randrange(60), tzinfo=datetime.UTC)


def _profile(rng, n: int) -> list[int]:
    base = rng.choices((0, 1, 2, 3), weights=(40, 35, 20, 5))[0]
    return [min(3, max(0, base + rng.choice((-1, 0, 0, 0, 1)))) for _ in range(n)]


def _rating(rng, centre: int, stages: int) -> tuple:
    current = min(stages - 1, max(0, centre + rng.choice((-1, 0, 0, 0, 0, 1))))
    target = min(stages - 1, current + rng.choice((0, 1, 1, 1, 2)))
    gap = target > current
    return (
        current,
        target,
        rng.choice(("high", "medium", "medium", "low")) if gap else "",
        rng.choice(SUPPORT) if gap else "",
        rng.randrange(5, 80) * 100_00 if gap and rng.random() < 0.4 else None,
    )


def build_round(bulk, rng, programme, people) -> RoundFacts:
    template = default_template()
    elements = list(template.elements.select_related("area").order_by("area__position", "position"))
    stages = template.stages.count()
    rnd = AssessmentRound.objects.create(
        name="September 2019 self-assessment",
        template=template,
        programme=programme,
        financial_year=programme.financial_year,
        opens_on=datetime.date(2019, 9, 2),
        closes_on=datetime.date(2019, 9, 30),
        created_by_id=people.admins[0],
    )
    facts = RoundFacts(rnd, elements, stages)
    members: dict[int, list[int]] = {}
    for practice_id, pcn_id in (
        PracticeMembership.objects.current().order_by("practice_id").values_list("practice_id", "pcn_id")
    ):
        members.setdefault(pcn_id, []).append(practice_id)
    pcns = list(PCN.objects.order_by("id").values_list("id", flat=True))
    bulk.reporter.total(
        len(pcns) * (2 + 2 * len(elements)) + sum(map(len, members.values())) * (1 + len(elements))
    )
    assessment_ids = dict(zip(pcns, bulk.ids(PCNAssessment, len(pcns)), strict=True))
    rows = {"assessment": [], "response": [], "rating": [], "consensus": [], "need": []}
    for pcn_id in pcns:
        _pcn(bulk, rng, facts, people, pcn_id, assessment_ids[pcn_id], members.get(pcn_id, []), rows)
    bulk.insert(
        PCNAssessment,
        ["id", "round_id", "pcn_id", "status", "improvement_priority", "submitted_at", "submitted_by_id"],
        rows["assessment"],
        at=datetime.datetime(2019, 9, 30, 17, tzinfo=datetime.UTC),
    )
    bulk.insert(
        Response,
        ["id", "assessment_id", "practice_id", "respondent_id", "status", "submitted_at"],
        rows["response"],
        at=datetime.datetime(2019, 9, 27, 17, tzinfo=datetime.UTC),
    )
    fields = ["current_stage", "target_stage", "priority", "support_needed", "cost_pence"]
    bulk.insert(
        Rating,
        ["id", "response_id", "element_id", *fields, "evidence"],
        _with_ids(bulk, Rating, rows["rating"]),
    )
    bulk.insert(
        ConsensusRating,
        ["id", "assessment_id", "element_id", *fields, "note"],
        _with_ids(bulk, ConsensusRating, rows["consensus"]),
    )
    need_fields = ["assessment_id", "element_id", "rank", "tag", "current_stage", "target_stage", "gap"]
    need_ids = bulk.ids(DevelopmentNeed, len(rows["need"]))
    for need_id, row in zip(need_ids, rows["need"], strict=True):
        facts.needs.setdefault(row[0], []).append((need_id, row[1]))
    bulk.insert(
        DevelopmentNeed,
        ["id", *need_fields, "priority", "support_needed", "cost_pence"],
        ((i, *r) for i, r in zip(need_ids, rows["need"], strict=True)),
    )
    bulk.sync()
    return facts


def _with_ids(bulk, model, rows: list[tuple]):
    return ((i, *r) for i, r in zip(bulk.ids(model, len(rows)), rows, strict=True))


def _pcn(bulk, rng, facts: RoundFacts, people, pcn_id: int, aid: int, practices: list[int], rows) -> None:
    elements, stages = facts.elements, facts.stages
    profile = _profile(rng, len(elements))
    submitted = rng.random() < SUBMITTED_SHARE and bool(practices)
    when = _when(rng, 16, 30) if submitted else None
    priority = rng.choice(PRIORITIES) if submitted or rng.random() < 0.5 else ""
    cd = people.cd_user.get(pcn_id)
    rows["assessment"].append(
        (
            aid,
            facts.round.pk,
            pcn_id,
            "submitted" if submitted else "in_progress",
            priority,
            when,
            cd if when else None,
        )
    )
    facts.assessments[pcn_id] = (aid, submitted, priority, when)
    raters = [(p, people.practice_user.get(p)) for p in practices]
    if cd and rng.random() < 0.25:
        raters.append((None, cd))
    response_ids = bulk.ids(Response, len(raters))
    currents: list[list[int]] = [[] for _ in elements]
    targets: list[list[int]] = [[] for _ in elements]
    for rid, (practice_id, user_id) in zip(response_ids, raters, strict=True):
        done = submitted or rng.random() < 0.7
        at = _when(rng, 2, 27)
        rows["response"].append(
            (rid, aid, practice_id, user_id, "submitted" if done else "draft", at if done else None)
        )
        facts.responses.append((rid, user_id, practice_id, aid, done, at))
        rated = len(elements) if done else 4 * rng.randint(1, 4)
        for n, e in enumerate(elements[:rated]):
            r = _rating(rng, profile[n], stages)
            rows["rating"].append((rid, e.pk, *r, rng.choice(EVIDENCE)))
            currents[n].append(r[0])
            targets[n].append(r[1])
    agreed = len(elements) if submitted else (8 if rng.random() < 0.5 else 0)
    inputs = []
    for n, e in enumerate(elements[:agreed]):
        current = int(statistics.median_low(currents[n])) if currents[n] else profile[n]
        target = max(current, int(statistics.median_low(targets[n])) if targets[n] else current)
        gap = target > current
        values = (
            current,
            target,
            rng.choice(("high", "medium", "low")) if gap else "",
            rng.choice(SUPPORT) if gap else "",
            rng.randrange(10, 150) * 100_00 if gap else None,
        )
        rows["consensus"].append((aid, e.pk, *values, ""))
        inputs.append(
            NeedInput(
                e.code, e.area.position, e.position, e.tag, current, target, *values[2:4], values[4] or 0
            )
        )
    if submitted:
        by_code = {e.code: e.pk for e in elements}
        for need in rank_needs(inputs):
            rows["need"].append(
                (aid, by_code[need.element_code], need.rank, need.tag, need.current, need.target, need.gap)
                + (need.priority, need.support_needed, need.cost_pence)
            )
