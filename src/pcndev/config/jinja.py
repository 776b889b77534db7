"""Jinja2 environment: our templates first, then the nhsuk-frontend-jinja macros."""

import jinja2
from django.contrib import messages
from django.templatetags.static import static
from django.urls import reverse

from pcndev.config import jinja_memo
from pcndev.config.formatting import format_count, format_date, format_pence


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options) -> jinja2.Environment:
    options["loader"] = jinja2.ChoiceLoader(
        [options["loader"], jinja2.PackageLoader("nhsuk_frontend_jinja", "templates")]
    )
    options.update(undefined=jinja2.ChainableUndefined, trim_blocks=True, lstrip_blocks=True)
    env = jinja2.Environment(**options)
    env.template_class = jinja_memo.Template  # nhsuk component macros remembered: see jinja_memo
    env.globals.update(static=static, url=url, get_messages=messages.get_messages)
    env.filters.update(pence=format_pence, count=format_count, nhsdate=format_date)
    return env
