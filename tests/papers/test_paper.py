"""The committee paper: its figures equal the live data in the DOCX, the PDF and the page; initiatives sit under
their maturity areas; drafts are left out; only people who can see the place get it; queries stay flat."""

import datetime
import io
import re
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from docx.table import Table
from lxml import etree
from pypdf import PdfReader

from pcndev.accounts.models import Role
from pcndev.config.formatting import format_count, format_pence
from pcndev.funding.allocating import preview, save_run
from pcndev.orgs.models import PCN, Place, PracticeMembership
from pcndev.papers.content import NO_AREA, build_paper
from pcndev.papers.docx_paper import render_docx
from pcndev.papers.pdf_paper import StaticOnlyFetcher, render_pdf
from pcndev.plans import workflow
from tests.builders import AS_OF, make_user
from tests.papers.builders import (
    add_plan,
    funded_place,
    give_payees,
    latest_line,
    list_size_of,
    practices_in,
)

MOVED_ON = datetime.date(2020, 1, 1)
PLACE_RERUN = 150_000_00


@pytest.fixture
def world(db):
    """Place 0 of a two-place system: five PCNs, one practice since moved to place 1, re-allocated at place level
    with equal shares; PCNs 0–3 have submitted (or agreed) plans, PCN 1 also a newer draft, PCN 4 only a draft."""
    w = funded_place(pcns=5, practices=3)
    place, other = w.tree.places
    pcns = list(PCN.objects.filter(place=place).order_by("code"))
    moved = (
        PracticeMembership.objects.filter(pcn=pcns[0], valid_to__isnull=True)
        .order_by("practice__code")
        .first()
    )
    moved.valid_to = MOVED_ON
    moved.save()
    PracticeMembership.objects.create(
        practice=moved.practice,
        pcn=PCN.objects.filter(place=other).order_by("code").first(),
        valid_from=MOVED_ON,
    )
    save_run(w.programme, preview(PLACE_RERUN, place.code, "equal", AS_OF))
    give_payees(place)
    PCN.objects.filter(pk=pcns[4].pk).update(payee=None)
    a = w.areas
    add_plan(w.programme, pcns[0], a)
    add_plan(w.programme, pcns[1], a, state=workflow.AGREED)
    add_plan(
        w.programme,
        pcns[1],
        a,
        state=workflow.DRAFT,
        number=2,
        initiatives=[("Draft-only idea", a[0], "x", [("y", "1")])],
    )
    add_plan(
        w.programme,
        pcns[2],
        a,
        initiatives=[
            ("Patient feedback system across the PCN", None, "A feedback tool for every practice", [("Practices live", "all")]),
            ("Preparedness for the 2020/21 DES", a[3], "Backfill for the clinical director", [("DES plan agreed", "yes")]),
        ],
    )  # fmt: skip
    add_plan(w.programme, pcns[3], a, state=workflow.COMMITTEE_APPROVED)
    add_plan(
        w.programme,
        pcns[4],
        a,
        state=workflow.DRAFT,
        initiatives=[("Unsubmitted idea", a[0], "z", [("m", "1")])],
    )
    w.place, w.other, w.pcns = place, other, pcns
    return w


def expected_places(w) -> dict[str, tuple[int, int, int, int]]:
    """name -> (practices, PCNs, list size, funding), straight from the ORM."""
    out = {}
    for pl in Place.objects.filter(system=w.place.system):
        out[pl.name] = (
            practices_in(place=pl),
            PCN.objects.filter(place=pl).count(),
            list_size_of(w.programme, place=pl),
            latest_line(w.programme, "place", place=pl).total_pence,
        )
    return out


def expected_pcns(w) -> dict[str, tuple[int, int, int, str]]:
    return {
        p.name: (
            practices_in(pk=p.pk),
            list_size_of(w.programme, pk=p.pk),
            latest_line(w.programme, "pcn", pcn=p).total_pence,
            p.payee.name if p.payee else "Not named yet",
        )
        for p in PCN.objects.filter(place=w.place).select_related("payee")
    }


def docx_table(doc, first_header: str) -> list[list[str]]:
    for table in doc.tables:
        rows = [[c.text for c in r.cells] for r in table.rows]
        if rows and rows[0][0] == first_header:
            return rows
    raise AssertionError(f"No table headed {first_header!r}")


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_docx_recommendation_tables_equal_the_live_data(world):
    places, pcns = expected_places(world), expected_pcns(world)
    # One practice has moved out (3 x 5 - 1) and the place was re-allocated at place level.
    assert places[world.place.name][0] == 14 and places[world.place.name][3] == PLACE_RERUN
    doc = Document(io.BytesIO(render_docx(build_paper(world.programme, world.place))))

    rows = docx_table(doc, "Place")
    assert rows[0][1:] == [
        "No. of practices",
        "Number of PCNs",
        "List size",
        "PCN development support funding: according to list size",
    ]
    body = {r[0]: tuple(r[1:]) for r in rows[1:-1]}
    assert body == {
        name: (format_count(n), format_count(k), format_count(size), format_pence(money))
        for name, (n, k, size, money) in places.items()
    }
    total = rows[-1]
    assert total[0] == "Total"
    assert total[1:] == [format_count(sum(v[i] for v in places.values())) for i in range(3)] + [
        format_pence(sum(v[3] for v in places.values()))
    ]

    rows = docx_table(doc, "PCN")
    assert rows[0][1:] == [
        "No. of practices",
        "List size",
        "PCN development support funding: according to list size",
        "Payee",
    ]
    body = {r[0]: tuple(r[1:]) for r in rows[1:-1]}
    assert body == {
        name: (format_count(n), format_count(size), format_pence(money), payee)
        for name, (n, size, money, payee) in pcns.items()
    }
    assert rows[-1][:4] == [
        "Total",
        format_count(14),
        format_count(sum(v[1] for v in pcns.values())),
        format_pence(PLACE_RERUN),
    ]


def test_the_background_gives_the_funding_chain(world):
    paper = build_paper(world.programme, world.place)
    national_system_line = latest_line(world.programme, "system", run__scope="national")
    place_line = latest_line(world.programme, "place", place=world.place)
    assert paper.funding.national_pence == 43_500_000_00
    # The place rerun carries a system line of its own; the system's amount still comes from the national run.
    assert paper.funding.system_pence == national_system_line.total_pence == 1_134_000_00
    assert paper.funding.place_pence == PLACE_RERUN
    assert (paper.funding.place_development_pence, paper.funding.place_cd_pence) == (
        place_line.development_pence,
        place_line.cd_pence,
    )
    assert paper.funding.place_cd_pence == PLACE_RERUN // 10
    text = " ".join(paper.background)
    for figure in ("£43,500,000.00", "£1,134,000.00", "£150,000.00", "£15,000.00", "10%", "2019/20"):
        assert figure in text
    when = [s.when for s in paper.timetable]
    assert when[3] == "September 2019" and "October 2019" in when and when[-1] == "October 2019 to March 2020"


def test_the_pdf_shows_the_same_figures(world):
    content = render_pdf(build_paper(world.programme, world.place))
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    assert reader.metadata.title == f"PCN development support funding 2019/20: {world.place.name}"
    text = pdf_text(content)
    flat = re.sub(r"\s+", " ", text)
    for name, (n, k, size, money) in expected_places(world).items():
        assert name in flat
        assert re.search(
            rf"{re.escape(name)}\s+{n}\s+{k}\s+{re.escape(format_count(size))}\s+{re.escape(format_pence(money))}",
            flat,
        ), name
    for name, (n, size, money, payee) in expected_pcns(world).items():
        assert re.search(
            rf"{re.escape(name)}\s+{n}\s+{re.escape(format_count(size))}\s+{re.escape(format_pence(money))}\s+{re.escape(payee)}",
            flat,
        ), name
    assert "Page 1 of" in flat
    assert "Leadership, planning and partnerships" in flat and "Output measures" in flat


def test_the_page_shows_the_figures_and_links_to_the_downloads(client, world):
    lead = make_user("place@test.example", Role.PLACE_LEAD, world.place)
    client.force_login(lead)
    url = reverse("papers:place", args=[world.programme.pk, world.place.code])
    page = client.get(url).content.decode()
    for pl in Place.objects.filter(system=world.place.system):
        n, k, size, money = expected_places(world)[pl.name]
        row = re.search(rf'<tr[^>]*data-code="{pl.code}">(.*?)</tr>', page, re.S).group(1)
        assert f'data-practices="{n}"' in row and f'data-pcns="{k}"' in row
        assert f'data-list-size="{size}"' in row and f'data-funding="{money}"' in row
        assert format_pence(money) in row and format_count(size) in row
    for p in PCN.objects.filter(place=world.place):
        n, size, money, payee = expected_pcns(world)[p.name]
        row = re.search(rf'<tr[^>]*data-code="{p.code}">(.*?)</tr>', page, re.S).group(1)
        assert (
            f'data-practices="{n}"' in row
            and f'data-list-size="{size}"' in row
            and f'data-funding="{money}"' in row
        )
        assert payee in row
    assert reverse("papers:docx", args=[world.programme.pk, world.place.code]) in page
    assert reverse("papers:pdf", args=[world.programme.pk, world.place.code]) in page
    assert "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page.replace("https://www.w3.org", "")
    money_page = client.get(
        reverse("funding:place", args=[world.programme.pk, world.place.code])
    ).content.decode()
    assert url in money_page

    docx = client.get(reverse("papers:docx", args=[world.programme.pk, world.place.code]))
    assert docx.status_code == 200 and docx["Content-Type"].endswith("wordprocessingml.document")
    assert 'filename="committee-paper-2019-20-' in docx["Content-Disposition"]
    pdf = client.get(reverse("papers:pdf", args=[world.programme.pk, world.place.code]))
    assert (
        pdf.status_code == 200
        and pdf["Content-Type"] == "application/pdf"
        and pdf.content.startswith(b"%PDF")
    )
    assert client.post(url).status_code == 405  # read-only


def _docx_sections(doc) -> list[tuple[str, list[list[str]]]]:
    """(area heading, initiative table rows) in document order, for the initiatives section."""
    out, heading, inside = [], None, False
    for block in doc.iter_inner_content():
        if isinstance(block, Table):
            if inside and heading:
                out.append((heading, [[c.text for c in r.cells] for r in block.rows]))
            continue
        if block.style.name == "Heading 1":
            inside = block.text.startswith("4.")
        elif block.style.name == "Heading 2" and inside:
            heading = block.text
    return out


def test_initiatives_sit_under_their_areas_with_support_and_measures(client, world):
    paper = build_paper(world.programme, world.place)
    leadership, data, resources = (world.areas[i].title for i in (0, 1, 3))
    assert [a.title for a in paper.areas] == [leadership, data, resources, NO_AREA]

    sections = _docx_sections(Document(io.BytesIO(render_docx(paper))))
    assert [h for h, _ in sections] == [leadership, data, resources, NO_AREA]
    found = dict(sections)
    header, *rows = found[leadership]
    assert header == ["Development support initiative", "Support required", "Output measures"]
    pcn0 = world.pcns[0].name
    assert [
        f"{pcn0} leadership coaching\n{pcn0}",
        "Coaching for the clinical director",
        "Sessions held (target: 6; by 31 March 2020)",
    ] in rows
    data_rows = found[data][1:]
    assert [
        f"{pcn0} population analytics\n{pcn0}",
        "Analyst time to profile the population",
        "Profile published (target: 1; by 31 March 2020)\nPractices trained (target: all; by 31 March 2020)",
    ] in data_rows
    assert [r[0] for r in found[NO_AREA][1:]] == [
        f"Patient feedback system across the PCN\n{world.pcns[2].name}"
    ]
    assert len(rows) == 3  # PCNs 0, 1 and 3; PCN 2's plan has no leadership initiative

    client.force_login(make_user("viewer@test.example", Role.VIEWER, world.place))
    page = client.get(reverse("papers:place", args=[world.programme.pk, world.place.code])).content.decode()
    positions = [page.index(f">{t}</h3>") for t in (leadership, data, resources, NO_AREA)]
    assert positions == sorted(positions)
    assert positions[0] < page.index(f"{pcn0} leadership coaching") < positions[1]
    assert positions[1] < page.index("Analyst time to profile the population") < positions[2]
    assert positions[3] < page.index("Patient feedback system across the PCN")
    assert "Practices trained (target: all; by 31 March 2020)" in page

    text = re.sub(r"\s+", " ", pdf_text(render_pdf(paper)))
    assert text.index(leadership + " Development support initiative") < text.index("Analyst time to profile")
    assert text.index(NO_AREA) < text.index("Patient feedback system across the PCN")


def test_drafts_are_left_out_and_the_latest_submitted_version_is_used(world):
    paper = build_paper(world.programme, world.place)
    titles = [i.title for a in paper.areas for i in a.initiatives]
    assert "Draft-only idea" not in titles and "Unsubmitted idea" not in titles
    assert f"{world.pcns[1].name} leadership coaching" in titles  # its agreed version 1
    assert {i.pcn_code for a in paper.areas for i in a.initiatives} == {p.code for p in world.pcns[:4]}
    assert "4 of 5 PCNs" in paper.plans_note and world.pcns[4].name in paper.plans_note
    assert any(world.pcns[4].name in s and "name the payee" in s for s in paper.next_steps)
    chambers = f"{world.place.name} GP Chambers"
    release = next(s for s in paper.next_steps if chambers in s)
    four = sum(latest_line(world.programme, "pcn", pcn=p).total_pence for p in world.pcns[:4])
    assert format_pence(four) in release and "memorandum of understanding" in release
    assert "October 2019 to March 2020" in paper.next_steps[-1]


def test_only_people_who_can_see_the_place_get_the_paper(client, world):
    args = [world.programme.pk, world.place.code]
    names = ("papers:place", "papers:docx", "papers:pdf")
    assert client.get(reverse("papers:place", args=args)).status_code == 302  # to sign in
    outsiders = [
        make_user("other-place@test.example", Role.PLACE_LEAD, world.other),
        make_user("cd-elsewhere@test.example", Role.PCN_CD, PCN.objects.filter(place=world.other).first()),
        make_user("nobody@test.example"),
    ]
    for user in outsiders:
        client.force_login(user)
        for name in names:
            assert client.get(reverse(name, args=args)).status_code == 404, (user, name)
    insiders = [
        make_user("lead@test.example", Role.PLACE_LEAD, world.place),
        make_user("system@test.example", Role.SYSTEM_LEAD, world.place.system),
        make_user("national@test.example", Role.NATIONAL_ADMIN),
    ]
    for user in insiders:
        client.force_login(user)
        for name in names:
            assert client.get(reverse(name, args=args)).status_code == 200, (user, name)
    assert (
        client.get(reverse("papers:place", args=[world.programme.pk + 99, world.place.code])).status_code
        == 404
    )


def test_the_docx_is_a_sound_package(world):
    content = render_docx(build_paper(world.programme, world.place))
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        assert package.testzip() is None
        names = set(package.namelist())
        assert {
            "[Content_Types].xml",
            "_rels/.rels",
            "word/document.xml",
            "word/styles.xml",
            "docProps/core.xml",
        } <= names
        for name in names:
            if name.endswith((".xml", ".rels")):
                etree.fromstring(package.read(name))  # well-formed
    doc = Document(io.BytesIO(content))
    assert doc.core_properties.title == f"PCN development support funding 2019/20: {world.place.name}"
    again = io.BytesIO()
    doc.save(again)  # python-docx re-opens and re-saves it
    assert Document(io.BytesIO(again.getvalue())).paragraphs[2].text == doc.core_properties.title
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "1. Purpose",
        "2. Background: development and support funding",
        "3. Process and timetable",
        "4. Development support initiatives",
        "5. Recommendation",
        "6. Next steps",
    ]


def test_the_pdf_loads_only_local_static_files():
    fetcher = StaticOnlyFetcher()
    css = fetcher.fetch("file:///static/papers/paper.css")
    assert css.content_type == "text/css" and b"@page" in css.read()
    for url in (
        "https://example.com/font.woff2",
        "http://127.0.0.1:8000/static/papers/paper.css",
        "file:///etc/passwd",
        "file:///static/../../etc/passwd",
        "file://host/static/papers/paper.css",
        "file:///static/papers/missing.css",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"


def test_a_programme_with_no_allocation_or_plans_still_gives_a_paper(db):
    w = funded_place(pcns=2)
    from pcndev.funding.programmes import create_programme

    empty = create_programme("Next year", 2020, 43_700_000_00, AS_OF)
    paper = build_paper(empty, w.tree.places[0])
    assert paper.funding.place_pence is None and paper.places_total.funding_pence is None
    assert paper.places_total.list_size == list_size_of(empty, place__system=w.tree.systems[0])
    assert "No allocation has been saved" in paper.recommendation
    assert paper.areas == ()
    assert "Not allocated yet" in pdf_text(render_pdf(paper))
    assert "Not allocated yet" in [
        c.text for t in Document(io.BytesIO(render_docx(paper))).tables for r in t.rows for c in r.cells
    ]


def test_a_place_defined_after_the_run_sums_its_pcns_lines(world):
    defined = Place.objects.create(
        code="LOCAL1", name="A local place", kind=Place.Kind.DEFINED, system=world.place.system
    )
    moving = list(PCN.objects.filter(place=world.other).order_by("code")[:2])
    PCN.objects.filter(pk__in=[p.pk for p in moving]).update(
        place=defined, place_source=PCN.PlaceSource.MANUAL
    )
    paper = build_paper(world.programme, defined)
    expected = sum(latest_line(world.programme, "pcn", pcn=p).total_pence for p in moving)
    assert paper.funding.place_pence == expected
    row = next(r for r in paper.places if r.code == "LOCAL1")
    assert (row.pcns, row.funding_pence, row.highlight) == (2, expected, True)
    assert [r.name for r in paper.pcns] == sorted(p.name for p in moving)


def _generate(programme, place) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        paper = build_paper(programme, place)
        render_docx(paper)
        render_pdf(paper)
    return [q["sql"] for q in captured.captured_queries]


def test_generating_the_paper_takes_the_same_queries_for_5_and_50_pcns(db):
    small = funded_place(pcns=5, practices=2, prefix="A")
    large = funded_place(pcns=50, practices=2, prefix="B", programme=small.programme)
    for w in (small, large):
        for pcn in PCN.objects.filter(place=w.tree.places[0]):
            add_plan(small.programme, pcn, small.areas)
    few = Place.objects.select_related("system").get(pk=small.tree.places[0].pk)
    many = Place.objects.select_related("system").get(pk=large.tree.places[0].pk)
    few_queries, many_queries = _generate(small.programme, few), _generate(small.programme, many)
    assert len(few_queries) == len(many_queries) <= 10, many_queries
    assert all(q.lstrip().upper().startswith("SELECT") for q in many_queries)  # read-only
    assert len(build_paper(small.programme, many).pcns) == 50


def test_an_initiative_several_pcns_share_is_listed_once_naming_them_all(db):
    from pcndev.orgs.models import Place
    from pcndev.papers.content import build_paper
    from tests.papers.builders import add_plan, funded_place

    funded = funded_place(pcns=3, practices=1)
    place = funded.tree.places[0]
    pcns = [p for p in funded.tree.pcns if p.place_id == place.pk]
    shared = ("Clinical director coaching", funded.areas[0], "Six sessions", [("Sessions held", "6")])
    for pcn in pcns[:2]:
        add_plan(funded.programme, pcn, funded.areas, initiatives=[shared])
    add_plan(funded.programme, pcns[2], funded.areas, initiatives=[(*shared[:2], "Four sessions", shared[3])])
    paper = build_paper(funded.programme, Place.objects.select_related("system").get(pk=place.pk))
    section = next(a for a in paper.areas if a.title == funded.areas[0].title)
    assert [(i.support_required, i.pcn_name) for i in section.initiatives] == [
        ("Six sessions", ", ".join(sorted(p.name for p in pcns[:2]))),
        ("Four sessions", pcns[2].name),
    ]


def test_the_pdf_lists_every_initiative_with_its_pcn_support_and_measures(world):
    paper = build_paper(world.programme, world.place)
    text = re.sub(r"\s+", " ", pdf_text(render_pdf(paper)))
    start = text.index("4. Development support initiatives")
    end = text.index("5. Recommendation")
    section = text[start:end]
    at = 0
    for area in paper.areas:
        at = section.index(
            f"{area.title} Development support initiative Support required Output measures", at
        )
        for i in area.initiatives:
            # Each initiative's cells in the table's order: title, PCN, support required, then each measure.
            for part in (i.title, i.pcn_name, i.support_required, *(m.text for m in i.measures)):
                at = section.index(part, at) + len(part)
    assert sum(len(a.initiatives) for a in paper.areas) == 8  # two for each of PCNs 0-3
    assert section.count("Development support initiative Support required Output measures") == len(
        paper.areas
    )


def test_an_initiative_without_support_or_measures_still_shows_in_the_pdf(db):
    funded = funded_place(pcns=1, practices=1)
    pcn = funded.tree.pcns[0]
    add_plan(funded.programme, pcn, funded.areas, initiatives=[("Bare idea", funded.areas[0], "", [])])
    paper = build_paper(funded.programme, Place.objects.select_related("system").get(pk=pcn.place_id))
    text = re.sub(r"\s+", " ", pdf_text(render_pdf(paper)))
    assert f"Bare idea {pcn.name} Not stated None recorded" in text


def test_the_pdf_embeds_only_the_bundled_paper_sans_faces(world):
    reader = PdfReader(io.BytesIO(render_pdf(build_paper(world.programme, world.place))))
    fonts = {
        font.get_object()["/BaseFont"].split("+", 1)[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts == {"Paper-Sans", "Paper-Sans-Bold", "Paper-Sans-Bold-Italic"}


def test_the_bundled_font_has_no_opentype_layout_tables_and_keeps_its_kerning():
    from fontTools.ttLib import TTFont

    from pcndev.papers.fonts import FACES, OUT

    assert (OUT / "OFL.txt").read_text().count("SIL OPEN FONT LICENSE Version 1.1") == 1
    for face in FACES:
        font = TTFont(OUT / f"PaperSans-{face}.ttf")
        assert not {"GSUB", "GPOS", "GDEF"} & set(font.keys())
        assert "kern" in font and font["maxp"].numGlyphs > 2000
        assert font["name"].getDebugName(1) == "Paper Sans"
        assert "Liberation" not in font["name"].getDebugName(4)  # a modified font may not keep the name


def test_the_lean_user_agent_stylesheet_drops_only_the_note_rules_and_changes_nothing(world):
    from weasyprint import HTML
    from weasyprint import html as weasyprint_html

    from pcndev.papers import pdf_paper

    # A WeasyPrint that words these rules otherwise fails here rather than quietly rendering slower.
    assert pdf_paper._LEAN_UA is not None and pdf_paper._removed == 5
    removed = set(weasyprint_html.UA.splitlines()) - set(pdf_paper._LEAN_UA_TEXT.splitlines())
    assert removed and all(line.startswith(("::footnote-", "::note-")) for line in removed)
    html = pdf_paper.paper_html(build_paper(world.programme, world.place))
    lean = pdf_paper.PaperHTML(string=html, base_url=pdf_paper.BASE_URL, url_fetcher=StaticOnlyFetcher())
    assert lean._ua_stylesheets() == [pdf_paper._LEAN_UA]
    standard = HTML(string=html, base_url=pdf_paper.BASE_URL, url_fetcher=StaticOnlyFetcher())
    options = {"stylesheets": pdf_paper._stylesheets(), "font_config": pdf_paper._font_config}
    assert pdf_text(lean.write_pdf(**options)) == pdf_text(standard.write_pdf(**options))
