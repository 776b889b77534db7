"""Remembered nhsuk macros (config/jinja_memo.py): the macros read nothing but their parameters, a remembered
call gives the same HTML as a fresh one, and no page of the site changes because of it."""

import re
from contextlib import contextmanager
from pathlib import Path

import jinja2
import jinja2.meta
import jinja2.nodes
import nhsuk_frontend_jinja
import pytest
from django.db import transaction
from django.template import engines
from django.test import Client
from markupsafe import Markup

from pcndev.accounts.models import Role
from pcndev.config import jinja_memo
from tests.faults.crawl import crawl
from tests.fuzz.world import build_world

LIBRARY = Path(nhsuk_frontend_jinja.__file__).parent / "templates"
# Names a component reads that it does not set: its macro's own arguments, and one slip in the library (the
# select template writes `classes:` for `"classes":`, so that key is always undefined, remembered or not).
READS = {"params", "caller", "parent", "undefined"}
LIBRARY_SLIPS = {"nhsuk/components/select/template.jinja": {"classes"}}


def _library_templates():
    for path in sorted(LIBRARY.rglob("*.jinja")):
        name = str(path.relative_to(LIBRARY))
        if name.startswith(("nhsuk/components/", "nhsuk/macros/")):
            yield name, path


def test_the_remembered_templates_are_the_librarys_macro_files():
    remembered = {n for n, _ in _library_templates() if jinja_memo.PURE_TEMPLATE.fullmatch(n)}
    assert "nhsuk/components/radios/macro.jinja" in remembered
    assert "nhsuk/components/summary-list/row/macro.jinja" in remembered
    assert "nhsuk/macros/attributes.jinja" in remembered
    assert all(n.endswith("macro.jinja") or n.startswith("nhsuk/macros/") for n in remembered)
    assert not jinja_memo.PURE_TEMPLATE.fullmatch("nhsuk/template.jinja")
    assert not jinja_memo.PURE_TEMPLATE.fullmatch("layout.jinja")


@pytest.mark.parametrize("name,path", list(_library_templates()), ids=lambda v: str(v))
def test_each_component_reads_only_its_parameters(name, path):
    """If an upgrade made a component read a page's variables, remembering it by its parameters would be
    wrong: this fails first."""
    ast = jinja2.Environment().parse(path.read_text())
    stored = {n.name for n in ast.find_all(jinja2.nodes.Name) if n.ctx in ("store", "param")}
    reads = jinja2.meta.find_undeclared_variables(ast) - stored
    assert reads <= READS | LIBRARY_SLIPS.get(name, set()), f"{name} reads {sorted(reads - READS)}"


def _environment():
    env = engines["jinja2"].env
    assert env.template_class is jinja_memo.Template
    return env


def test_a_remembered_call_gives_the_same_html_and_keeps_types_apart():
    env = _environment()
    page = env.from_string(
        '{% from "nhsuk/components/button/macro.jinja" import button %}{{ button({"text": label}) }}'
    )
    text, html = "Save <draft>", Markup("Save <b>draft</b>")
    assert page.render(label=text) == page.render(label=text)
    assert "Save &lt;draft&gt;" in page.render(label=text)
    # a str and Markup with the same characters are different parameters
    assert "Save &lt;b&gt;draft&lt;/b&gt;" in page.render(label=str(html))
    remembered = env.get_template("nhsuk/components/button/macro.jinja")._get_default_module(None).button
    first = remembered({"text": "Continue", "preventDoubleClick": True})
    assert remembered({"text": "Continue", "preventDoubleClick": True}) is first  # from memory
    assert remembered({"text": "Continue", "preventDoubleClick": 1}) is not first  # True is not 1
    assert remembered({"text": "Continue"}) != first
    # nor is a Markup key a str key, though they compare equal
    attributes = env.get_template("nhsuk/macros/attributes.jinja")._get_default_module(None).nhsukAttributes
    as_text = attributes({'data-x"y': "1"})
    assert attributes({Markup('data-x"y'): "1"}) is not as_text
    assert attributes({'data-x"y': "1"}) is as_text


def test_a_file_loaded_again_keeps_its_remembered_macros():
    env = _environment()
    before = len(jinja_memo._everyone)
    first = env.get_template("nhsuk/components/tag/macro.jinja")._get_default_module(None).tag
    env.cache.clear()
    again = env.get_template("nhsuk/components/tag/macro.jinja")._get_default_module(None).tag
    assert again is first
    assert len(jinja_memo._everyone) <= before + 1


def test_a_call_with_a_caller_or_unusual_values_is_rendered_each_time():
    env = _environment()
    macro = env.get_template("nhsuk/components/inset-text/macro.jinja")._get_default_module(None).insetText
    before = len(macro.outputs)
    page = env.from_string(
        '{% from "nhsuk/components/inset-text/macro.jinja" import insetText %}'
        "{% call insetText({}) %}Inside {{ n }}{% endcall %}"
    )
    assert "Inside 1" in page.render(n=1) and "Inside 2" in page.render(n=2)
    assert len(macro.outputs) == before

    class Lazy:
        def __str__(self):
            return "lazy text"

    assert "lazy text" in macro({"text": Lazy()})
    assert len(macro.outputs) == before


def _tag():
    return _environment().get_template("nhsuk/components/tag/macro.jinja")._get_default_module(None).tag


def test_memory_is_bounded_per_macro(monkeypatch):
    monkeypatch.setattr(jinja_memo, "MAX_ENTRIES", 3)
    macro = _tag()
    for n in range(10):
        assert f">{n}<" in macro({"text": str(n)}).replace(" ", "").replace("\n", "")
        assert len(macro.outputs) <= 3
    assert jinja_memo._held[0] == sum(len(h) for m in jinja_memo._everyone for h in m.outputs.values())


def test_memory_is_bounded_in_all(monkeypatch):
    macro = _tag()
    one = len(macro({"text": "sizing"}))
    monkeypatch.setattr(jinja_memo, "MAX_BYTES", 4 * one)
    for n in range(20):
        macro({"text": f"tag {n:04}"})
        assert jinja_memo._held[0] <= 4 * one
    assert 1 <= len(macro.outputs) <= 4
    assert jinja_memo._held[0] == sum(len(h) for m in jinja_memo._everyone for h in m.outputs.values())
    big = "x" * (jinja_memo.MAX_OUTPUT + 1)
    assert big in macro({"text": big}) and not any(big in h for h in macro.outputs.values())


# --- no page changes -------------------------------------------------------------------------------------------

VARYING = [
    (re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"'), b'name="csrfmiddlewaretoken" value="-"'),
    (re.compile(rb'nonce="[^"]+"'), b'nonce="-"'),
]
PER_ROLE = 40  # pages compared per role: each of the first pages of a kind the crawl reached


def _normal(content: bytes) -> bytes:
    for pattern, replacement in VARYING:
        content = pattern.sub(replacement, content)
    return content


@contextmanager
def _plain_templates():
    env = _environment()
    env.template_class = jinja2.Template
    env.cache.clear()
    try:
        yield
    finally:
        env.template_class = jinja_memo.Template
        env.cache.clear()


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        users = build_world().users()
        chosen = {
            r: users[r] for r in (Role.PCN_CD, Role.PRACTICE_MEMBER, Role.PLACE_LEAD, Role.NATIONAL_ADMIN)
        }
        yield chosen, crawl(chosen)
        transaction.set_rollback(True)


def _answers(users, found) -> dict:
    """Each compared request's normalised HTML: the pages, and each form sent back empty (its errors)."""
    out = {}
    for role, user in users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for url in found.pages.get(role, [])[:PER_ROLE]:
            response = client.get(url)
            out[(role, "GET", url)] = (response.status_code, _normal(response.content))
    for candidates in found.forms.values():
        form = candidates[0]
        if form.method != "post":
            continue
        client = Client(raise_request_exception=False)
        client.force_login(users[form.role])
        data = {**form.fields, **dict.fromkeys(form.editable(), "")}
        with transaction.atomic():
            response = client.post(form.action, data)
            transaction.set_rollback(True)
        out[(form.role, "POST", form.action)] = (response.status_code, _normal(response.content))
    return out


def test_no_page_or_error_page_changes_when_macros_are_remembered(site, db):
    users, found = site
    remembered = _answers(users, found)
    again = _answers(users, found)  # now mostly from memory
    with _plain_templates():
        plain = _answers(users, found)
    assert len(plain) > 60
    assert sum(1 for status, _ in plain.values() if status == 400) >= 5  # error pages are compared too
    for key, answer in plain.items():
        assert remembered[key] == answer, f"{key} differs when remembered"
        assert again[key] == answer, f"{key} differs from memory"
