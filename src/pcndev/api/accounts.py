"""The signed-in user's own settings in the API: whether plan emails are sent to them.

As the page (accounts:notifications): a change is saved with an "account.notifications_changed" audit event
(before and after); saving the same value again changes nothing and records nothing.
"""

from django.db import transaction
from ninja import Field, Router, Schema
from pydantic import StrictBool

from pcndev.accounts.models import User
from pcndev.audit.services import record

router = Router(tags=["accounts"])

WHAT = "Email me when a plan I sign off or lead changes state"


class NotificationsOut(Schema):
    email_notifications: bool = Field(description=WHAT)


class NotificationsIn(Schema):
    email_notifications: StrictBool = Field(description=f"{WHAT}: true or false")


@router.get("/me/notifications", response=NotificationsOut, operation_id="pcndev_api_accounts_notifications")
def notifications(request):
    """Your email notification preferences."""
    return {"email_notifications": request.user.email_notifications}


@router.put(
    "/me/notifications", response=NotificationsOut, operation_id="pcndev_api_accounts_set_notifications"
)
def set_notifications(request, body: NotificationsIn):
    """Turn plan emails on or off for yourself (audited when it changes)."""
    wanted = body.email_notifications
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=request.user.pk)
        if wanted != user.email_notifications:
            record(
                request.user,
                "account.notifications_changed",
                user,
                {"email_notifications": user.email_notifications},
                {"email_notifications": wanted},
            )
            user.email_notifications = wanted
            user.save(update_fields=["email_notifications"])
    request.user.email_notifications = wanted
    return {"email_notifications": wanted}
