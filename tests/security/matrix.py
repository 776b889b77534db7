"""Running one rule: every variant of its object × every role holder (and an anonymous visitor) × its action,
each request rolled back, each response checked against `access.expected` and scanned for leaks."""

import copy
import io
import json
import os
from dataclasses import dataclass, field
from urllib.parse import urlencode

import docx
import openpyxl
import pypdf
from django.db import transaction
from django.urls import reverse

from tests.security.access import expected
from tests.security.kinds import KINDS
from tests.security.world import ANONYMOUS

TEXT_TYPES = ("text/html", "application/json", "text/csv", "application/yaml")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml"
LOGIN = "/account/sign-in/"
TRACE = os.environ.get("PCNDEV_SECURITY_TRACE")  # a file to append every request and its status to (TSV)


@dataclass
class Outcome:
    requests: int = 0
    failures: list = field(default_factory=list)

    def fail(self, line: str) -> None:
        self.failures.append(line)


def foreign_tokens(world, holder, system_places: bool = False) -> list[str]:
    """Names (and long codes) of the organisations unrelated to the holder: none may appear in what it is shown.

    A practice member's sibling practices are its PCN's (shown on the PCN's self-assessment), so practices count
    only through their PCN."""
    if holder.national:
        return []
    tree = world.tree
    nodes = [("region", n) for n in tree.regions] + [("system", n) for n in tree.systems]
    nodes += [("place", n) for n in tree.places] + [("pcn", n) for n in tree.pcns]
    nodes += [("place", world.o[("defined", v)]) for v in ("own", "other_region")]
    out = []
    for level, node in nodes:
        lineage = world.lineage(level, node.code)
        if (holder.level, holder.code) in lineage or (level, node.code) in holder.lineage:
            continue
        if system_places and level == "place" and any(x[0] == "system" for x in lineage & holder.lineage):
            continue
        out.append(node.name)
        if len(node.code) >= 6:
            out.append(node.code)
    return out


def _text(response) -> str | None:
    """The response as text: pages, JSON and CSV as they are; XLSX, DOCX and PDF downloads read back."""
    kind = response.get("Content-Type", "")
    if kind.startswith(TEXT_TYPES):
        return response.content.decode("utf-8", "replace")
    if response.status_code != 200:
        return None
    data = io.BytesIO(response.content)
    if kind.startswith(XLSX):
        book = openpyxl.load_workbook(data, read_only=True)
        return "\n".join(str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row)
    if kind.startswith(DOCX):
        doc = docx.Document(data)
        cells = (c.text for t in doc.tables for r in t.rows for c in r.cells)
        return "\n".join([p.text for p in doc.paragraphs] + list(cells))
    if kind.startswith("application/pdf"):
        return "\n".join(page.extract_text() for page in pypdf.PdfReader(data).pages)
    return None


def send(client, method: str, url: str, body, api: bool, headers=None):
    """One request, rolled back afterwards (the world stays as built), with the client's cookies put back."""
    saved = copy.deepcopy(client.cookies)  # a sign-out or a new message must not follow the client around
    headers = headers or {}
    with transaction.atomic():
        if method == "GET":
            response = client.get(url, headers=headers)
        elif api:
            data = json.dumps(body if body is not None else {})
            response = client.generic(method, url, data, content_type="application/json", headers=headers)
        else:
            response = client.post(url, body or {}, headers=headers)
        transaction.set_rollback(True)
    client.cookies = saved
    return response


def requests_for(rule, action: str, url: str, method: str) -> list[tuple[str, str]]:
    query = urlencode(rule.query)
    join = "&" if "?" in url else "?"
    url = f"{url}{join}{query}" if query else url
    if action == "export" and rule.export:
        join = "&" if "?" in url else "?"
        return [("GET", f"{url}{join}format={fmt}") for fmt in rule.export]
    if method:
        return [(method, url)]
    return [("GET" if action in ("view", "export") else "POST", url)]


def check(world, clients, name: str, rule, action: str, url_for, method: str | None, api: bool) -> Outcome:
    """Run one rule's action for every variant and holder; url_for(params) builds the URL."""
    kind, outcome = KINDS[rule.kind], Outcome()
    for variant in kind.variants():
        params = kind.params(world, variant)
        target = kind.target(world, variant)
        body = rule.body(world, variant) if rule.body else None
        for verb, url in requests_for(rule, action, url_for(params), method):
            for key, client in clients.items():
                if key == ANONYMOUS and variant != kind.variants()[0]:
                    continue  # signed out, every variant is the same: once is enough
                holder = world.holders[key]
                want = expected(rule, action, holder, target, api)
                response = send(client, verb, url, body, api)
                outcome.requests += 1
                where = f"{name} [{action}] {key} → {variant} {verb} {url}"
                status = response.status_code
                if TRACE:
                    with open(TRACE, "a") as f:
                        f.write(f"{name}\t{action}\t{key}\t{variant}\t{verb}\t{status}\t{sorted(want)}\n")
                if status not in want:
                    detail = getattr(response, "exc_info", None) or _text(response) or ""
                    outcome.fail(f"{where}: got {status}, want {sorted(want)} {str(detail)[:300]!r}")
                    continue
                _inspect(world, outcome, where, holder, target, response, api, rule)
    return outcome


def _inspect(world, outcome, where, holder, target, response, api, rule) -> None:
    status, text = response.status_code, _text(response)
    if key_is_anonymous(holder) and not api and status == 302 and not rule.public:
        if not response["Location"].startswith(LOGIN):
            outcome.fail(f"{where}: anonymous sent to {response['Location']}, not to sign in")
        return
    if text is None or key_is_anonymous(holder):
        return
    if status == 404 and target is not None:
        for hint in (target.name, target.code):
            if len(hint) >= 6 and hint in text:  # (a two-letter code turns up in random tokens)
                outcome.fail(f"{where}: the 404 names {hint!r}")
    if status == 403 and api:
        detail = json.loads(text).get("detail", "") if text.startswith("{") else ""
        if not detail:
            outcome.fail(f"{where}: a 403 without a reason")
    if 200 <= status < 300 or status in (400, 403, 409, 422):  # what it is shown, refusals and problems too
        for token in foreign_tokens(world, holder, rule.shows_system_places):
            if token in text:
                outcome.fail(f"{where}: LEAK of {token!r}")
                break


def key_is_anonymous(holder) -> bool:
    return holder.key == ANONYMOUS


def ui_url(page, params: dict) -> str:
    return reverse(page.name, kwargs={k: params[k] for k in page.params})


def api_url(operation, params: dict) -> str:
    return operation.path.format(**{k: params[k] for k in operation.params})
