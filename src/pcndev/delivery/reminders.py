"""Reminders for whoever holds an overdue or soon-due action (overdue.items with soon=True):

- practice members whose practice has not submitted its ratings while the PCN's self-assessment is due;
- the PCN's clinical directors for an unsubmitted self-assessment (consensus) or a plan not yet agreed;
- place leads for plans waiting for their sign-off, committee approval or the release of funds.

Users who turned email off (User.email_notifications) get nothing. A ReminderSent row (user, key, day) is written
before each email, under a unique constraint, so a second run on the same day sends nothing new.

`send_reminders_task` is the same run as a background task (`pcndev send-reminders --enqueue` puts it on the
queue, `pcndev worker` runs it); run twice, by two workers or after a worker died, it sends nothing twice.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from pcndev.accounts.models import Role, RoleMembership
from pcndev.delivery import overdue, services
from pcndev.delivery.models import ReminderSent
from pcndev.funding.models import Programme
from pcndev.maturity.models import Response
from pcndev.orgs.models import PCN, PracticeMembership


@dataclass(frozen=True)
class Reminder:
    user_id: int
    email: str
    key: str
    text: str


def _line(pcn, item: overdue.Item, what: str | None = None) -> str:
    when = "was due" if item.overdue else "is due"
    return f"{pcn.name}: {what or item.what} ({when} {item.due:%-d %B %Y})"


def due_reminders(programme, today: datetime.date) -> list[Reminder]:
    """Every reminder due today for the programme (before removing those already sent)."""
    pcns, facts, _ = services.facts_for(programme, PCN.objects.all())
    dates = services.dates_for(programme, pcns)
    items = {pcn.pk: overdue.items(facts[pcn.pk], dates[pcn.pk], today, soon=True) for pcn in pcns}
    items = {k: v for k, v in items.items() if v}
    if not items:
        return []
    by_pcn = {pcn.pk: pcn for pcn in pcns}
    roles = RoleMembership.objects.filter(
        user__is_active=True,
        user__email_notifications=True,
        role__in=[Role.PCN_CD, Role.PLACE_LEAD, Role.PRACTICE_MEMBER],
    ).select_related("user")
    cds, leads, members = {}, {}, {}
    for m in roles:
        target = {Role.PCN_CD: (cds, m.pcn_id), Role.PLACE_LEAD: (leads, m.place_id)}.get(
            m.role, (members, m.practice_id)
        )
        target[0].setdefault(target[1], []).append(m.user)
    practices: dict[int, list[int]] = {}
    for practice_id, pcn_id in PracticeMembership.objects.filter(
        valid_to__isnull=True, pcn_id__in=list(items)
    ).values_list("practice_id", "pcn_id"):
        practices.setdefault(pcn_id, []).append(practice_id)
    rated = set(
        Response.objects.filter(
            assessment__in=services.assessments_for(programme), status=Response.Status.SUBMITTED
        ).values_list("practice_id", flat=True)
    )
    out: list[Reminder] = []

    def add(users, key: str, text: str) -> None:
        out.extend(Reminder(u.pk, u.email, key, text) for u in users if u.email)

    for pcn_id, pcn_items in items.items():
        pcn = by_pcn[pcn_id]
        for item in pcn_items:
            key = f"{programme.pk}:{pcn.code}:{item.key}"
            if item.holder in (overdue.CD, overdue.SIGNOFF):
                add(cds.get(pcn_id, []), f"{key}:cd", _line(pcn, item))
            if item.holder in (overdue.PLACE, overdue.SIGNOFF):
                add(leads.get(pcn.place_id, []), f"{key}:place", _line(pcn, item))
            if item.key == "self_assessment":
                for practice_id in practices.get(pcn_id, []):
                    if practice_id not in rated:
                        add(
                            members.get(practice_id, []),
                            f"{key}:practice:{practice_id}",
                            _line(pcn, item, "Submit your practice's ratings"),
                        )
    return out


def send_reminders(
    programmes, today: datetime.date, dry_run: bool = False, progress: Callable | None = None
) -> dict:
    """Send today's reminders not yet sent; returns a summary (emails, reminders, skipped as already sent)."""
    due = [r for p in programmes for r in due_reminders(p, today)]
    sent_keys = set(ReminderSent.objects.filter(day=today).values_list("user_id", "key"))
    fresh = [r for r in due if (r.user_id, r.key) not in sent_keys]
    by_user: dict[int, list[Reminder]] = {}
    for r in fresh:
        by_user.setdefault(r.user_id, []).append(r)
    emails = 0
    users = list(by_user.items())
    for user_id, reminders in progress(users) if progress else users:
        if dry_run:
            emails += 1
            continue
        try:
            with transaction.atomic():
                ReminderSent.objects.bulk_create(
                    [ReminderSent(user_id=user_id, key=r.key, day=today) for r in reminders]
                )
        except IntegrityError:
            continue  # another run got there first
        body = (
            "These actions in PCN development support are waiting for you:\n\n"
            + "\n".join(f"- {r.text}" for r in reminders)
            + "\n\nYou can turn these emails off on your account page.\n"
        )
        send_mail(
            "PCN development support: actions due", body, settings.DEFAULT_FROM_EMAIL, [reminders[0].email]
        )
        emails += 1
    return {
        "day": today.isoformat(),
        "dry_run": dry_run,
        "emails": emails,
        "reminders": len(fresh),
        "already_sent": len(due) - len(fresh),
    }


def programmes_for(today: datetime.date, programme_id: int | None = None) -> list:
    """One programme by id, or the programmes of today's financial year (April to March)."""
    if programme_id:
        return list(Programme.objects.filter(pk=programme_id))
    year = today.year if today.month >= 4 else today.year - 1
    return list(Programme.objects.filter(financial_year=year))


@task(queue_name="reminders")
def send_reminders_task(
    day: str | None = None, programme_id: int | None = None, dry_run: bool = False
) -> dict:
    """send_reminders on the queue; the day (YYYY-MM-DD) is the worker's today unless given."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    return send_reminders(programmes_for(today, programme_id), today, dry_run=dry_run)
