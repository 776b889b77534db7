"""Reading a progress review form (one field group per initiative and per output measure) into ReviewData.

Field names: meeting_date[day|month|year], attended (cd, place), other_attendees, additional_support,
support_areas (several), actions; per initiative i-<id>-status, -rag, -reason, -spend (pounds), -evidence; per
output measure m-<id>-actual and -achieved. Every problem is reported at once with the field it belongs to.
"""

from pcndev.delivery.reviewing import ReviewData, UpdateData
from pcndev.forms import date_from_parts, nul_problems
from pcndev.funding.programmes import ProgrammeError, pounds_to_pence


def parse(post, initiatives) -> tuple[ReviewData, list[tuple[str, str]]]:
    problems = nul_problems(post)
    meeting = date_from_parts(post, "meeting_date")
    if meeting == "invalid":
        problems.append(("meeting_date", "The meeting date must be a real date, like 27 11 2019"))
        meeting = None
    try:
        areas = [int(a) for a in post.getlist("support_areas")]
    except ValueError:
        areas = []
        problems.append(("support_areas", "Choose areas from the list"))
    data = ReviewData(
        meeting_date=meeting,
        cd_attended="cd" in post.getlist("attended"),
        place_lead_attended="place" in post.getlist("attended"),
        other_attendees=post.get("other_attendees", ""),
        additional_support=post.get("additional_support", ""),
        support_area_ids=areas,
        actions=post.get("actions", ""),
    )
    data.updates, more = parse_updates(post, [(f"i-{i.pk}", i.pk, i.title) for i in initiatives])
    for i in initiatives:
        data.updates[i.pk].actuals = {
            m.pk: (post.get(f"m-{m.pk}-actual", ""), post.get(f"m-{m.pk}-achieved", ""))
            for m in i.measures.all()
        }
    return data, problems + more


def parse_updates(post, keyed) -> tuple[dict[int, UpdateData], list[tuple[str, str]]]:
    """keyed: (field prefix, id, title) per initiative or CD plan item."""
    updates, problems = {}, []
    for key, pk, title in keyed:
        text = (post.get(f"{key}-spend") or "").strip()
        spend = 0
        if text:
            try:
                spend = pounds_to_pence(text)
            except ProgrammeError:
                problems.append(
                    (f"{key}-spend", f"{title}: enter spend to date in pounds, like 1,250.00 (£0 or more)")
                )
        updates[pk] = UpdateData(
            status=post.get(f"{key}-status", "not_started"),
            rag=post.get(f"{key}-rag", ""),
            rag_reason=post.get(f"{key}-reason", ""),
            spend_to_date_pence=spend,
            evidence=post.get(f"{key}-evidence", ""),
        )
    return updates, problems


def initial(review, initiatives) -> dict:
    """The form's values from a saved review (strings, as they would be posted)."""
    values: dict = {}
    if review.meeting_date:
        d = review.meeting_date
        values |= {"meeting_date[day]": d.day, "meeting_date[month]": d.month, "meeting_date[year]": d.year}
    values |= {
        "attended": [k for k, v in (("cd", review.cd_attended), ("place", review.place_lead_attended)) if v],
        "other_attendees": review.other_attendees,
        "additional_support": review.additional_support,
        "actions": review.actions,
    }
    if review.pk is None:
        return values
    values["support_areas"] = [str(pk) for pk in review.support_areas.values_list("pk", flat=True)]
    updates = {u.initiative_id: u for u in review.updates.prefetch_related("actuals")}
    for i in initiatives:
        u = updates.get(i.pk)
        if u is None:
            continue
        key = f"i-{i.pk}"
        values |= {
            f"{key}-status": u.status,
            f"{key}-rag": u.rag,
            f"{key}-reason": u.rag_reason,
            f"{key}-spend": f"{u.spend_to_date_pence // 100}.{u.spend_to_date_pence % 100:02d}",
            f"{key}-evidence": u.evidence,
        }
        for a in u.actuals.all():
            values |= {f"m-{a.measure_id}-actual": a.actual, f"m-{a.measure_id}-achieved": a.achieved}
    return values
