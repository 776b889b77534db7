"""What the audit generator of `pcndev scale-data` shares: the columns, times, and what it reads up front."""

import datetime

from pcndev.accounts.models import Role, User
from pcndev.funding.models import LedgerEntry
from pcndev.orgs.models import PCN, Place, Practice, Region, System
from pcndev.plans.models import CDDevelopmentPlan

COLUMNS = [
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "note",
]
KIND_LABEL = dict(LedgerEntry.Kind.choices)
ROLE_LABEL = dict(Role.choices)


WORKING_DAY_S = 10 * 3600  # 08:00 to 18:00


def at_time(day, rng) -> datetime.datetime:
    """A moment in the working day (UTC) of a date; a datetime is kept as it is."""
    if isinstance(day, datetime.datetime):
        return day
    start = datetime.datetime(day.year, day.month, day.day, 8, tzinfo=datetime.UTC)
    return start + datetime.timedelta(seconds=int(rng.random() * WORKING_DAY_S))


def between(rng, first: datetime.date, last: datetime.date) -> datetime.datetime:
    """A working-day moment on a day from first to last."""
    days = max(0, (last - first).days) + 1
    start = datetime.datetime(first.year, first.month, first.day, 8, tzinfo=datetime.UTC)
    moment = rng.random() * days
    return start + datetime.timedelta(days=int(moment), seconds=int(moment % 1 * WORKING_DAY_S))


class Context:
    def __init__(self, rng, people, round_facts, plan_facts, review_facts):
        self.rng, self.people, self.rf, self.pf, self.vf = rng, people, round_facts, plan_facts, review_facts
        self.email = dict(User.objects.values_list("id", "email"))
        self.pcn = dict(PCN.objects.values_list("id", "name"))
        self.pcn_code = dict(PCN.objects.values_list("id", "code"))
        self.practice = {i: f"{n} ({c})" for i, n, c in Practice.objects.values_list("id", "name", "code")}
        self.nodes = {
            "region": dict(Region.objects.values_list("id", "name")),
            "system": dict(System.objects.values_list("id", "name")),
            "place": dict(Place.objects.values_list("id", "name")),
            "pcn": self.pcn,
            "practice": self.practice,
        }
        self.assessment_pcn = {aid: pcn for pcn, (aid, *_rest) in round_facts.assessments.items()}
        # read now: nothing may be queried while a COPY is writing the events (PostgreSQL)
        self.ledger = list(
            LedgerEntry.objects.filter(kind__in=("commitment", "release", "spend")).values_list(
                "id",
                "kind",
                "fund",
                "amount_pence",
                "pcn_id",
                "pcn__code",
                "reference",
                "payee",
                "entry_date",
                "created_by_id",
                "note",
            )
        )
        self.cd_plans = list(
            CDDevelopmentPlan.objects.values_list(
                "id", "director__user_id", "director__name", "director__share_percent"
            )
        )

    def event(self, at, actor, action, object_type, object_id, text, before=None, after=None, note=""):
        return (
            at,
            actor,
            self.email.get(actor, "system"),
            action,
            object_type,
            str(object_id),
            text[:300],
            before,
            after,
            note,
        )
