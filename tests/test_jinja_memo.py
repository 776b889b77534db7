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


def _module(name):
    return _environment().get_template(f"nhsuk/{name}")._get_default_module(None)


def test_a_remembered_call_gives_the_same_html_and_keeps_types_apart():
    env = _environment()
    page = env.from_string(
        '{% from "nhsuk/components/button/macro.jinja" import button %}{{ button({"text": label}) }}'
    )
    html = Markup("Save <b>draft</b>")
    assert "Save <b>draft</b>" in page.render(label=html)  # remembered first as HTML…
    assert "Save &lt;b&gt;draft&lt;/b&gt;" in page.render(label=str(html))  # …the same characters as text
    assert "Save <b>draft</b>" in page.render(label=html)
    button = _module("components/button/macro.jinja").button
    first = button({"text": "Continue", "preventDoubleClick": True})
    assert button({"text": "Continue", "preventDoubleClick": True}) is first  # from memory
    assert button({"text": "Continue", "preventDoubleClick": 1}) is not first  # True is not 1
    assert button({"text": "Continue"}) != first
    attributes = _module("macros/attributes.jinja").nhsukAttributes
    as_text = attributes({'data-x"y': "1"})
    assert attributes({Markup('data-x"y'): "1"}) is not as_text  # nor a Markup key a str key
    assert attributes({'data-x"y': "1"}) is as_text
    for a, b in ((-0.0, 0.0), (1, 1.0), (["a"], ("a",))):
        one, other = attributes({"data-v": a}), attributes({"data-v": b})
        assert one == attributes.macro({"data-v": a}) and other == attributes.macro({"data-v": b})


def test_undefined_values_of_another_kind_are_not_taken_for_each_other():
    tag = _module("components/tag/macro.jinja").tag
    assert tag({"text": jinja2.ChainableUndefined()}) == tag.macro({"text": jinja2.ChainableUndefined()})
    with pytest.raises(jinja2.UndefinedError):
        str(tag({"text": jinja2.StrictUndefined(name="missing")}))


def test_with_autoescaping_off_a_macro_is_rendered_as_jinja_would():
    page = _environment().from_string(
        '{% from "nhsuk/components/tag/macro.jinja" import tag %}'
        '{{ tag({"text": "x"}) }}{% autoescape false %}|{{ tag({"text": "x"}) | e }}{% endautoescape %}'
    )
    on, off = page.render().split("|")
    assert "<strong" in on and "&lt;strong" in off


def test_threads_rendering_the_same_calls_count_each_once():
    import threading

    radios = _module("components/radios/macro.jinja").radios
    calls = [
        {"name": f"q{n}", "items": [{"value": v, "text": f"Stage {v}"} for v in range(4)]} for n in range(40)
    ]
    threads = [threading.Thread(target=lambda: [radios(c) for c in calls]) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert jinja_memo._held[0] == sum(n for m in jinja_memo._everyone for _, n in m.outputs.values())


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
    macro = _module("components/inset-text/macro.jinja").insetText
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
    return _module("components/tag/macro.jinja").tag


def test_memory_is_bounded_per_macro(monkeypatch):
    monkeypatch.setattr(jinja_memo, "MAX_ENTRIES", 3)
    macro = _tag()
    for n in range(10):
        assert f">{n}<" in macro({"text": str(n)}).replace(" ", "").replace("\n", "")
        assert len(macro.outputs) <= 3
    assert jinja_memo._held[0] == sum(n for m in jinja_memo._everyone for _, n in m.outputs.values())


def test_memory_is_bounded_in_all(monkeypatch):
    macro = _tag()
    one = len(macro({"text": "sizing"}))
    monkeypatch.setattr(jinja_memo, "MAX_CHARACTERS", 5 * one)
    for n in range(20):
        macro({"text": f"tag {n:04}"})
        assert jinja_memo._held[0] <= 5 * one
    assert 1 <= len(macro.outputs) <= 4
    assert jinja_memo._held[0] == sum(n for m in jinja_memo._everyone for _, n in m.outputs.values())
    big = "x" * (jinja_memo.MAX_OUTPUT + 1)
    assert big in macro({"text": big}) and not any(big in h for h, _ in macro.outputs.values())


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
    anonymous = Client(raise_request_exception=False)
    for url in ("/", "/account/sign-in/"):
        response = anonymous.get(url)
        out[("anonymous", "GET", url)] = (response.status_code, _normal(response.content))
    response = anonymous.post("/account/sign-in/", {"username": "", "password": ""})
    out[("anonymous", "POST", "/account/sign-in/")] = (response.status_code, _normal(response.content))
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


def test_the_sign_out_forms_token_is_new_on_every_page(site, db):
    users, _ = site
    client = Client()
    client.force_login(users[Role.PRACTICE_MEMBER])
    pattern = re.compile(
        rb'nhsuk-header__account-form"><input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"'
    )
    tokens = [pattern.search(client.get("/account/my-organisations/").content) for _ in range(3)]
    assert all(tokens) and len({t.group(1) for t in tokens}) == 3
    assert b"sign-out form" not in client.get("/account/my-organisations/").content  # no slot left behind
