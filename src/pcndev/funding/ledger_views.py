"""The programme-wide ledger history: filtered, paginated, downloadable; scoped to the user's PCNs."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from pcndev.config.views import forbidden
from pcndev.exports import FORMATS, Column, download
from pcndev.funding.ledger_forms import LedgerFilterForm
from pcndev.funding.ledger_history import describe, entries_for, scope_choices
from pcndev.funding.models import LedgerEntry, Programme
from pcndev.funding.permissions import can_view_ledger

PAGE_SIZE = 50

LEDGER_COLUMNS = [
    Column("Entry ID"),
    Column("Date"),
    Column("PCN"),
    Column("ODS code"),
    Column("Entry"),
    Column("Fund"),
    Column("Amount", money=True),
    Column("Reverses entry"),
    Column("Reference"),
    Column("Payee"),
    Column("Note"),
    Column("Recorded by"),
]


def ledger_row(e: LedgerEntry) -> list:
    by = e.created_by
    return [
        e.id,
        e.entry_date,
        e.pcn.name,
        e.pcn.code,
        describe(e),
        e.get_fund_display(),
        e.amount_pence,
        e.reverses_id,
        e.reference,
        e.payee,
        e.note,
        (by.full_name or by.email) if by else "system",
    ]


def page_links(page, query) -> dict:
    """Parameters for the NHS pagination component: first, last and the pages around the current one."""

    def href(number: int) -> str:
        q = query.copy()
        q["page"] = number
        return "?" + q.urlencode()

    last = page.paginator.num_pages
    numbers = sorted({1, last, page.number - 1, page.number, page.number + 1} & set(range(1, last + 1)))
    items, before = [], 0
    for n in numbers:
        if n - before > 1:
            items.append({"ellipsis": True})
        items.append({"number": n, "href": href(n), "current": n == page.number})
        before = n
    links = {"items": items}
    if page.has_previous():
        links["previous"] = {"href": href(page.previous_page_number())}
    if page.has_next():
        links["next"] = {"href": href(page.next_page_number())}
    return links


@login_required
def ledger_history(request, pk):
    programme = get_object_or_404(Programme, pk=pk)
    decision = can_view_ledger(request.user)
    if not decision:
        return forbidden(request, decision.reason)
    form = LedgerFilterForm(request.GET, user=request.user)
    query = request.GET.copy()
    for key in ("page", "format"):
        query.pop(key, None)
    page = links = None
    if form.is_valid():
        entries = entries_for(programme, request.user, form.to_filter())
        if request.GET.get("format") in FORMATS:
            return download(
                request.GET["format"],
                f"{programme.financial_year}-ledger",
                "Ledger",
                LEDGER_COLUMNS,
                [ledger_row(e) for e in entries],
            )
        page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
        links = page_links(page, query) if page.paginator.num_pages > 1 else None
    return render(
        request,
        "funding/ledger.jinja",
        {
            "programme": programme,
            "form": form,
            "scopes": scope_choices(request.user),
            "kinds": LedgerEntry.Kind.choices,
            "funds": LedgerEntry.Fund.choices,
            "page": page,
            "links": links,
            "query": query.urlencode(),
            "describe": describe,
            "nav": "funding",
        },
        status=400 if form.errors else 200,
    )
