import datetime

from pcndev.funding.ledger import post_many
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


def fund_history(tree, programme) -> None:
    """Each PCN: allocation (June), commitment (December), release (January); every other PCN a top-up (September)."""
    specs = [
        dict(pcn=p, kind="allocation", amount_pence=100_000, entry_date=datetime.date(2019, 6, 1))
        for p in tree.pcns
    ]
    specs += [
        dict(pcn=p, kind="top_up", amount_pence=5_000, fund="local", entry_date=datetime.date(2019, 9, 1))
        for p in tree.pcns[::2]
    ]
    specs += [
        dict(pcn=p, kind="commitment", amount_pence=50_000, entry_date=datetime.date(2019, 12, 1))
        for p in tree.pcns
    ]
    specs += [
        dict(
            pcn=p,
            kind="release",
            amount_pence=20_000,
            entry_date=datetime.date(2020, 1, 15),
            reference=f"MOU-{p.code}",
        )
        for p in tree.pcns
    ]
    post_many(programme, specs)
