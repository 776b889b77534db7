"""Display formats used on pages and exports: money in pence as £1,234.56, counts with separators."""

import datetime


def format_pence(pence: int | None) -> str:
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, pennies = divmod(abs(int(pence)), 100)
    return f"{sign}£{pounds:,}.{pennies:02d}"


def format_count(value: int | None) -> str:
    return "" if value is None else f"{int(value):,}"


def format_date(value: datetime.date | None) -> str:
    """NHS style: 1 January 2021."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"
