"""Find the site's forms the way a user does: sign in as each role, follow the links from the home page (a few
pages per URL name and role, downloads left out), and keep every form with its fields and default values."""

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

from tests.faults.bad_values import field_class

SKIP_NAMES = {"accounts:logout", "admin", "healthz"}
SKIP_SUFFIXES = (".csv", ".xlsx", ".docx", ".pdf", ".yaml", ".svg", ".json")
MAX_PAGES = 400  # per role: a bound, never reached on the demo data
PER_NAME = 3  # pages visited per URL name and role (a draft plan and an agreed one show different forms)
# Forms kept per distinct form, one per user who sees it: the first found may be one that user cannot submit.
CANDIDATES = 7


@dataclass
class Form:
    method: str
    action: str
    source: str  # the page it was found on
    role: str
    fields: dict[str, str] = field(
        default_factory=dict
    )  # name → default value (the first one of a radio group)
    kinds: dict[str, str] = field(default_factory=dict)  # name → input type, "select" or "textarea"
    choices: dict[str, list[str]] = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        # The same form for another element, area or initiative is the same form: field classes, not names
        classes = {field_class(n, k) for n, k in self.kinds.items()}
        return (self.method, _url_name(self.action), tuple(sorted(classes)))

    def editable(self) -> list[str]:
        """The fields a user types into or picks from (not hidden, not the CSRF token)."""
        return [n for n, k in self.kinds.items() if k not in ("hidden", "submit", "button", "file")]


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {
                "method": a.get("method", "get").lower(),
                "action": a.get("action", ""),
                "fields": [],
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind == "number" or a.get("inputmode") in ("numeric", "decimal"):
                kind = "number"  # amounts and the boxes of a date take digits
            if kind in ("checkbox", "radio") and "checked" not in a:
                value = None if kind == "checkbox" else a.get("value", "")
                self._form["fields"].append((a["name"], kind, value, a.get("value", "")))
            else:
                self._form["fields"].append((a["name"], kind, a.get("value", ""), a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form["fields"].append((a["name"], "select", None, None))
        elif tag == "option" and self._select:
            self._form["fields"].append((self._select, "option", a.get("value", ""), "selected" in a))
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form["fields"].append((a["name"], "textarea", "", ""))

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            name, kind, value, choice = self._form["fields"][-1]
            self._form["fields"][-1] = (name, kind, (value or "") + data, choice)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _url_name(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def _form_of(raw: dict, page: str, role: str) -> Form:
    form = Form(raw["method"], urljoin(page, raw["action"] or page), page, role)
    for name, kind, value, extra in raw["fields"]:
        if kind == "option":
            form.choices.setdefault(name, []).append(value)
            if extra or form.fields.get(name) is None:
                form.fields[name] = value
            continue
        form.kinds.setdefault(name, kind)
        if kind == "radio":
            form.choices.setdefault(name, []).append(extra)
        if value is not None and (name not in form.fields or form.fields[name] is None):
            form.fields[name] = value
        else:
            form.fields.setdefault(name, None)
    form.fields = {k: v for k, v in form.fields.items() if v is not None}
    return form


@dataclass
class Crawl:
    # distinct forms, (method, URL name, field kinds) → a few forms found like it
    forms: dict[tuple, list[Form]] = field(default_factory=dict)
    visited: dict[str, int] = field(default_factory=dict)  # role → pages visited
    pages: dict[str, list[str]] = field(default_factory=dict)  # role → the URLs it visited, in order
    server_errors: list[str] = field(default_factory=list)  # "role GET url → status"


def crawl(users: dict[str, object]) -> Crawl:
    """The distinct forms on the pages each user reaches, how many pages each role visited, and the pages
    that answered with a server error."""
    found = Crawl()
    forms = found.forms
    for role, user in users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        seen_names: dict[str, int] = {}
        queue, pages, done = deque(["/"]), 0, set()
        while queue and pages < MAX_PAGES:
            url = queue.popleft()
            name = _url_name(url)
            if name is None or seen_names.get(name, 0) >= PER_NAME or name.split(":")[0] in SKIP_NAMES:
                continue
            if name in SKIP_NAMES or urlsplit(url).path in done:
                continue
            seen_names[name] = seen_names.get(name, 0) + 1
            done.add(urlsplit(url).path)  # one query string per page: ?area=1 shows the same form
            response = client.get(url)
            pages += 1
            found.pages.setdefault(role, []).append(url)
            if response.status_code >= 500:
                found.server_errors.append(f"{role} GET {url} → {response.status_code}")
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = _Page()
            parser.feed(response.content.decode())
            for href in parser.links:
                target = urljoin(url, href)
                parts = urlsplit(target)
                if parts.netloc or not parts.path.startswith("/") or parts.path.endswith(SKIP_SUFFIXES):
                    continue
                if parts.path.startswith(("/api/", "/admin/", "/static/")):
                    continue
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
            for raw in parser.forms:
                form = _form_of(raw, url, role)
                if form.method in ("get", "post") and _url_name(form.action) not in SKIP_NAMES:
                    kept = forms.setdefault(form.key, [])
                    if len(kept) < CANDIDATES and all(f.role != form.role for f in kept):
                        kept.append(form)
        found.visited[role] = pages
    return found
