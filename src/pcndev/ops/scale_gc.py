"""Pages that list every PCN in the country: Python's cyclic garbage collector paused while one is built.

A national page holds every PCN's row (model instances, dicts, lists) until it is rendered. Each time enough
new objects survive, the collector runs a full collection that visits every object in the process, and the
number of those collections grows with the page's size: found by bench/scaling.py, the heatmap and the plan
list cost about six times as much CPU for four times the PCNs, all of it in full collections (about three
times with them paused). Nothing a page builds needs the collector: its objects are freed by reference
counting when the view returns, and the rare cycle (an exception's traceback) waits for the next collection,
as in the NHS importer.

`gc_paused(view)` pauses collection for the view's duration and resumes it afterwards, unless it was already
paused (a nested or concurrent paused view leaves resuming to the one that paused it).
"""

import functools
import gc


def gc_paused(view):
    @functools.wraps(view)
    def paused(*args, **kwargs):
        if not gc.isenabled():
            return view(*args, **kwargs)
        gc.disable()
        try:
            return view(*args, **kwargs)
        finally:
            gc.enable()

    return paused
