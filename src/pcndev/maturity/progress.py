"""Each PCN's progress in a round, for the round page and the API.

A PCN has started once something is saved: a practice's or CD's ratings, a consensus rating or the
improvement priority. An assessment row with nothing in it (made when someone first opens the PCN's page)
is still "not started", so looking at a PCN never changes how far it appears to have got.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from pcndev.maturity.models import ConsensusRating, PCNAssessment, Response

NOT_STARTED, IN_PROGRESS, SUBMITTED = "not_started", "in_progress", "submitted"
LABELS = {NOT_STARTED: "Not started", IN_PROGRESS: "In progress", SUBMITTED: "Submitted"}


@dataclass(frozen=True)
class Progress:
    status: str
    submitted_at: datetime.datetime | None = None
    practices_submitted: int = 0

    @property
    def label(self) -> str:
        return LABELS[self.status]


def progress_by_pcn(rnd, pcn_ids: list[int]) -> dict[int, Progress]:
    """Progress for each of the PCNs (by id), in one query; PCNs with no assessment are not started."""
    rows = PCNAssessment.objects.filter(round=rnd, pcn__in=pcn_ids).annotate(
        practices_submitted=Count(
            "responses",
            filter=Q(responses__status=Response.Status.SUBMITTED, responses__practice__isnull=False),
        ),
        responses_saved=Count("responses"),
        consensus_saved=Exists(ConsensusRating.objects.filter(assessment=OuterRef("pk"))),
    )
    out = dict.fromkeys(pcn_ids, Progress(NOT_STARTED))
    for a in rows:
        if a.is_submitted:
            status = SUBMITTED
        elif a.responses_saved or a.consensus_saved or a.improvement_priority:
            status = IN_PROGRESS
        else:
            status = NOT_STARTED
        out[a.pcn_id] = Progress(status, a.submitted_at, a.practices_submitted)
    return out
