"""The priorities each programme year carries, as data (seeds 000 and 001)."""

SUPPORT_DOMAINS_2019 = (
    ("setup", "PCN set-up and support"),
    ("od", "Organisational development and change"),
    ("leadership", "Leadership development and support"),
    ("mdt", "Supporting collaborative working (MDTs)"),
    ("phm", "Population health management"),
    ("social_prescribing", "Social prescribing and asset-based community development"),
)
PRIORITIES_2020 = (
    ("workforce", "Workforce: recruiting, embedding and retaining new staff (ARRS)"),
    ("integration", "Integration: multidisciplinary working with community partners"),
    ("access", "Access: total triage, remote consultation and the primary–secondary care interface"),
    ("inequalities", "Health inequalities: population health management and prevention"),
)


def defaults_for(financial_year: int) -> list[tuple[str, str, str]]:
    """(kind, code, title) rows: the six support domains always, the four priorities from 2020/21."""
    rows = [("domain", code, title) for code, title in SUPPORT_DOMAINS_2019]
    if financial_year >= 2020:
        rows += [("priority", code, title) for code, title in PRIORITIES_2020]
    return rows
