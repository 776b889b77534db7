"""Signing in and out, and the user's own organisations."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from pcndev.accounts.forms import SignInForm
from pcndev.accounts.models import RoleMembership
from pcndev.accounts.preferences import set_email_notifications
from pcndev.orgs.breadcrumbs import node_url


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.jinja"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


@login_required
def my_organisations(request):
    memberships = (
        RoleMembership.objects.filter(user=request.user)
        .select_related("region", "system", "place", "pcn", "practice")
        .order_by("role")
    )
    rows = []
    for membership in memberships:
        node = membership.node
        rows.append(
            {"role": membership.get_role_display(), "node": node, "href": node_url(node) if node else None}
        )
    return render(request, "accounts/my_organisations.jinja", {"rows": rows})


@login_required
def notifications(request):
    """Opt in or out of plan emails. Saved with an audit event."""
    if request.method == "POST":
        wanted = set_email_notifications(request.user, request.POST.get("email_notifications") == "yes")
        messages.success(request, "Plan emails are " + ("on" if wanted else "off"))
        return redirect("accounts:notifications")
    return render(request, "accounts/notifications.jinja", {"nav": "mine"})
