"""The committee paper as PDF: WeasyPrint renders the paper markup the page shows, with the print stylesheet.

Nothing is fetched from outside: the only URLs WeasyPrint may load are this site's static files, read from disk
through Django's static file finders; data: URLs are allowed, and anything else is refused.
"""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from pcndev.papers.content import Paper

# Root-relative links such as /static/papers/paper.css resolve against this, to file:///static/...
BASE_URL = "file:///"


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


def paper_html(paper: Paper) -> str:
    return render_to_string("papers/print.jinja", {"paper": paper})


def render_pdf(paper: Paper) -> bytes:
    document = HTML(string=paper_html(paper), base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
    return document.write_pdf()
