"""The signed-in user's own settings in the API: whether plan emails are sent to them.

As the page (accounts:notifications): a change is saved with an "account.notifications_changed" audit event
(before and after); saving the same value again changes nothing and records nothing.
"""

from ninja import Field, Router, Schema
from pydantic import StrictBool

from pcndev.accounts.preferences import set_email_notifications

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
    return {"email_notifications": set_email_notifications(request.user, body.email_notifications)}
