"""Progress review dates, pure: every N months from the first due date to the last, each at a month's end.

The default (the seeds' calendar): monthly from the end of mobilisation (31 October) to the end of March, six
reviews. Imports nothing from Django.
"""

import calendar
import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Schedule:
    first_due: datetime.date
    last_due: datetime.date
    every_months: int = 1


def month_end(d: datetime.date) -> datetime.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def default_schedule(financial_year: int) -> Schedule:
    return Schedule(datetime.date(financial_year, 10, 31), datetime.date(financial_year + 1, 3, 31), 1)


def problems(s: Schedule) -> list[tuple[str, str]]:
    out = []
    if not 1 <= s.every_months <= 6:
        out.append(("every_months", "Reviews must be every 1 to 6 months"))
    if s.last_due < s.first_due:
        out.append(("last_due", "The last review must be on or after the first"))
    elif (s.last_due.year - s.first_due.year) * 12 + s.last_due.month - s.first_due.month > 24:
        out.append(("last_due", "Reviews can be scheduled over two years at most"))
    return out


def due_dates(s: Schedule) -> list[datetime.date]:
    """The month-end dates reviews are due, first to last (the last month always included)."""
    if problems(s):
        return []
    out, year, month = [], s.first_due.year, s.first_due.month
    last = (s.last_due.year, s.last_due.month)
    while (year, month) <= last:
        out.append(month_end(datetime.date(year, month, 1)))
        month += s.every_months
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    if out and out[-1] != month_end(s.last_due):
        out.append(month_end(s.last_due))
    return out
