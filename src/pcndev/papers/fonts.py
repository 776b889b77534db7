"""Derive the PDF's bundled font, Paper Sans, from Liberation Sans 2 (SIL Open Font License 1.1).

    .venv/bin/python -m pcndev.papers.fonts /usr/share/fonts/truetype/liberation2

Liberation Sans has Arial's metrics, as the paper's stylesheet asks for. Paper Sans is Liberation Sans 2.1.5
Regular, Bold and Bold Italic with the OpenType layout tables (GSUB, GPOS, GDEF) taken out and the font renamed,
as the licence requires of a modified font ("Liberation" is a Reserved Font Name; see fonts/OFL.txt). Every
glyph stays, and so does kerning, which the font also keeps in its TrueType kern table. WeasyPrint drops those
layout tables from the fonts it embeds anyway, but the fontTools subsetter it falls back on without
HarfBuzz-Subset decodes them first: about 0.1 s a face for every PDF. Without them a face subsets in a few ms.
"""

import sys
from pathlib import Path

from fontTools.ttLib import TTFont

FAMILY = "Paper Sans"
FACES = {
    "Regular": "LiberationSans-Regular.ttf",
    "Bold": "LiberationSans-Bold.ttf",
    "BoldItalic": "LiberationSans-BoldItalic.ttf",  # the "NHS" mark only
}
DROP = ("GSUB", "GPOS", "GDEF", "FFTM")
OUT = Path(__file__).resolve().parent / "static" / "papers" / "fonts"
NOTE = (
    "Paper Sans is Liberation Sans 2.1.5 with its OpenType layout tables (GSUB, GPOS, GDEF) removed and the "
    "font renamed; kerning stays in the kern table. Licensed under the SIL Open Font License, Version 1.1."
)


def derive(source_dir: Path, out_dir: Path = OUT) -> list[Path]:
    written = []
    for face, name in FACES.items():
        font = TTFont(source_dir / name)
        for tag in DROP:
            if tag in font:
                del font[tag]
        names = font["name"]
        style = {"Regular": "Regular", "Bold": "Bold", "BoldItalic": "Bold Italic"}[face]
        full = FAMILY if face == "Regular" else f"{FAMILY} {style}"
        postscript = f"{FAMILY.replace(' ', '')}-{face}"
        version = names.getDebugName(5) or ""  # "Version 2.1.5"
        for record in names.names:
            text = {
                1: FAMILY,
                3: f"{postscript}; derived from Liberation Sans {version.removeprefix('Version ')}",
                4: full,
                6: postscript,
                10: NOTE,
                16: FAMILY,
                17: style,
            }.get(record.nameID)
            if text is not None:
                record.string = text
        target = out_dir / f"{postscript}.ttf"
        font.save(target)
        written.append(target)
    return written


if __name__ == "__main__":
    for path in derive(Path(sys.argv[1])):
        print(path)
