"""The committee paper as plain data: what the page, the DOCX and the PDF all lay out."""

import datetime
from dataclasses import dataclass

from pcndev.config.formatting import format_date, format_pence

COMMITTEE = "Primary Care Commissioning Committee"
COMMITTEE_SHORT = "PCCC"
NO_AREA = "Not linked to an area"
NOT_ALLOCATED = "Not allocated yet"


@dataclass(frozen=True)
class Measure:
    description: str
    target: str
    due: datetime.date | None

    @property
    def text(self) -> str:
        due = f"; by {format_date(self.due)}" if self.due else ""
        return f"{self.description} (target: {self.target}{due})"


@dataclass(frozen=True)
class InitiativeItem:
    pcn_name: str
    pcn_code: str
    title: str
    support_required: str
    measures: tuple[Measure, ...]


@dataclass(frozen=True)
class AreaSection:
    title: str
    initiatives: tuple[InitiativeItem, ...]


@dataclass(frozen=True)
class Figures:
    """One row of the recommendation tables: a place (or PCN) and its figures."""

    name: str
    code: str
    practices: int
    pcns: int
    list_size: int
    funding_pence: int | None
    payee: str = ""
    highlight: bool = False

    @property
    def funding_text(self) -> str:
        return NOT_ALLOCATED if self.funding_pence is None else format_pence(self.funding_pence)


@dataclass(frozen=True)
class Step:
    when: str
    what: str


@dataclass(frozen=True)
class FundingChain:
    national_pence: int
    system_pence: int | None
    place_pence: int | None
    place_development_pence: int | None
    place_cd_pence: int | None
    cd_share_bp: int

    @property
    def cd_percent(self) -> str:
        return percent(self.cd_share_bp)


@dataclass(frozen=True)
class Paper:
    title: str
    committee: str
    committee_short: str
    programme_name: str
    year_label: str
    place_name: str
    place_code: str
    place_kind: str
    system_name: str
    list_size_date: datetime.date
    prepared_on: datetime.date
    summary: tuple[tuple[str, str], ...]
    purpose: tuple[str, ...]
    funding: FundingChain
    background: tuple[str, ...]
    domains: tuple[str, ...]
    timetable: tuple[Step, ...]
    plans_note: str
    areas: tuple[AreaSection, ...]
    recommendation: str
    places: tuple[Figures, ...]
    places_total: Figures
    pcns: tuple[Figures, ...]
    pcns_total: Figures
    next_steps: tuple[str, ...]

    @property
    def file_stem(self) -> str:
        return f"committee-paper-{self.year_label.replace('/', '-')}-{self.place_code}"


def percent(bp: int) -> str:
    """Basis points as a percentage: 1000 → 10%, 1250 → 12.5%."""
    whole, rest = divmod(bp, 100)
    return f"{whole}%" if not rest else f"{whole}.{rest:02d}".rstrip("0") + "%"


def sum_known(values) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def total_of(name: str, rows: list[Figures]) -> Figures:
    return Figures(
        name,
        "",
        sum(r.practices for r in rows),
        sum(r.pcns for r in rows),
        sum(r.list_size for r in rows),
        sum_known(r.funding_pence for r in rows),
    )
