import datetime

from pcndev.funding.models import Programme


def make_programme(
    total_pence: int = 4_350_000_000, year: int = 2019, name: str = "PCN development support"
) -> Programme:
    return Programme.objects.create(
        name=name,
        financial_year=year,
        national_total_pence=total_pence,
        list_size_date=datetime.date(2021, 1, 1),
    )
