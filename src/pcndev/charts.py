"""Charts as SVG rendered on the server (Vega-Lite through altair and vl-convert): no script runs in the browser.

Every chart is paired with a table on the page; the SVG carries a title for assistive technology.
"""

import html
import re

import altair as alt
import vl_convert

NHS_BLUE, NHS_DARK_BLUE, NHS_GREY = "#005eb8", "#003087", "#768692"


def _accessible(svg: str, title: str) -> str:
    """One labelled image: the SVG's marks lose their roles and labels (ARIA forbids labels on role-less marks)."""
    label = html.escape(title, quote=True)
    svg = svg.replace('role="graphics-object"', "").replace('role="graphics-symbol"', "")
    svg = re.sub(r' aria-(?:roledescription|label)="[^"]*"', "", svg)
    return re.sub(r"^<svg ", f'<svg role="img" aria-label="{label}" focusable="false" ', svg, count=1)


def current_and_target(
    areas: list[str], current: list[float | None], target: list[float | None], stages: list[str], title: str
) -> str:
    """Horizontal bars: each area's current and target stage (mean of its elements)."""
    values = []
    for area, cur, tgt in zip(areas, current, target, strict=True):
        if cur is not None:
            values.append({"area": area, "measure": "Now", "score": cur})
        if tgt is not None:
            values.append({"area": area, "measure": "In a year", "score": tgt})
    top = len(stages) - 1
    chart = (
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
    return _accessible(vl_convert.vegalite_to_svg(chart.to_json()), title)
