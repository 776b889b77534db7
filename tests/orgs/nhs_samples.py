"""Small NHS Digital files in the real formats, for importer tests.

The sample: two regions, three STPs / ICBs, four CCGs / sub-ICB locations, four PCNs and two unallocated
practices. PCN U00001 spans Kingston (18,000 patients) and Sutton (12,000), so it belongs to Kingston.
Practice A81002 is missing from the list-size file; X99001 and X99002 are in it but not in the mapping.
"""

import csv
import io
from dataclasses import dataclass, replace
from pathlib import Path

MAPPING_NAME = "gp-reg-pat-prac-map.csv"
LIST_NAME = "gp-reg-pat-prac-all.csv"

MAPPING_HEADER = {
    "ccg": "PUBLICATION,EXTRACT_DATE,PRACTICE_CODE,PRACTICE_NAME,PRACTICE_POSTCODE,PCN_CODE,PCN_NAME,"
    "ONS_CCG_CODE,CCG_CODE,CCG_NAME,ONS_STP_CODE,STP_CODE,STP_NAME,"
    "ONS_COMM_REGION_CODE,COMM_REGION_CODE,COMM_REGION_NAME",
    "icb": "PUBLICATION,EXTRACT_DATE,PRACTICE_CODE,PRACTICE_NAME,PRACTICE_POSTCODE,PCN_CODE,PCN_NAME,"
    "ONS_SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,ONS_ICB_CODE,ICB_CODE,ICB_NAME,"
    "ONS_COMM_REGION_CODE,COMM_REGION_CODE,COMM_REGION_NAME",
}
LIST_HEADER = {
    "ccg": "PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS",
    "icb": "PUBLICATION,EXTRACT_DATE,TYPE,SUB_ICB_LOCATION_CODE,ONS_SUB_ICB_LOCATION_CODE,CODE,POSTCODE,SEX,AGE,"
    "NUMBER_OF_PATIENTS",
}

REGIONS = {"Y56": ("E40000003", "London"), "Y63": ("E40000009", "North East and Yorkshire")}
# code: (ons code, STP-era name, ICB-era name, region)
SYSTEMS = {
    "QWE": ("E54000031", "South West London Health and Care Partnership", "NHS South West London ICB", "Y56"),
    "QKK": ("E54000030", "Our Healthier South East London", "NHS South East London ICB", "Y56"),
    "QHM": ("E54000050", "Cumbria and North East", "NHS North East and North Cumbria ICB", "Y63"),
}
# code: (ons code, CCG-era name, sub-ICB-era name, system)
PLACES = {
    "08J": ("E38000090", "NHS Kingston CCG", "NHS South West London ICB - 08J", "QWE"),
    "08T": ("E38000179", "NHS Sutton CCG", "NHS South West London ICB - 08T", "QWE"),
    "07Q": ("E38000023", "NHS Bromley CCG", "NHS South East London ICB - 07Q", "QKK"),
    "16C": ("E38000247", "NHS Tees Valley CCG", "NHS North East and North Cumbria ICB - 16C", "QHM"),
}


@dataclass(frozen=True)
class SamplePractice:
    code: str
    name: str
    postcode: str
    pcn_code: str
    pcn_name: str
    place: str
    patients: int | None  # None: not in the list-size file


SAMPLE = [
    SamplePractice(
        "H84001", "CANBURY MEDICAL CENTRE", "KT2 6HJ", "U00001", "KINGSTON NORTH PCN", "08J", 10_000
    ),
    SamplePractice(
        "H84002", "HOLMWOOD CORNER SURGERY", "KT3 3DP", "U00001", "KINGSTON NORTH PCN", "08J", 8_000
    ),
    SamplePractice(
        "H85001", "ST HELIER HEALTH CENTRE", "SM5 1JG", "U00001", "KINGSTON NORTH PCN", "08T", 12_000
    ),
    SamplePractice("H85002", "SUTTON MEDICAL GROUP", "SM1 1DX", "U00002", "SUTTON PCN", "08T", 20_000),
    SamplePractice("H85003", "CHEAM FAMILY PRACTICE", "SM3 8DA", "U00002", "SUTTON PCN", "08T", 5_000),
    SamplePractice(
        "G84001", "FIELDS, NURSERY AND PARK", "BR1 3LA", "U00003", "BROMLEY, CENTRAL PCN", "07Q", 15_000
    ),
    SamplePractice("G84002", "BROMLEY HOMELESS SERVICE", "BR1 1AA", "U", "Unallocated", "07Q", 300),
    SamplePractice("A81001", "THE DENSHAM SURGERY", "TS18 1HU", "U00004", "STOCKTON PCN", "16C", 9_000),
    SamplePractice("A81002", "QUEENS PARK MEDICAL CENTRE", "TS18 2AW", "U00004", "STOCKTON PCN", "16C", None),
    SamplePractice("Y02157", "TEES SPECIAL ALLOCATION SCHEME", "TS1 2AA", "U", "Unallocated", "16C", 4),
]
UNMAPPED = {"X99001": 1_234, "X99002": 766}


def moved(practices: list[SamplePractice], code: str, **changes) -> list[SamplePractice]:
    """The sample with one practice changed, e.g. moved(SAMPLE, "H84002", pcn_code="U00002")."""
    return [replace(p, **changes) if p.code == code else p for p in practices]


def mapping_table(practices=SAMPLE, era="ccg", extract_date="01Jan2022") -> list[list[str]]:
    rows = [MAPPING_HEADER[era].split(",")]
    names = 1 if era == "ccg" else 2
    for p in practices:
        place = PLACES[p.place]
        system = SYSTEMS[place[3]]
        region = REGIONS[system[3]]
        rows.append(
            ["GP_PRAC_PAT_LIST", extract_date, p.code, p.name, p.postcode, p.pcn_code, p.pcn_name]
            + [place[0], p.place, place[names], system[0], place[3], system[names]]
            + [region[0], system[3], region[1]]
        )
    return rows


def list_table(practices=SAMPLE, era="ccg", extract_date="01JAN2021", unmapped=UNMAPPED) -> list[list[str]]:
    rows = [LIST_HEADER[era].split(",")]
    sized = [(p.code, p.place, p.postcode, p.patients) for p in practices if p.patients is not None]
    sized += [(code, "08J", "KT1 1AA", n) for code, n in unmapped.items()]
    for code, place, postcode, patients in sized:
        rows.append(
            ["GP_PRAC_PAT_LIST", extract_date, "GP", place, PLACES[place][0], code, postcode, "ALL", "ALL"]
            + [str(patients)]
        )
        if code == "H84001":  # per-sex rows are not read
            rows.append(
                [
                    "GP_PRAC_PAT_LIST",
                    extract_date,
                    "GP",
                    place,
                    PLACES[place][0],
                    code,
                    postcode,
                    "MALE",
                    "ALL",
                ]
                + ["oops"]
            )
    return rows


def csv_text(table: list[list[str]], line_ending: str = "\n") -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=line_ending).writerows(table)
    return out.getvalue()


def write(path: Path, table_or_text, line_ending: str = "\n", encoding: str = "utf-8") -> Path:
    """Write a table, a text or (as they are) bytes."""
    if isinstance(table_or_text, bytes):
        path.write_bytes(table_or_text)
        return path
    text = table_or_text if isinstance(table_or_text, str) else csv_text(table_or_text, line_ending)
    path.write_bytes(text.encode(encoding))
    return path


def write_pair(directory: Path, practices=SAMPLE, era="ccg", mapping_date="01Jan2022", list_date="01JAN2021"):
    """Write both files (the list-size file with CRLF endings, like NHS Digital's) and return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    return (
        write(directory / MAPPING_NAME, mapping_table(practices, era, mapping_date)),
        write(directory / LIST_NAME, list_table(practices, era, list_date), line_ending="\r\n"),
    )


def audited(action: str, events=None) -> dict[str, tuple[dict | None, dict | None]]:
    """code -> (before, after) as {field: value}, from the grouped import events with that action.

    events: the AuditEvent queryset to read (default every event); a later event's row wins.
    """
    from pcndev.audit.models import AuditEvent

    def rows(table) -> dict[str, dict]:
        if table is None:
            return {}
        assert set(table) == {"fields", "rows"}
        return {
            code: dict(zip(table["fields"], values, strict=True)) for code, values in table["rows"].items()
        }

    out = {}
    for event in (
        (events if events is not None else AuditEvent.objects.all()).filter(action=action).order_by("id")
    ):
        before, after = rows(event.before), rows(event.after)
        for code in before.keys() | after.keys():
            out[code] = (before.get(code), after.get(code))
    return out


def audited_rows(events=None) -> dict[str, int]:
    """action -> rows covered, over the grouped import events given (default every event)."""
    from pcndev.audit.models import AuditEvent

    counts: dict[str, int] = {}
    for event in events if events is not None else AuditEvent.objects.all():
        table = event.after if event.after is not None else event.before
        counts[event.action] = counts.get(event.action, 0) + len(table["rows"])
    return counts
