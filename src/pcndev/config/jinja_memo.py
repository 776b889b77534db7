"""Remembered output for the nhsuk-frontend-jinja component macros.

Those macros turn their `params` into HTML and read nothing else (tests/test_jinja_memo.py checks this against
the installed package), yet they are the larger part of a page's CPU: a rating page calls the radios macro once
per question, and each call renders the label, hint, fieldset and attributes macros again for every option. So
each worker keeps the HTML for the parameters it has seen (up to MAX_ENTRIES calls per macro and MAX_BYTES in
all, then it starts afresh) and returns it when the same parameters come again. A call with a `caller` block, or with a value that is not plain
data (str, Markup, numbers, None, lists, dicts, undefined), is rendered as usual.

Jinja also evaluates an imported template once per render when the importing page has variables of its own
(it cannot know the import does not read them); these templates do not, so one module serves every page.
"""

import re
import threading

import jinja2
from markupsafe import Markup

MAX_ENTRIES = 4096
MAX_BYTES = 32 * 1024 * 1024  # per worker, every macro together
MAX_OUTPUT = 16 * 1024  # bigger HTML (a long table) is rarely asked for twice
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
        return ("dict", *((_freeze(key), _freeze(item)) for key, item in value.items()))
    if kind is list or kind is tuple:
        return ("list", *(_freeze(item) for item in value))
    if isinstance(value, jinja2.Undefined):
        return ("undefined",)
    raise NotPlainData


_lock = threading.Lock()
_everyone: list["RememberedMacro"] = []
_held = [0]  # characters of HTML held by every macro


def _forget_all() -> None:
    for remembered in _everyone:
        remembered.outputs.clear()
    _held[0] = 0


class RememberedMacro:
    def __init__(self, macro):
        self.macro = macro
        self.outputs: dict = {}
        with _lock:
            _everyone.append(self)

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
                with _lock:
                    if _held[0] + len(html) > MAX_BYTES:
                        _forget_all()
                    if len(self.outputs) >= MAX_ENTRIES:
                        _held[0] -= sum(map(len, self.outputs.values()))
                        self.outputs.clear()
                    self.outputs[key] = html
                    _held[0] += len(html)
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


# One per library file and environment, kept when Jinja's template cache drops the file and loads it again, so
# the macros (and the memory they hold) are never duplicated. The library's files do not change while it runs.
_modules: dict[tuple[int, str], RememberedModule] = {}


class Template(jinja2.Template):
    def _get_default_module(self, ctx=None):
        if self.name is None or not PURE_TEMPLATE.fullmatch(self.name):
            return super()._get_default_module(ctx)
        key = (id(self.environment), self.name)
        module = _modules.get(key)
        if module is None:
            module = _modules.setdefault(key, RememberedModule(super()._get_default_module(None)))
        return module
