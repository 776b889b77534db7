"""The committee paper for a place and a programme, assembled from live data into plain dataclasses.

Every sentence and figure the paper shows is decided here, once, so the page, the DOCX and the PDF say the same
thing. `build_paper` reads with a fixed number of queries, however many places, PCNs or initiatives there are,
and writes nothing.

Where the money figures come from (all from saved allocation runs, integer pence):

- the system's amount is its line in the latest national or system run (a place run carries a system line too,
  but only for that one place, so it is not used); failing that, the sum of the latest lines of its PCNs;
- each place's amount is its line in the latest run that has one; failing that (a local place defined after the
  run, say), the sum of the latest lines of the PCNs it holds now;
- each PCN's amount is its line in the latest run that has one.

Practices are the current members of each PCN; list sizes are theirs on the programme's list-size date.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, Sum
from django.utils import timezone

from pcndev.config.formatting import format_date, format_pence
from pcndev.funding.models import AllocationLine, AllocationRun, Programme, ProgrammePriority
from pcndev.orgs.models import PCN, ListSize, Place, PracticeMembership
from pcndev.papers import prose
from pcndev.papers.paper import (
    COMMITTEE,
    COMMITTEE_SHORT,
    NO_AREA,
    NOT_ALLOCATED,
    AreaSection,
    Figures,
    FundingChain,
    InitiativeItem,
    Measure,
    Paper,
    sum_known,
    total_of,
)
from pcndev.plans import workflow
from pcndev.plans.models import Initiative, PlanVersion


class Money(NamedTuple):
    """One allocation line's money (or the sum of several)."""

    development_pence: int
    cd_pence: int
    total_pence: int
    cd_share_bp: int


@dataclass
class _Lines:
    """The latest allocation line of the system, and of each place and PCN (by id)."""

    system: Money | None
    places: dict[int, Money]
    pcns: dict[int, Money]


def _latest_lines(programme: Programme, system_id: int) -> _Lines:
    rows = (
        AllocationLine.objects.filter(run__programme=programme, system_id=system_id)
        .order_by("-run__created_at", "-run_id", "-id")
        .values_list(
            "level",
            "place_id",
            "pcn_id",
            "development_pence",
            "cd_pence",
            "total_pence",
            "run__cd_share_bp",
            "run__scope",
        )
    )
    system, places, pcns = None, {}, {}
    whole_system = (AllocationRun.Scope.NATIONAL, AllocationRun.Scope.SYSTEM)
    for level, place_id, pcn_id, dev, cd, total, share, scope in rows:
        money = Money(dev, cd, total, share)
        if level == AllocationLine.Level.SYSTEM:
            if system is None and scope in whole_system:
                system = money
        elif level == AllocationLine.Level.PLACE:
            places.setdefault(place_id, money)
        else:
            pcns.setdefault(pcn_id, money)
    return _Lines(system, places, pcns)


def _initiatives(programme: Programme, place: Place, pcns: list[PCN]) -> tuple[list[AreaSection], list[PCN]]:
    """Initiatives from each PCN's latest version past drafting, by maturity area; and the PCNs with none."""
    versions = (
        PlanVersion.objects.filter(plan__programme=programme, plan__pcn__place=place)
        .exclude(state__in=workflow.EDITABLE)
        .order_by("plan_id", "-number")
        .values_list("id", "plan__pcn_id")
    )
    latest: dict[int, int] = {}  # pcn id -> version id
    for version_id, pcn_id in versions:
        latest.setdefault(pcn_id, version_id)
    by_id = {p.id: p for p in pcns}
    pcn_of_version = {v: by_id[p] for p, v in latest.items() if p in by_id}
    items = (
        Initiative.objects.filter(version_id__in=list(pcn_of_version))
        .select_related("area")
        .prefetch_related("measures")
        .order_by("version_id", "position", "id")
    )
    # As in the Kingston paper, an initiative several PCNs share (same title, support and measures) is listed once,
    # naming every PCN that takes it up.
    groups: dict[tuple, dict[tuple, list]] = defaultdict(dict)
    for i in items:
        pcn = pcn_of_version[i.version_id]
        key = (0, i.area.position, i.area.title) if i.area else (1, 0, NO_AREA)
        measures = tuple(Measure(m.description, m.target, m.due) for m in i.measures.all())
        same = (i.title, i.support_required, measures)
        entry = groups[key].setdefault(same, [(pcn.name, pcn.code, i.position, i.id), []])
        entry[1].append(pcn)
    sections = []
    for key, entries in sorted(groups.items()):
        ordered = sorted(entries.items(), key=lambda e: e[1][0])
        items_out = tuple(
            InitiativeItem(
                ", ".join(p.name for p in sorted(shared, key=lambda p: p.name)),
                ", ".join(p.code for p in sorted(shared, key=lambda p: p.name)),
                title,
                support,
                measures,
            )
            for (title, support, measures), (_, shared) in ordered
        )
        sections.append(AreaSection(key[2], items_out))
    without = [p for p in pcns if p.id not in latest]
    return sections, without


def build_paper(
    programme: Programme,
    place: Place,
    committee: str = COMMITTEE,
    committee_short: str = COMMITTEE_SHORT,
    today: datetime.date | None = None,
) -> Paper:
    """The committee paper for `place` (with its system loaded or not) in `programme`."""
    system = place.system
    day = programme.list_size_date
    pcns = list(
        PCN.objects.filter(place__system_id=system.id).select_related("place", "payee").order_by("name")
    )
    practices = dict(
        PracticeMembership.objects.current()
        .filter(pcn__place__system_id=system.id)
        .values("pcn_id")
        .annotate(n=Count("id"))
        .values_list("pcn_id", "n")
    )
    sizes = dict(
        ListSize.objects.filter(
            as_of=day,
            practice__memberships__valid_to__isnull=True,
            practice__memberships__pcn__place__system_id=system.id,
        )
        .values("practice__memberships__pcn_id")
        .annotate(total=Sum("patients"))
        .values_list("practice__memberships__pcn_id", "total")
    )
    lines = _latest_lines(programme, system.id)

    def pcntotal_of(pcn_id: int) -> int | None:
        line = lines.pcns.get(pcn_id)
        return None if line is None else line.total_pence

    pcn_rows: dict[int, list[Figures]] = defaultdict(list)
    pcn_by_place: dict[int, list[PCN]] = defaultdict(list)
    places: dict[int, Place] = {}
    for p in pcns:
        places.setdefault(p.place_id, p.place)
        pcn_by_place[p.place_id].append(p)
        pcn_rows[p.place_id].append(
            Figures(
                p.name,
                p.code,
                practices.get(p.id, 0),
                1,
                sizes.get(p.id, 0),
                pcntotal_of(p.id),
                payee=p.payee.name if p.payee else "",
            )
        )

    def place_money(place_id: int) -> Money | None:
        """The place's own line, else the sum of the lines of the PCNs it holds now."""
        if line := lines.places.get(place_id):
            return line
        held = [lines.pcns[p.id] for p in pcn_by_place[place_id] if p.id in lines.pcns]
        if not held:
            return None
        return Money(
            sum(m.development_pence for m in held),
            sum(m.cd_pence for m in held),
            sum(m.total_pence for m in held),
            held[0].cd_share_bp,
        )

    place_rows = []
    for pl in sorted(places.values(), key=lambda x: x.name):
        rows = pcn_rows[pl.id]
        place_rows.append(
            Figures(
                pl.name,
                pl.code,
                sum(r.practices for r in rows),
                len(rows),
                sum(r.list_size for r in rows),
                money.total_pence if (money := place_money(pl.id)) else None,
                highlight=pl.id == place.id,
            )
        )
    places_total = total_of("Total", place_rows)
    own_pcns = pcn_rows.get(place.id, [])
    pcns_total = total_of("Total", own_pcns)

    own = place_money(place.id)
    place_total = own.total_pence if own else None
    system_pence = lines.system.total_pence if lines.system else sum_known(pcntotal_of(p.id) for p in pcns)
    funding = FundingChain(
        programme.national_total_pence,
        system_pence,
        place_total,
        own.development_pence if own else None,
        own.cd_pence if own else None,
        own.cd_share_bp if own else programme.cd_share_bp,
    )
    domains = tuple(
        ProgrammePriority.objects.filter(programme=programme, kind=ProgrammePriority.Kind.DOMAIN).values_list(
            "title", flat=True
        )
    )
    place_pcns = pcn_by_place.get(place.id, [])
    areas, without = _initiatives(programme, place, place_pcns)
    with_plans = len(place_pcns) - len(without)
    plans_note = (
        f"The initiatives below come from each PCN's latest support plan that has been submitted for agreement "
        f"or has gone further; drafts are left out. {with_plans} of {len(place_pcns)} PCNs in {place.name} "
        f"have one."
    )
    if without:
        plans_note += " Not yet submitted: " + ", ".join(p.name for p in without) + "."
    prepared = today or timezone.localdate()
    title = f"PCN development support funding {programme.year_label}: {place.name}"
    if place_total is None:
        recommendation = (
            f"No allocation has been saved for {place.name} in this programme yet, so there is no funding to "
            f"recommend for release; allocate the programme first."
        )
    else:
        recommendation = (
            f"The {committee_short} is asked to approve the release of the PCN development support funding "
            f"outlined below: {format_pence(place_total)} for {place.name}'s {len(place_pcns)} "
            f"PCN{'s' if len(place_pcns) != 1 else ''}, according to list size."
        )
    return Paper(
        title=title,
        committee=committee,
        committee_short=committee_short,
        programme_name=programme.name,
        year_label=programme.year_label,
        place_name=place.name,
        place_code=place.code,
        place_kind=place.get_kind_display(),
        system_name=system.name,
        list_size_date=day,
        prepared_on=prepared,
        summary=(
            ("Paper to", f"{committee} ({committee_short})"),
            ("Programme", f"{programme.name} {programme.year_label}"),
            ("Place", f"{place.name} ({place.code}), {system.name}"),
            ("Purpose", "For approval"),
            ("Funding to release", NOT_ALLOCATED if place_total is None else format_pence(place_total)),
            ("Prepared", format_date(prepared)),
        ),
        purpose=(
            "outline the background to the development support fund and the support domains;",
            "describe the process of engagement with PCNs to identify their maturity development needs;",
            f"highlight the support requirements identified in {place.name} against the maturity matrix;",
            f"present a recommendation to the {committee_short} on the release of funding to support PCN "
            f"development.",
        ),
        funding=funding,
        background=prose.background(programme, funding, place, len(place_rows), len(place_pcns)),
        domains=domains,
        timetable=tuple(prose.timetable(programme, funding, place, committee_short)),
        plans_note=plans_note,
        areas=tuple(areas),
        recommendation=recommendation,
        places=tuple(place_rows),
        places_total=places_total,
        pcns=tuple(own_pcns),
        pcns_total=pcns_total,
        next_steps=tuple(prose.next_steps(programme, place, own_pcns)),
    )
