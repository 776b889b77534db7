"""The committee paper's sentences, from the figures content.py gathers."""

from collections import defaultdict

from pcndev.config.formatting import format_date, format_pence
from pcndev.funding.models import Programme
from pcndev.orgs.models import Place
from pcndev.papers.paper import Figures, FundingChain, Step, percent, sum_known


def _allocated(who: str, pence: int | None, rest: str) -> str:
    """'X was allocated £N for PCN development <rest>', or that nothing is allocated yet."""
    if pence is None:
        return f"{who} has no saved allocation for PCN development yet."
    return f"{who} was allocated {format_pence(pence)} for PCN development {rest}."


def timetable(p: Programme, funding: FundingChain, place: Place, committee_short: str) -> list[Step]:
    y, n = p.financial_year, p.financial_year + 1
    return [
        Step(f"June {y}", f"NHS England announced {format_pence(funding.national_pence)} of dedicated PCN development support funding for {p.year_label}."),
        Step(f"July {y}", _allocated(place.system.name, funding.system_pence, "to share between its places by list size")),
        Step(f"August {y}", f"{place.name} engaged with its PCNs about their development needs and shared the maturity matrix."),
        Step(f"September {y}", "PCNs completed the maturity self-assessment with their member practices: where they are, where they want to be in a year and the support they need."),
        Step(f"September to October {y}", f"Each PCN agreed its support plan with {place.name}: the initiatives, their estimated costs and output measures."),
        Step(f"October {y}", f"The {committee_short} is asked to approve the release of the funding (this paper)."),
        Step(f"October {y}", "Mobilisation: funds are released to each PCN's payee under a memorandum of understanding, and delivery starts."),
        Step(f"October {y} to March {n}", f"Delivery is monitored, with progress reviews until the end of {p.year_label}."),
    ]  # fmt: skip


def background(p: Programme, f: FundingChain, place: Place, places: int, pcns: int) -> tuple[str, ...]:
    out = [
        f"New dedicated PCN development support funding of {format_pence(f.national_pence)} was announced by "
        f"NHS England for {p.year_label}.",
        _allocated(place.system.name, f.system_pence, f"across {places} place{'s' if places != 1 else ''}"),
        _allocated(
            place.name,
            f.place_pence,
            f"across {pcns} PCN{'s' if pcns != 1 else ''}, shared by list size on {format_date(p.list_size_date)}",
        ),
    ]
    if f.place_development_pence is not None:
        out.append(
            f"National funding should be used in {p.year_label} for two purposes: PCN development "
            f"({format_pence(f.place_development_pence)} in {place.name}) and clinical director development "
            f"({percent(f.cd_share_bp)}, {format_pence(f.place_cd_pence)} in {place.name})."
        )
    else:
        out.append(
            f"National funding should be used in {p.year_label} for two purposes: PCN development and clinical "
            f"director development ({percent(f.cd_share_bp)})."
        )
    return tuple(out)


def next_steps(p: Programme, place: Place, pcns: list[Figures]) -> list[str]:
    by_payee: dict[str, list[Figures]] = defaultdict(list)
    for row in pcns:
        by_payee[row.payee].append(row)
    steps = []
    for payee in sorted(by_payee, key=lambda x: (x == "", x)):
        rows = by_payee[payee]
        names = f"all {len(rows)} PCNs" if len(rows) == len(pcns) > 2 else ", ".join(r.name for r in rows)
        pence = sum_known(r.funding_pence for r in rows)
        amount = "their funding" if pence is None else format_pence(pence)
        if payee:
            steps.append(
                f"{place.name} to release {amount} to {payee} (for {names}) and issue a memorandum of "
                f"understanding to formalise the transaction."
            )
        else:
            steps.append(
                f"{names}: name the payee that will receive {amount}, so the funds can be released under a "
                f"memorandum of understanding."
            )
    steps.append(
        f"{place.name} and the PCN clinical directors to monitor the implementation of the development support "
        f"initiatives, with progress reviews from October {p.financial_year} to March {p.financial_year + 1}."
    )
    return steps
