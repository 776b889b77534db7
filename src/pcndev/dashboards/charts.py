"""The dashboard's charts: horizontal bars with each value written beside its bar, rendered to SVG on the server
through pcndev.charts (altair and vl-convert, one labelled image each). Every chart sits beside its table.

A chart depends only on its labels and values, so the same figures give the same SVG: rendered ones are kept
(in the worker, and in the shared cache by pcndev.charts.render).
"""

from functools import lru_cache

import altair as alt

from pcndev.charts import NHS_BLUE, render
from pcndev.config.formatting import format_pence
from pcndev.dashboards import figures as fg

RAG_COLOURS = {"green": "#007f3b", "amber": "#ffb81c", "red": "#d5281b", "": "#768692"}


@lru_cache(maxsize=512)
def _bars(labels: tuple, values: tuple, texts: tuple, colours: tuple, title: str, axis: str) -> str:
    return render(bars_chart(labels, values, texts, colours, axis), title)


def bars_chart(labels: tuple, values: tuple, texts: tuple, colours: tuple, axis: str) -> alt.TopLevelMixin:
    data = [
        {"label": label, "value": value, "text": text, "colour": colour}
        for label, value, text, colour in zip(labels, values, texts, colours, strict=True)
    ]
    base = alt.Chart(alt.Data(values=data)).encode(
        y=alt.Y("label:N", sort=list(labels), title=None, axis=alt.Axis(labelLimit=320)),
        x=alt.X("value:Q", title=axis, axis=alt.Axis(tickMinStep=1)),
    )
    bars = base.mark_bar().encode(color=alt.Color("colour:N", scale=None, legend=None))
    text = base.mark_text(align="left", dx=4, font="Arial", fontSize=12).encode(text="text:N")
    return (
        (bars + text)
        .properties(width=360, height=alt.Step(22), background="white")
        .configure_axis(labelFont="Arial", titleFont="Arial", labelFontSize=12)
        .configure_view(stroke=None)
    )


def bars(labels, values, title: str, axis: str, colours=None, texts=None) -> str:
    labels, values = tuple(labels), tuple(values)
    colours = tuple(colours or [NHS_BLUE] * len(labels))
    texts = tuple(texts or [f"{v:,}" for v in values])
    return _bars(labels, values, texts, colours, title, axis)


def plans_chart(total: fg.Tally) -> str:
    counts = total.plan_counts()
    return bars(
        [label for _, label, _ in counts],
        [n for *_, n in counts],
        "Bar chart: PCNs by the state of their latest plan version (the table below gives the figures)",
        "PCNs",
    )


def rag_chart(total: fg.Tally) -> str:
    counts = total.rag_counts()
    return bars(
        [label for _, label, _ in counts],
        [n for *_, n in counts],
        "Bar chart: initiatives by RAG rating in the latest submitted reviews (the table below gives the figures)",
        "Initiatives",
        colours=[RAG_COLOURS[key] for key, *_ in counts],
    )


def journey_chart(total: fg.Tally) -> str:
    return bars(
        fg.STEP_LABELS,
        total.steps,
        "Bar chart: PCNs at each current step of the journey (the table below gives the figures)",
        "PCNs",
    )


def money_chart(total: fg.Tally) -> str:
    m = total.money
    pairs = [
        ("Funds", m.funds),
        ("Committed", m.committed),
        ("Released", m.released),
        ("Spent", m.spent),
        ("Funds not spent", total.underspend),
    ]
    return bars(
        [label for label, _ in pairs],
        [round(p / 100) for _, p in pairs],
        "Bar chart: funds, committed, released, spent and not spent (the table below gives the figures)",
        "Pounds",
        texts=[format_pence(p) for _, p in pairs],
    )


def maturity_chart(change) -> str | None:
    areas = [a for a in (change.areas if change else []) if a.change is not None]
    if not areas:
        return None
    return bars(
        [a.title for a in areas],
        [a.change for a in areas],
        "Bar chart: mean change in stage since the baseline, by area (the table below gives the figures)",
        "Mean change in stage",
        texts=[f"{a.change:+.1f}" for a in areas],
    )


def all_charts(d) -> dict[str, str | None]:
    return {
        "plans": plans_chart(d.total),
        "rag": rag_chart(d.total),
        "journey": journey_chart(d.total),
        "money": money_chart(d.total),
        "maturity": maturity_chart(d.maturity),
    }
