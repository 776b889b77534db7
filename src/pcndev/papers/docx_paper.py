"""The committee paper as a Word document (python-docx), laid out like an NHS committee paper: A4, Arial,
NHS blue headings, numbered sections, tables with repeated header rows and page numbers in the footer.

It lays out a papers.content.Paper and reads nothing else, so it says exactly what the page and the PDF say.
"""

import datetime
import io
from collections.abc import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from pcndev.config.formatting import format_count, format_date, format_pence
from pcndev.papers.paper import NOT_ALLOCATED, Figures, Paper

FONT = "Arial"
NHS_BLUE = RGBColor(0x00, 0x5E, 0xB8)
NHS_DARK_BLUE = RGBColor(0x00, 0x30, 0x87)
GREY = RGBColor(0x4C, 0x62, 0x72)
PAGE_WIDTH_CM = 21.0 - 2 * 1.8
FIGURE_HEADERS = (
    "No. of practices",
    "Number of PCNs",
    "List size",
    "PCN development support funding: according to list size",
)


def _set_font(style, size: float, bold: bool | None = None, colour: RGBColor | None = None) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if colour is not None:
        style.font.color.rgb = colour
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _styles(doc) -> None:
    styles = doc.styles
    _set_font(styles["Normal"], 11)
    styles["Normal"].paragraph_format.space_after = Pt(6)
    _set_font(styles["Title"], 20, bold=True, colour=NHS_BLUE)
    title = styles["Title"].element.get_or_add_pPr()
    for border in title.findall(qn("w:pBdr")):  # the default Title has a rule under it; the paper has its own
        title.remove(border)
    _set_font(styles["Heading 1"], 14, bold=True, colour=NHS_BLUE)
    styles["Heading 1"].paragraph_format.space_before = Pt(16)
    _set_font(styles["Heading 2"], 12, bold=True, colour=NHS_DARK_BLUE)
    _set_font(styles["List Bullet"], 11)


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row) -> None:
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _keep_row_together(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _write(cell, text: str, bold: bool = False, right: bool = False, colour: RGBColor | None = None) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold
    if colour is not None:
        run.font.color.rgb = colour
    paragraph.paragraph_format.space_after = Pt(0)
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _table(doc, headers: Sequence[str], widths_cm: Sequence[float], numeric: Sequence[bool] = ()):
    numeric = tuple(numeric) or (False,) * len(headers)
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    header = table.rows[0]
    _repeat_header(header)
    for cell, text, width, right in zip(header.cells, headers, widths_cm, numeric, strict=True):
        cell.width = Cm(width)
        _shade(cell, "005EB8")
        _write(cell, text, bold=True, right=right, colour=RGBColor(0xFF, 0xFF, 0xFF))
    return table


def _row(table, values: Sequence[str], widths_cm: Sequence[float], numeric: Sequence[bool], bold=False):
    row = table.add_row()
    _keep_row_together(row)
    cells = row.cells
    for i, (cell, text, width, right) in enumerate(zip(cells, values, widths_cm, numeric, strict=True)):
        cell.width = Cm(width)
        _write(cell, text, bold=bold or i == 0, right=right)
    return cells


def _caption(doc, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.keep_with_next = True
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.add_run(text).bold = True


def _bullets(doc, items: Sequence[str]) -> None:
    for item in items:
        doc.add_paragraph(item, style="List Bullet")


def _page_field(paragraph, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _header_and_footer(doc, paper: Paper) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(1.8)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    header = section.header.paragraphs[0]
    header.text = f"{paper.committee} ({paper.committee_short})"
    header.runs[0].font.size = Pt(8.5)
    header.runs[0].font.color.rgb = GREY
    footer = section.footer.paragraphs[0]
    run = footer.add_run(f"{paper.title}\tPage ")
    run.font.size = Pt(8.5)
    _page_field(footer, "PAGE")
    footer.add_run(" of ").font.size = Pt(8.5)
    _page_field(footer, "NUMPAGES")


def _identifier(doc) -> None:
    """The NHS identifier, top right: white on NHS blue."""
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(" NHS ")
    run.bold = run.italic = True
    run.font.size = Pt(20)
    run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), "005EB8")
    run._r.get_or_add_rPr().append(shading)


def _figures(doc, caption: str, first: str, rows: Sequence[Figures], total: Figures, payee: bool) -> None:
    _caption(doc, caption)
    if payee:
        headers = (first, FIGURE_HEADERS[0], FIGURE_HEADERS[2], FIGURE_HEADERS[3], "Payee")
        widths = (4.6, 2.4, 2.6, 3.6, 4.2)
        numeric = (False, True, True, True, False)
    else:
        headers = (first, *FIGURE_HEADERS)
        widths = (5.4, 2.6, 2.6, 2.8, 4.0)
        numeric = (False, True, True, True, True)

    def values(r: Figures) -> list[str]:
        out = [r.name, format_count(r.practices)]
        if not payee:
            out.append(format_count(r.pcns))
        out += [format_count(r.list_size), r.funding_text]
        if payee:
            out.append(r.payee or ("" if r is total else "Not named yet"))
        return out

    table = _table(doc, headers, widths, numeric)
    for r in rows:
        cells = _row(table, values(r), widths, numeric)
        if r.highlight:
            for cell in cells:
                _shade(cell, "E8F1F8")
    for cell in _row(table, values(total), widths, numeric, bold=True):
        _shade(cell, "F0F4F5")


def render_docx(paper: Paper) -> bytes:
    doc = Document()
    _styles(doc)
    _header_and_footer(doc, paper)
    props = doc.core_properties
    props.title = paper.title
    props.subject = f"Paper to the {paper.committee}"
    props.author = props.last_modified_by = paper.place_name
    props.keywords = f"PCN development support; {paper.year_label}; {paper.place_code}"
    props.comments = "Generated from live data by pcndev"
    props.created = props.modified = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    props.revision = 1

    _identifier(doc)
    committee = doc.add_paragraph()
    run = committee.add_run(f"{paper.committee} ({paper.committee_short})")
    run.font.color.rgb = GREY
    doc.add_paragraph(paper.title, style="Title")
    widths = (5.0, PAGE_WIDTH_CM - 5.0)
    summary = doc.add_table(rows=0, cols=2)
    summary.style = doc.styles["Table Grid"]
    summary.autofit = False
    for key, value in paper.summary:
        _row(summary, (key, value), widths, (False, False))

    doc.add_heading("1. Purpose", level=1)
    doc.add_paragraph("The purpose of this paper is to:")
    _bullets(doc, paper.purpose)

    doc.add_heading("2. Background: development and support funding", level=1)
    _bullets(doc, paper.background)
    _caption(doc, f"The funding chain, {paper.year_label}")
    f = paper.funding
    widths, numeric = (8.0, 4.0), (False, True)
    chain = _table(doc, ("Level", "Amount"), widths, numeric)
    money = [
        ("National (NHS England)", f.national_pence),
        (paper.system_name, f.system_pence),
        (paper.place_name, f.place_pence),
    ]
    if f.place_development_pence is not None:
        money += [
            (f"{paper.place_name}: PCN development", f.place_development_pence),
            (f"{paper.place_name}: clinical director development ({f.cd_percent})", f.place_cd_pence),
        ]
    for label, pence in money:
        _row(chain, (label, NOT_ALLOCATED if pence is None else format_pence(pence)), widths, numeric)
    chain.alignment = WD_TABLE_ALIGNMENT.LEFT
    if paper.domains:
        doc.add_heading("Support domains", level=2)
        doc.add_paragraph("The programme's prospectus sets out these support domains:")
        _bullets(doc, paper.domains)

    doc.add_heading("3. Process and timetable", level=1)
    widths, numeric = (4.4, PAGE_WIDTH_CM - 4.4), (False, False)
    timetable = _table(doc, ("When", "What happens"), widths, numeric)
    for step in paper.timetable:
        _row(timetable, (step.when, step.what), widths, numeric)

    doc.add_heading("4. Development support initiatives", level=1)
    doc.add_paragraph(paper.plans_note)
    widths, numeric = (5.0, 6.2, PAGE_WIDTH_CM - 11.2), (False, False, False)
    for area in paper.areas:
        doc.add_heading(area.title, level=2).paragraph_format.keep_with_next = True
        table = _table(
            doc, ("Development support initiative", "Support required", "Output measures"), widths, numeric
        )
        for item in area.initiatives:
            cells = _row(table, (item.title, item.support_required or "Not stated", ""), widths, numeric)
            pcn = cells[0].add_paragraph()
            pcn.paragraph_format.space_after = Pt(0)
            name = pcn.add_run(item.pcn_name)
            name.font.size = Pt(9)
            name.font.color.rgb = GREY
            measures = cells[2]
            if not item.measures:
                measures.paragraphs[0].add_run("None recorded")
            for n, m in enumerate(item.measures):
                paragraph = measures.paragraphs[0] if n == 0 else measures.add_paragraph()
                paragraph.paragraph_format.space_after = Pt(2)
                paragraph.add_run(m.text)
    if not paper.areas:
        doc.add_paragraph("No support plans have been submitted yet.")

    doc.add_heading("5. Recommendation", level=1)
    doc.add_paragraph(paper.recommendation)
    _figures(
        doc,
        f"PCN development support funding by place in {paper.system_name}",
        "Place",
        paper.places,
        paper.places_total,
        payee=False,
    )
    _figures(doc, f"PCNs in {paper.place_name}", "PCN", paper.pcns, paper.pcns_total, payee=True)
    note = doc.add_paragraph()
    note.add_run(
        f"List sizes are registered patients on {format_date(paper.list_size_date)}; practices are the PCNs' "
        f"current members."
    ).font.size = Pt(9)

    doc.add_heading("6. Next steps", level=1)
    doc.add_paragraph(f"Next steps after {paper.committee_short} approval:")
    _bullets(doc, paper.next_steps)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
