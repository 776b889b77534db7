"""The committee paper as PDF: WeasyPrint renders the paper markup the page shows, with the print stylesheet.

Nothing is fetched from outside: the only URLs WeasyPrint may load are this site's static files, read from disk
through Django's static file finders; data: URLs are allowed, and anything else is refused.

The stylesheets (paper.css, then the PDF-only paper-pdf.css) are parsed once and reused across renders, with
one font configuration, rather than fetched and parsed for every paper; a changed file is parsed again.
"""

import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
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
    return render_to_string("papers/print.jinja", {"paper": paper})


def render_pdf(paper: Paper) -> bytes:
    document = HTML(string=paper_html(paper), base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
    return document.write_pdf(stylesheets=_stylesheets(), font_config=_font_config)
