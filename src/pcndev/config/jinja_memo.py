"""Remembered output for the nhsuk-frontend-jinja component macros.

Those macros turn their `params` into HTML and read nothing else (tests/test_jinja_memo.py checks this against
the installed package), yet they are the larger part of a page's CPU: a rating page calls the radios macro once
per question, and each call renders the label, hint, fieldset and attributes macros again for every option. So
each worker keeps the HTML for the parameters it has seen (up to MAX_ENTRIES calls, then it starts afresh) and
returns it when the same parameters come again. A call with a `caller` block, or with a value that is not plain
data (str, Markup, numbers, None, lists, dicts, undefined), is rendered as usual.

Jinja also evaluates an imported template once per render when the importing page has variables of its own
(it cannot know the import does not read them); these templates do not, so one module serves every page.
"""

import re
import threading

import jinja2
from markupsafe import Markup

MAX_ENTRIES = 4096
MAX_OUTPUT = 32 * 1024  # bigger HTML (a long table) is rarely asked for twice
PURE_TEMPLATE = re.compile(r"nhsuk/(components/[a-z-]+(/[a-z-]+)?/macro|macros/[a-z-]+)\.jinja")

_SCALARS = (int, float, bool, type(None))


class NotPlainData(Exception):
    pass


def _freeze(value):
    """A hashable key with the same meaning to the macro: types kept apart (Markup is not str, True is not 1),
    dict order kept (it is the order attributes come out in)."""
    kind = type(value)
    if kind is str:
        return value
    if kind is Markup:
        return ("html", str(value))
    if kind in _SCALARS:
        return (kind.__name__, value)
    if kind is dict:
        return ("dict", *((key, _freeze(item)) for key, item in value.items()))
    if kind is list or kind is tuple:
        return ("list", *(_freeze(item) for item in value))
    if isinstance(value, jinja2.Undefined):
        return ("undefined",)
    raise NotPlainData


class RememberedMacro:
    def __init__(self, macro):
        self.macro = macro
        self.outputs: dict = {}
        self.lock = threading.Lock()

    def __call__(self, *args, **kwargs):
        if "caller" in kwargs:
            return self.macro(*args, **kwargs)
        try:
            key = (_freeze(list(args)), _freeze(kwargs))
        except NotPlainData:
            return self.macro(*args, **kwargs)
        html = self.outputs.get(key)
        if html is None:
            html = self.macro(*args, **kwargs)
            if len(html) <= MAX_OUTPUT:
                with self.lock:
                    if len(self.outputs) >= MAX_ENTRIES:
                        self.outputs.clear()
                    self.outputs[key] = html
        return html


class RememberedModule:
    """An imported nhsuk macro file: its macros, remembered."""

    def __init__(self, module):
        self._module = module
        self._macros: dict[str, RememberedMacro] = {}

    def __getattr__(self, name):
        value = getattr(self._module, name)
        if not isinstance(value, jinja2.runtime.Macro):
            return value
        if name not in self._macros:
            self._macros[name] = RememberedMacro(value)
        return self._macros[name]


class Template(jinja2.Template):
    _remembered = None

    def _get_default_module(self, ctx=None):
        if self.name is None or not PURE_TEMPLATE.fullmatch(self.name):
            return super()._get_default_module(ctx)
        if self._remembered is None:
            self._remembered = RememberedModule(super()._get_default_module(None))
        return self._remembered
