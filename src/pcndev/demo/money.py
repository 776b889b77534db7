"""The demo's 2019/20 money: a programme, two system allocations, a local top-up, a commitment and a release."""

import datetime

from django.db import transaction

from pcndev.funding.allocating import preview, save_run
from pcndev.funding.ledger import post
from pcndev.funding.models import Programme
from pcndev.funding.programmes import create_programme
from pcndev.funding.top_ups import add_top_up
from pcndev.orgs.models import PCN, Place

PROGRAMME = "PCN development support"
LIST_DATE = datetime.date(2019, 4, 1)


@transaction.atomic
def build_money() -> bool:
    if Programme.objects.filter(name=PROGRAMME, financial_year=2019).exists():
        return False
    programme = create_programme(PROGRAMME, 2019, 43_500_000_00, LIST_DATE)
    save_run(programme, preview(1_134_000_00, "QZ1", "list-size", LIST_DATE))
    save_run(programme, preview(210_000_00, "QZ2", "list-size", LIST_DATE))
    add_top_up(
        programme,
        Place.objects.get(code="RBD-CHALKHILL"),
        20_000_00,
        "CCG primary care transformation budget",
    )
    pcn = PCN.objects.get(code="U90001")
    post(
        programme, pcn, "commitment", 30_000_00, reference="PCCC 2019-12 minute 7", note="Agreed support plan"
    )
    post(
        programme,
        pcn,
        "release",
        20_000_00,
        reference="MOU-RBD-2019-001",
        payee=pcn.payee.name if pcn.payee else "",
        entry_date=datetime.date(2020, 1, 15),
    )
    return True
