"""Reported spend per initiative: the spend to date in its latest submitted review.

An initiative copied into a revised plan version (Initiative.previous) keeps its history: its spend to date is
the latest submitted figure for it or for any earlier copy. Two queries whatever the number of initiatives.
"""

from pcndev.delivery.review_models import InitiativeUpdate
from pcndev.plans.models import Initiative


def lineages(initiative_ids) -> dict[int, list[int]]:
    """Each initiative's id with the ids of its earlier copies (itself first). Follows `previous` by walking
    a plan's initiatives in memory, so the depth of revisions costs no extra queries."""
    ids = list(initiative_ids)
    if not ids:
        return {}
    plans = Initiative.objects.filter(pk__in=ids).values("version__plan_id")
    previous = dict(Initiative.objects.filter(version__plan_id__in=plans).values_list("pk", "previous_id"))
    out = {}
    for pk in ids:
        chain, seen = [pk], {pk}
        while (prev := previous.get(chain[-1])) and prev not in seen:
            chain.append(prev)
            seen.add(prev)
        out[pk] = chain
    return out


def reported_spend(initiative_ids, before_review=None) -> dict[int, int]:
    """Spend to date (pence) per initiative id from submitted reviews (0 when none); `before_review` leaves out
    that review and any later one, giving the figure it starts from."""
    chains = lineages(initiative_ids)
    every = {i for chain in chains.values() for i in chain}
    updates = InitiativeUpdate.objects.filter(initiative_id__in=every, review__state="submitted")
    if before_review is not None:
        updates = updates.filter(review__due__lt=before_review.due)
    latest: dict[int, tuple] = {}
    for initiative_id, due, pk, spend in updates.values_list(
        "initiative_id", "review__due", "pk", "spend_to_date_pence"
    ):
        if initiative_id not in latest or (due, pk) > latest[initiative_id][:2]:
            latest[initiative_id] = (due, pk, spend)
    out = {}
    for pk, chain in chains.items():
        found = [latest[i] for i in chain if i in latest]
        out[pk] = max(found)[2] if found else 0
    return out
