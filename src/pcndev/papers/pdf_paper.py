"""The committee paper as PDF: WeasyPrint renders the paper markup the page shows, with the print stylesheet.

Nothing is fetched from outside: the only URLs WeasyPrint may load are this site's static files, read from disk
through Django's static file finders; data: URLs are allowed, and anything else is refused.

The stylesheets (paper.css, then the PDF-only paper-pdf.css) are parsed once and reused across renders, with
one font configuration, rather than fetched and parsed for every paper; a changed file is parsed again.

Generation time for the worst case (bench/papers.py: the largest place, 47 PCNs, 235 initiatives all different)
came down by about a third, to under 1 s of CPU, from three changes:

- the initiatives print as one paragraph each (the "pdf" flag of the paper template), not as the page's
  table or as nested blocks: fewer boxes and lines to lay out and draw, 29 pages instead of 36-37;
- one bundled font, Paper Sans (papers/fonts.py), the same whatever the server has installed. Where
  HarfBuzz-Subset is missing, WeasyPrint subsets the embedded fonts with fontTools, which decodes their
  OpenType layout tables (then dropped) first: 0.3-0.4 s a paper with DejaVu Sans or Liberation Sans 2,
  a few ms with Paper Sans, which has none;
- WeasyPrint's user-agent stylesheet without its footnote and note pseudo-element rules (`_LEAN_UA`): they
  match every element, so each element carried five more computed styles. The paper has no footnotes or notes
  and its PDF comes out the same.
"""

import mimetypes
import re
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint import html as weasyprint_html
from weasyprint.css.counters import CounterStyle
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from pcndev.papers.paper import Paper

# Root-relative links such as /static/papers/paper.css resolve against this, to file:///static/...
BASE_URL = "file:///"
STYLESHEETS = ("papers/paper.css", "papers/paper-pdf.css")


class StaticOnlyFetcher(URLFetcher):
    """Serve /static/... from the static file finders and data: URLs; refuse every other URL."""

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        if parts.scheme != "file" or parts.netloc or not parts.path.startswith(prefix):
            raise ValueError(f"The paper may only load this site's static files, not {url}")
        relative = unquote(parts.path[len(prefix) :])
        found = None if ".." in Path(relative).parts else finders.find(relative)
        if not found:
            raise ValueError(f"No static file {relative}")
        path = Path(found)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})


# WeasyPrint's user-agent stylesheet less its rules for ::footnote-call, ::footnote-marker, ::note-call,
# ::note-marker and ::note-callback (only elements with float: footnote or position: note() ever show those).
# If a WeasyPrint version words them otherwise, nothing is removed and its own stylesheet is used as it is.
_NOTE_RULES = re.compile(r"^::(?:footnote|note)-[a-z-]+\s*\{[^}]*\}[ \t]*\n", re.MULTILINE)
_ua_text = getattr(weasyprint_html, "UA", "")
_LEAN_UA_TEXT, _removed = _NOTE_RULES.subn("", _ua_text)
_STANDARD_UA = getattr(weasyprint_html, "UA_STYLESHEET", None)
# Its @counter-style rules are in WeasyPrint's own UA_COUNTER_STYLE already, which each render copies; parsed
# again into that they would count as redefinitions, so they go into a throwaway one.
_LEAN_UA = CSS(string=_LEAN_UA_TEXT, counter_style=CounterStyle()) if _removed and _STANDARD_UA else None


class PaperHTML(HTML):
    """The paper's HTML, laid out with the lean user-agent stylesheet where there is one."""

    def _ua_stylesheets(self, *args, **kwargs):
        sheets = super()._ua_stylesheets(*args, **kwargs)
        if _LEAN_UA is None:
            return sheets
        return [_LEAN_UA if sheet is _STANDARD_UA else sheet for sheet in sheets]


_lock = threading.Lock()
_font_config = FontConfiguration()
_parsed: dict[str, tuple[tuple[str, float], CSS]] = {}


def _stylesheets() -> list[CSS]:
    sheets = []
    with _lock:
        for name in STYLESHEETS:
            found = finders.find(name)
            if not found:
                raise ValueError(f"No static file {name}")
            key = (found, Path(found).stat().st_mtime)
            cached = _parsed.get(name)
            if cached is None or cached[0] != key:
                url = BASE_URL + settings.STATIC_URL.strip("/") + "/" + name
                css = CSS(
                    string=Path(found).read_text(encoding="utf-8"),
                    base_url=url,
                    url_fetcher=StaticOnlyFetcher(),
                    font_config=_font_config,
                )
                cached = _parsed[name] = (key, css)
            sheets.append(cached[1])
    return sheets


def paper_html(paper: Paper) -> str:
    return render_to_string("papers/print.jinja", {"paper": paper, "pdf": True})


def render_pdf(paper: Paper) -> bytes:
    document = PaperHTML(string=paper_html(paper), base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
    return document.write_pdf(stylesheets=_stylesheets(), font_config=_font_config)
