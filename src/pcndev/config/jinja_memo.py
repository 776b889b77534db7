"""Remembered output for the nhsuk-frontend-jinja component macros.

Those macros turn their `params` into HTML and read nothing else (tests/test_jinja_memo.py checks this against
the installed package), yet they are the larger part of a page's CPU: a rating page calls the radios macro once
per question, and each call renders the label, hint, fieldset and attributes macros again for every option. So
each worker keeps the HTML for the parameters it has seen and returns it when the same parameters come again:
up to MAX_ENTRIES calls per macro and MAX_CHARACTERS of HTML and keys in all (about 4 bytes of memory each),
then it starts afresh. A call with a `caller` block, with autoescaping off, or with a value that is not plain
data (str, Markup, numbers, None, lists, tuples, dicts, undefined), is rendered as usual.

The library's files are read once per process: an edit to one shows after a restart, even with auto-reload on.
"""

import re
import threading

import jinja2
from jinja2.nodes import EvalContext
from markupsafe import Markup

MAX_ENTRIES = 4096
MAX_CHARACTERS = 8 * 1024 * 1024  # per worker, every macro together: about 32 MB
MAX_OUTPUT = 16 * 1024  # bigger HTML (a long table) is rarely asked for twice
PURE_TEMPLATE = re.compile(r"nhsuk/(components/[a-z-]+(/[a-z-]+)?/macro|macros/[a-z-]+)\.jinja")


class NotPlainData(Exception):
    pass


def _freeze(value, size: list[int]):
    """A hashable key with the same meaning to the macro: types kept apart (Markup is not str, True is not 1,
    a tuple is not a list, -0.0 is not 0.0), dict order kept (it is the order attributes come out in).
    Adds the characters of its strings to size[0]."""
    kind = type(value)
    if kind is str:
        size[0] += len(value)
        return value
    if kind is Markup:
        size[0] += len(value)
        return ("html", str(value))
    if kind is int or kind is bool or value is None:
        return (kind.__name__, value)
    if kind is float:
        return ("float", repr(value))
    if kind is dict:
        return ("dict", *((_freeze(k, size), _freeze(v, size)) for k, v in value.items()))
    if kind is list or kind is tuple:
        return (kind.__name__, *(_freeze(item, size) for item in value))
    if isinstance(value, jinja2.Undefined):
        return ("undefined", kind)
    raise NotPlainData


_lock = threading.Lock()
_everyone: list["RememberedMacro"] = []
_held = [0]  # characters of HTML and keys held by every macro


def _forget_all() -> None:
    for remembered in _everyone:
        remembered.outputs.clear()
    _held[0] = 0


class RememberedMacro:
    def __init__(self, macro):
        self.macro = macro
        self.outputs: dict = {}  # key -> (HTML, characters counted)
        with _lock:
            _everyone.append(self)

    @jinja2.pass_eval_context  # as jinja2's Macro: a template passes its evaluation context first
    def __call__(self, *args, **kwargs):
        params = args[1:] if args and isinstance(args[0], EvalContext) else args
        if "caller" in kwargs or (params is not args and not args[0].autoescape):
            return self.macro(*args, **kwargs)
        size = [0]
        try:
            key = (_freeze(list(params), size), _freeze(kwargs, size))
        except NotPlainData:
            return self.macro(*args, **kwargs)
        held = self.outputs.get(key)
        if held is not None:
            return held[0]
        html = self.macro(*args, **kwargs)
        counted = len(html) + size[0]
        if len(html) <= MAX_OUTPUT:
            with _lock:
                if key not in self.outputs:  # another thread may have rendered it meanwhile
                    if _held[0] + counted > MAX_CHARACTERS:
                        _forget_all()
                    if len(self.outputs) >= MAX_ENTRIES:
                        _held[0] -= sum(n for _, n in self.outputs.values())
                        self.outputs.clear()
                    self.outputs[key] = (html, counted)
                    _held[0] += counted
        return html


class RememberedModule:
    """An imported nhsuk macro file: its macros, remembered."""

    def __init__(self, module):
        self._module = module
        self._macros: dict[str, RememberedMacro] = {}
        self._lock = threading.Lock()

    def __getattr__(self, name):
        value = getattr(self._module, name)
        if not isinstance(value, jinja2.runtime.Macro):
            return value
        with self._lock:
            if name not in self._macros:
                self._macros[name] = RememberedMacro(value)
            return self._macros[name]


# One per library file and environment, kept when Jinja's template cache drops the file and loads it again, so
# the macros (and the memory they hold) are never duplicated.
_modules: dict[tuple[int, str], RememberedModule] = {}


class Template(jinja2.Template):
    def _get_default_module(self, ctx=None):
        if self.name is None or not PURE_TEMPLATE.fullmatch(self.name):
            return super()._get_default_module(ctx)
        key = (id(self.environment), self.name)
        module = _modules.get(key)
        if module is None:  # made outside any lock: making it imports the library's other files
            module = _modules.setdefault(key, RememberedModule(super()._get_default_module(None)))
        return module
