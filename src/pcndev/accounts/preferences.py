"""A user's own settings: whether plan emails are sent to them. One service for the page and the API."""

from django.db import transaction

from pcndev.accounts.models import User
from pcndev.audit.services import record


@transaction.atomic
def set_email_notifications(user: User, wanted: bool) -> bool:
    """Save the choice with an "account.notifications_changed" audit event (before and after); saving the same
    value again changes nothing and records nothing. Returns the setting now in force."""
    current = User.objects.select_for_update().get(pk=user.pk)
    if wanted != current.email_notifications:
        record(
            user,
            "account.notifications_changed",
            current,
            {"email_notifications": current.email_notifications},
            {"email_notifications": wanted},
        )
        current.email_notifications = wanted
        current.save(update_fields=["email_notifications"])
    user.email_notifications = wanted
    return wanted
