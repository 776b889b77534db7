"""`pcndev places define --system CODE --file places.yaml`: define local places that group a system's PCNs.

places.yaml:
    places:
      - code: KINGSTON
        name: Kingston
        pcns: [U12345, U23456]
"""

from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from pcndev.orgs.models import System
from pcndev.orgs.places import PlaceErrors, PlaceSpec, define_places


def read_specs(path: Path) -> list[PlaceSpec]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(f"{path}: file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("places"), list):
        raise CommandError(f"{path}: expected a mapping with a 'places' list")
    specs, errors = [], []
    for n, item in enumerate(data["places"], start=1):
        if not isinstance(item, dict):
            errors.append(f"{path}: place {n} must be a mapping with code, name and pcns")
            continue
        pcns = item.get("pcns") or []
        if not isinstance(pcns, list) or not all(isinstance(c, str) for c in pcns):
            errors.append(f"{path}: place {n}: pcns must be a list of PCN codes")
            continue
        specs.append(
            PlaceSpec(str(item.get("code") or "").strip(), str(item.get("name") or "").strip(), pcns)
        )
    if errors:
        raise CommandError("\n".join(errors))
    return specs


class Command(BaseCommand):
    help = "Define local places for a system from a YAML file."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        define = sub.add_parser("define", help="Create or update places and the PCNs in each.")
        define.add_argument("--system", required=True, help="System (STP/ICS/ICB) ODS code")
        define.add_argument("--file", required=True, type=Path, help="YAML file listing the places")

    def handle(self, *args, action, **options):
        system = System.objects.filter(code=options["system"]).first()
        if system is None:
            raise CommandError(f"No system with code {options['system']}")
        specs = read_specs(options["file"])
        try:
            result = define_places(system, specs)
        except PlaceErrors as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(exc.errors)} problem(s); nothing was changed") from None
        self.stdout.write(
            f"Places created: {len(result.created)}, renamed: {len(result.updated)}, PCNs moved: {result.moved_pcns}"
        )
