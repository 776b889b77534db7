"""XLSX export of the responses a user may see in a round: practice ratings (own practice, or the CD's PCN)
and submitted consensus (for everyone whose roles reach the PCN). Built from the privacy querysets."""

from pcndev.exports import Column, download
from pcndev.maturity.models import ConsensusRating, Rating
from pcndev.maturity.privacy import visible_consensus, visible_responses

COLUMNS = [
    Column("PCN code"),
    Column("PCN"),
    Column("Rated by"),
    Column("Area"),
    Column("Element"),
    Column("Tag"),
    Column("Now"),
    Column("In a year"),
    Column("Priority"),
    Column("Support needed"),
    Column("Estimated cost", money=True),
    Column("Evidence or note"),
]


def rows_for(user, rnd) -> list[list]:
    stages = [s.name for s in rnd.template.stages.all()]

    def stage(value):
        return "" if value is None else stages[value]

    rows = []
    ratings = (
        Rating.objects.filter(response__in=visible_responses(user).filter(assessment__round=rnd))
        .select_related(
            "response__assessment__pcn", "response__practice", "response__respondent", "element__area"
        )
        .order_by(
            "response__assessment__pcn__name",
            "response__practice__name",
            "element__area__position",
            "element__position",
        )
    )
    for r in ratings:
        resp = r.response
        rows.append(
            [
                resp.assessment.pcn.code,
                resp.assessment.pcn.name,
                resp.label,
                r.element.area.title,
                r.element.title,
                r.element.tag,
                stage(r.current_stage),
                stage(r.target_stage),
                r.priority,
                r.support_needed,
                r.cost_pence,
                r.evidence,
            ]
        )
    consensus = (
        ConsensusRating.objects.filter(assessment__in=visible_consensus(user).filter(round=rnd))
        .select_related("assessment__pcn", "element__area")
        .order_by("assessment__pcn__name", "element__area__position", "element__position")
    )
    for c in consensus:
        rows.append(
            [
                c.assessment.pcn.code,
                c.assessment.pcn.name,
                "PCN consensus" + ("" if c.assessment.is_submitted else " (not yet submitted)"),
                c.element.area.title,
                c.element.title,
                c.element.tag,
                stage(c.current_stage),
                stage(c.target_stage),
                c.priority,
                c.support_needed,
                c.cost_pence,
                c.note,
            ]
        )
    return rows


def responses_xlsx(user, rnd):
    return download("xlsx", f"self-assessment-{rnd.pk}", "Responses", COLUMNS, rows_for(user, rnd))
