"""Seed 000's advice as a warning, never a block: put the practices' internal needs before external ones."""

from pcndev.maturity.models import ConsensusRating
from pcndev.plans.models import Initiative


def internal_first_warning(version) -> str:
    """A warning when the plan funds external initiatives while an internal element is still at Foundation."""
    funds_external = Initiative.objects.filter(version=version, tag="external", cost_pence__gt=0).exclude(
        funding_source=Initiative.Source.EXISTING
    )
    if version.assessment_id is None or not funds_external.exists():
        return ""
    at_foundation = list(
        ConsensusRating.objects.filter(
            assessment_id=version.assessment_id, element__tag="internal", current_stage=0
        ).values_list("element__title", flat=True)
    )
    if not at_foundation:
        return ""
    names = ", ".join(at_foundation[:3]) + (" and others" if len(at_foundation) > 3 else "")
    return (
        f"This plan funds external work while internal elements are still at Foundation ({names}). "
        "The guidance suggests getting the member practices working well together first."
    )
