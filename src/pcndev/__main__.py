"""The `pcndev` console script: Django's management commands with pcndev's settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pcndev.config.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")  # `pcndev import-nhs` runs the import_nhs command
    execute_from_command_line(["pcndev", *args])


if __name__ == "__main__":
    main()
