"""Charts: every chart's Vega-Lite spec is valid (rendering skips the schema check), the SVG is one labelled
image, and a chart is rendered once and then reused from the shared cache (by any worker)."""

from unittest import mock

import jsonschema
import pytest
from django.core.cache import cache

from pcndev import charts
from pcndev.dashboards import charts as dashboard_charts

LABELS = ("Draft", "Submitted", "Agreed")


def _bars(values=(1, 2, 3)):
    return dashboard_charts.bars_chart(LABELS, values, tuple(map(str, values)), ("#005eb8",) * 3, "PCNs")


def _current_and_target():
    return charts.current_and_target_chart(
        ["Leadership", "Data"], [1.5, None], [2.0, 3.0], ["Foundation", "Developing", "Maturing", "Thriving"]
    )


@pytest.mark.parametrize("build", [_bars, _current_and_target])
def test_every_chart_spec_is_valid_vega_lite(build):
    build().to_dict(validate=True)  # raises on a spec the schema refuses


def test_an_invalid_spec_is_caught_by_that_check():
    with pytest.raises(jsonschema.ValidationError, match="'wide' is not of type 'number'"):
        _bars().properties(width="wide").to_dict(validate=True)


@pytest.mark.django_db
def test_a_chart_is_rendered_once_then_reused_from_the_shared_cache():
    cache.clear()
    real = charts.vl_convert.vega_to_svg
    with mock.patch.object(charts.vl_convert, "vega_to_svg", side_effect=real) as rendered:
        first = charts.render(_bars(), "Bar chart: plans by state")
        assert first.startswith('<svg role="img" aria-label="Bar chart: plans by state" focusable="false" ')
        assert 'role="graphics-symbol"' not in first and "aria-roledescription" not in first
        assert charts.render(_bars(), "Bar chart: plans by state") == first
        assert rendered.call_count == 1
        other_values = charts.render(_bars((3, 2, 1)), "Bar chart: plans by state")
        other_title = charts.render(_bars(), "Bar chart: something else")
        assert rendered.call_count == 3 and len({first, other_values, other_title}) == 3
        cache.clear()  # a new cache (or an expired entry) renders again
        assert charts.render(_bars(), "Bar chart: plans by state") == first
        assert rendered.call_count == 4
