"""Creating a programme: validated inputs, the year's priorities as data, audited."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from pcndev.audit.services import record
from pcndev.funding.allocation import Basis
from pcndev.funding.models import Programme, ProgrammePriority
from pcndev.funding.priorities import defaults_for
from pcndev.orgs.models import ListSize


class ProgrammeError(ValueError):
    pass


MAX_POUNDS = 10_000_000_000


def pounds_to_pence(text: str) -> int:
    """'43500000', '43,500,000.00' or '£1,134,000' → pence. Refuses negatives and fractions of a penny."""
    cleaned = str(text).strip().replace(",", "").replace("£", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ProgrammeError(f"{text!r} is not an amount in pounds, like 43500000 or 1,134,000.00") from None
    if not value.is_finite() or value < 0:
        raise ProgrammeError(f"{text!r} must be £0 or more")
    if value >= MAX_POUNDS:  # also keeps every sum of amounts within the database's 64-bit integers
        raise ProgrammeError(f"The amount must be less than £{MAX_POUNDS:,}")
    pence = value * 100
    if pence != pence.to_integral_value():
        raise ProgrammeError(f"{text!r} has fractions of a penny")
    return int(pence)


def percent_to_bp(text: str) -> int:
    try:
        value = Decimal(str(text).strip().rstrip("%"))
    except InvalidOperation:
        raise ProgrammeError(f"{text!r} is not a percentage, like 10 or 12.5") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise ProgrammeError(f"The CD share must be between 0 and 100 (got {text})")
    bp = value * 100
    if bp != bp.to_integral_value():
        raise ProgrammeError(f"{text!r} has more than two decimal places")
    return int(bp)


@transaction.atomic
def create_programme(
    name: str,
    financial_year: int,
    national_total_pence: int,
    list_size_date: datetime.date,
    cd_share_bp: int = 1000,
    cd_split: str = "per-pcn",
    basis: str = "list-size",
    requires_system_signoff: bool = False,
    user=None,
) -> Programme:
    problems = []
    if not name.strip():
        problems.append("Enter a name for the programme")
    if not 2019 <= financial_year <= 2100:
        problems.append("The financial year must start in 2019 or later, like 2019 for 2019/20")
    if national_total_pence < 0:
        problems.append("The national total must be £0 or more")
    if not 0 <= cd_share_bp <= 10000:
        problems.append("The CD share must be between 0% and 100%")
    if cd_split not in Programme.CdSplit.values:
        problems.append(f"The CD split must be one of {', '.join(Programme.CdSplit.values)}")
    try:
        Basis.parse(basis)
    except ValueError as exc:
        problems.append(str(exc))
    if not ListSize.objects.filter(as_of=list_size_date).exists():
        problems.append(f"No list sizes are held for {list_size_date.isoformat()}")
    if problems:
        raise ProgrammeError("; ".join(problems))
    try:
        with transaction.atomic():
            programme = Programme.objects.create(
                name=name.strip(),
                financial_year=financial_year,
                national_total_pence=national_total_pence,
                list_size_date=list_size_date,
                cd_share_bp=cd_share_bp,
                cd_split=cd_split,
                basis=basis,
                requires_system_signoff=requires_system_signoff,
                created_by=user if getattr(user, "is_authenticated", False) else None,
            )
    except IntegrityError:
        raise ProgrammeError(f"There is already a programme called {name!r} for {financial_year}") from None
    ProgrammePriority.objects.bulk_create(
        ProgrammePriority(programme=programme, kind=kind, code=code, title=title, position=n)
        for n, (kind, code, title) in enumerate(defaults_for(financial_year))
    )
    record(
        user,
        "programme.created",
        programme,
        None,
        {"name": programme.name, "year": financial_year, "total_pence": national_total_pence, "basis": basis},
    )
    return programme
