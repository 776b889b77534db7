"""XLSX export of the responses a user may see in a round: practice ratings (own practice, or the CD's PCN)
and submitted consensus (for everyone whose roles reach the PCN). Built from the privacy querysets."""

from pcndev.exports import Column, download
from pcndev.maturity.models import ConsensusRating, PCNAssessment, Rating
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


RATING_VALUES = ("current_stage", "target_stage", "priority", "support_needed", "cost_pence")


def rows_for(user, rnd) -> list[list]:
    """Rows as plain values: a national export has tens of thousands, so no model instance is built per row."""
    stages = [s.name for s in rnd.template.stages.all()]
    elements = {e.id: e for e in rnd.template.elements.select_related("area")}

    def stage(value):
        return "" if value is None else stages[value]

    def rated(element_id, current, target, priority, support_needed, cost_pence):
        e = elements[element_id]
        return [
            e.area.title,
            e.title,
            e.tag,
            stage(current),
            stage(target),
            priority,
            support_needed,
            cost_pence,
        ]

    rows = []
    visible = visible_responses(user).filter(assessment__round=rnd)
    responses = {r.id: r for r in visible.select_related("assessment__pcn", "practice", "respondent")}
    ratings = (
        Rating.objects.filter(response__in=visible)
        .order_by(
            "response__assessment__pcn__name",
            "response__practice__name",
            "element__area__position",
            "element__position",
        )
        .values_list("response_id", "element_id", *RATING_VALUES, "evidence")
    )
    for response_id, element_id, *values, evidence in ratings:
        resp = responses[response_id]
        pcn = resp.assessment.pcn
        rows.append([pcn.code, pcn.name, resp.label, *rated(element_id, *values), evidence])
    consensus = (
        ConsensusRating.objects.filter(assessment__in=visible_consensus(user).filter(round=rnd))
        .order_by("assessment__pcn__name", "element__area__position", "element__position")
        .values_list(
            "assessment__pcn__code",
            "assessment__pcn__name",
            "assessment__status",
            "element_id",
            *RATING_VALUES,
            "note",
        )
    )
    for code, name, status, element_id, *values, note in consensus:
        submitted = status == PCNAssessment.Status.SUBMITTED
        by = "PCN consensus" + ("" if submitted else " (not yet submitted)")
        rows.append([code, name, by, *rated(element_id, *values), note])
    return rows


def responses_xlsx(user, rnd):
    return download("xlsx", f"self-assessment-{rnd.pk}", "Responses", COLUMNS, rows_for(user, rnd))
