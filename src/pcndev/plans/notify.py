"""Email on every plan transition: to the sign-off parties and the PCN's clinical directors, except the person
who acted and anyone who has opted out. Sent after the transaction commits, through Django's email backend."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction

from pcndev.accounts.models import Role, RoleMembership
from pcndev.plans import workflow

SUBJECTS = {
    "submit": "submitted for agreement",
    "request_changes": "needs changes",
    "revise": "is being revised",
    "agree": "has been agreed by {who}",
    "decline": "was declined by {who}",
    "approve": "was approved by the committee",
    "release": "has had its funds released",
    "start_delivery": "is in delivery",
    "close": "has been closed",
}


def recipients(version, actor) -> list[str]:
    pcn = version.plan.pcn
    roles = RoleMembership.objects.filter(role=Role.PCN_CD, pcn=pcn) | RoleMembership.objects.filter(
        role=Role.PLACE_LEAD, place_id=pcn.place_id
    )
    if version.plan.programme.requires_system_signoff:
        roles = roles | RoleMembership.objects.filter(role=Role.SYSTEM_LEAD, system_id=pcn.place.system_id)
    emails = (
        roles.filter(user__is_active=True, user__email_notifications=True)
        .exclude(user_id=getattr(actor, "pk", None))
        .values_list("user__email", flat=True)
        .distinct()
    )
    return sorted(set(emails))


def queue(version, action: str, actor, comment: str = "") -> None:
    to = recipients(version, actor)
    if not to:
        return
    who = str(actor) if actor else "the system"
    subject = f"{version.plan.pcn} support plan {SUBJECTS[action].format(who=who)}"
    body = (
        f"{who} chose '{workflow.BY_ACTION[action].label}' on {version}.\n"
        f"It is now: {workflow.STATES[version.state]}.\n"
        + (f"\nComment: {comment}\n" if comment else "")
        + "\nSee what is awaiting your action in PCN development support. "
        "You can turn these emails off on your account page.\n"
    )
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in to]
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))
