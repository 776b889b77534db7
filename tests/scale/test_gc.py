"""National pages are built with the cyclic garbage collector paused (pcndev.ops.scale_gc)."""

import gc

import pytest
from django.urls import resolve

from pcndev.ops.scale_gc import gc_paused


def test_the_collector_is_paused_while_the_view_runs_and_resumed_after():
    seen = []

    @gc_paused
    def view(request):
        seen.append(gc.isenabled())
        return "done"

    assert gc.isenabled()
    assert view(None) == "done" and seen == [False] and gc.isenabled()


def test_it_resumes_after_an_error_and_leaves_an_outer_pause_alone():
    @gc_paused
    def broken(request):
        raise ValueError("refused")

    with pytest.raises(ValueError):
        broken(None)
    assert gc.isenabled()
    gc.disable()
    try:
        with pytest.raises(ValueError):
            broken(None)
        assert not gc.isenabled()  # whoever paused it resumes it
    finally:
        gc.enable()


@pytest.mark.parametrize("url", ["/self-assessment/rounds/1/heatmap/", "/plans/programmes/1/"])
def test_the_pages_listing_every_pcn_are_paused(url):
    view = resolve(url).func
    assert view.__code__ is gc_paused(lambda r: r).__code__  # the pausing wrapper, around the page's view
