"""Charts as SVG rendered on the server (Vega-Lite through altair and vl-convert): no script runs in the browser.

Every chart is paired with a table on the page; the SVG carries a title for assistive technology.
"""

import hashlib
import html
import re

import altair as alt
import vl_convert
from django.core.cache import cache

NHS_BLUE, NHS_DARK_BLUE, NHS_GREY = "#005eb8", "#003087", "#768692"
CACHE_SECONDS = 7 * 24 * 3600


def render(chart: alt.TopLevelMixin, title: str) -> str:
    """The chart as one labelled SVG image.

    The spec is not checked against the Vega-Lite schema here (about 13 ms a chart; the tests check every chart's
    spec). A chart depends only on its spec and title, so each SVG is kept in the shared cache: rendering one
    costs ~30 ms of CPU, and every server and worker can reuse it. Compiling to Vega first and rendering that is
    about twice as fast as vegalite_to_svg, with the same SVG."""
    spec = chart.to_json(validate=False, sort_keys=True)
    key = f"chart:{vl_convert.__version__}:" + hashlib.sha256(f"{spec}\0{title}".encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = _accessible(vl_convert.vega_to_svg(vl_convert.vegalite_to_vega(spec)), title)
        cache.set(key, svg, CACHE_SECONDS)
    return svg


def _accessible(svg: str, title: str) -> str:
    """One labelled image: the SVG's marks lose their roles and labels (ARIA forbids labels on role-less marks)."""
    label = html.escape(title, quote=True)
    svg = svg.replace('role="graphics-object"', "").replace('role="graphics-symbol"', "")
    svg = re.sub(r' aria-(?:roledescription|label)="[^"]*"', "", svg)
    return re.sub(r"^<svg ", f'<svg role="img" aria-label="{label}" focusable="false" ', svg, count=1)


def current_and_target(
    areas: list[str], current: list[float | None], target: list[float | None], stages: list[str], title: str
) -> str:
    return render(current_and_target_chart(areas, current, target, stages), title)


def current_and_target_chart(
    areas: list[str], current: list[float | None], target: list[float | None], stages: list[str]
) -> alt.TopLevelMixin:
    """Horizontal bars: each area's current and target stage (mean of its elements)."""
    values = []
    for area, cur, tgt in zip(areas, current, target, strict=True):
        if cur is not None:
            values.append({"area": area, "measure": "Now", "score": cur})
        if tgt is not None:
            values.append({"area": area, "measure": "In a year", "score": tgt})
    top = len(stages) - 1
    return (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            y=alt.Y("area:N", sort=areas, title=None, axis=alt.Axis(labelLimit=400)),
            yOffset=alt.YOffset("measure:N", sort=["Now", "In a year"]),
            x=alt.X(
                "score:Q",
                title="Stage (0 = " + stages[0] + f", {top} = " + stages[-1] + ")",
                scale=alt.Scale(domain=[0, top]),
                axis=alt.Axis(values=list(range(top + 1))),  # with tickCount too, Vega drops the middle ticks
            ),
            color=alt.Color(
                "measure:N",
                sort=["Now", "In a year"],
                scale=alt.Scale(range=[NHS_BLUE, NHS_GREY]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
        )
        .properties(width=420, height=alt.Step(14), background="white")
        .configure_axis(labelFont="Arial", titleFont="Arial", labelFontSize=12)
        .configure_legend(labelFont="Arial", labelFontSize=12)
    )
