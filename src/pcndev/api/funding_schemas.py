"""The funding API's request and response schemas (the endpoints are in api/funding.py)."""

import datetime

from ninja import Field, Schema


class Problem(Schema):
    detail: str
    reasons: list[str] = []


class ProgrammeIn(Schema):
    name: str
    financial_year: int
    national_total_pence: int
    list_size_date: datetime.date
    cd_share_bp: int = 1000
    cd_split: str = "per-pcn"
    basis: str = "list-size"
    requires_system_signoff: bool = False


class PriorityOut(Schema):
    kind: str = Field(description="domain (a support domain) or priority")
    code: str
    title: str


class ProgrammeOut(Schema):
    id: int
    name: str
    financial_year: int
    year_label: str
    national_total_pence: int
    list_size_date: datetime.date
    cd_share_bp: int
    cd_split: str
    basis: str
    priorities: list[PriorityOut]


class RunIn(Schema):
    total_pence: int
    scope: str = "national"
    basis: str = "list-size"
    as_of: datetime.date | None = None
    cd_share_bp: int | None = None
    cd_split: str | None = None
    save: bool = False


class RunRowOut(Schema):
    level: str
    code: str
    name: str
    list_size: int
    development_pence: int
    cd_pence: int
    total_pence: int


class RunOut(Schema):
    id: int | None = None
    version: int | None = None
    total_pence: int
    as_of: datetime.date
    basis: str
    unallocated_practices: int
    unallocated_patients: int
    unallocated_would_draw_pence: int
    rows: list[RunRowOut]


class BalanceOut(Schema):
    level: str
    code: str
    name: str
    allocated: int
    topped_up: int
    committed: int
    released: int
    spent: int
    returned: int
    available: int


class EntryIn(Schema):
    """A commitment, release (paid to the PCN's payee, with its MOU reference), spend, return or reversal.

    A reversal names the entry it reverses and takes its whole amount; `amount_pence` may then be left out.
    """

    pcn: str
    kind: str
    amount_pence: int | None = None
    reverses: int | None = None
    fund: str = "national"
    reference: str = ""
    entry_date: datetime.date | None = None
    note: str = ""


class EntryOut(Schema):
    id: int
    pcn: str
    kind: str
    fund: str
    amount_pence: int
    reverses: int | None
    reference: str
    payee: str
    entry_date: datetime.date
    note: str


class TopUpOut(Schema):
    id: int
    amount_pence: int
    entries: int = Field(description="Ledger entries written: one per PCN the top-up is spread over")


class TopUpIn(Schema):
    level: str
    code: str
    amount_pence: int
    source: str
    note: str = ""
    spread: str = "list-size"
