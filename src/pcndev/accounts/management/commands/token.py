"""`pcndev token create --user EMAIL`: issue a personal API access token (shown once)."""

from django.core.management.base import BaseCommand, CommandError

from pcndev.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Manage personal API access tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token for a user and print it once.")
        create.add_argument("--user", required=True, help="The user's email address")
        create.add_argument("--name", default="", help="What the token is for")

    def handle(self, *args, action, **options):
        email = options["user"].strip().lower()
        user = User.objects.filter(email=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with email {email}")
        _, raw = ApiToken.objects.issue(user, options["name"])
        self.stdout.write(raw)
