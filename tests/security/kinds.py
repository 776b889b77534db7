"""Object kinds: for each variant of an object (own, same place, other place, other region), the URL parameters
that name it and the org node it belongs to. A rule names its kind; the matrix asks the kind for the cases."""

from collections.abc import Callable
from dataclasses import dataclass

from pcndev.delivery import timetable as tt
from tests.delivery.review_builders import NOV, OCT
from tests.security.access import Target
from tests.security.world import LEVEL_VARIANTS, World


@dataclass(frozen=True)
class Kind:
    level: str | None  # the level whose variants the kind has; None: one object of no organisation
    params: Callable  # (world, variant) -> URL parameters
    node: Callable | None = None  # (world, variant) -> (level, org node) when not the variant's node itself

    def variants(self) -> tuple:
        return ("-",) if self.level is None else LEVEL_VARIANTS[self.level]

    def target(self, w: World, variant: str) -> Target | None:
        if self.level is None:
            return None
        level, node = self.node(w, variant) if self.node else (self.level, w.nodes[(self.level, variant)])
        return Target(level, node.code, node.name, w.lineage(level, node.code))


def _p19(w, v):
    return w.programmes[2019].pk


def _node(level):
    return lambda w, v: w.nodes[(level, v)].code


def _pv(v):
    """The place variant a PCN variant's place is (a PCN in the same place shares the own place)."""
    return "own" if v == "same_place" else v


def _with(base: Callable, **extra) -> Callable:
    def params(w, v):
        out = dict(base(w, v))
        for key, value in extra.items():
            out[key] = value(w, v) if callable(value) else value
        return out

    return params


def _at(level, **extra) -> Callable:
    return _with(lambda w, v: {"code": _node(level)(w, v)}, **extra)


def _prog(at=None, programme=_p19, **extra) -> Callable:
    base = (lambda w, v: {"pk": programme(w, v)}) if at is None else _at(at, pk=programme)
    return _with(base, **extra)


def _obj(name: str, key: str = "pk", **extra) -> Callable:
    return _with(lambda w, v: {key: w.o[(name, v)].pk}, **extra)


KINDS = {
    "public": Kind(None, lambda w, v: {}),
    "global": Kind(None, lambda w, v: {}),
    "programme": Kind(None, _prog()),
    "programme_2020": Kind(None, _prog(programme=lambda w, v: w.programmes[2020].pk)),
    "run": Kind(None, lambda w, v: {"pk": _p19(w, v), "run_pk": w.run.pk}),
    # The API names a run by its own id (/runs/{pk}); the page by programme and run.
    "run_by_id": Kind(None, lambda w, v: {"pk": w.run.pk}),
    "template": Kind(None, lambda w, v: {"pk": w.template.pk}),
    "unused_element": Kind(
        None,
        lambda w, v: {"pk": w.unused_template.pk, "code": w.unused_template.elements.order_by("pk")[0].code},
    ),
    "open_round": Kind(None, lambda w, v: {"pk": w.open_round.pk}),
    "region": Kind("region", _at("region")),
    "system": Kind("system", _at("system")),
    "place": Kind("place", _at("place")),
    "pcn": Kind("pcn", _at("pcn")),
    "practice": Kind("practice", _at("practice")),
    "defined_place": Kind(
        "system",
        _at("system", place_code=lambda w, v: w.o[("defined", v)].code),
        lambda w, v: ("place", w.o[("defined", v)]),
    ),
    "programme_system": Kind("system", _prog("system")),
    "programme_place": Kind("place", _prog("place")),
    "prepared_paper": Kind("place", _prog("place", kind="pdf")),
    "programme_pcn": Kind("pcn", _prog("pcn")),
    "programme_2020_pcn": Kind("pcn", _prog("pcn", programme=lambda w, v: w.programmes[2020].pk)),
    **{f"dashboard_{x}": Kind(x, _prog(x, level=x)) for x in ("region", "system", "place")},
    "top_up_place": Kind("place", _prog("place", level="place")),
    "timetable_place": Kind("place", _prog("place", level="place", kind=tt.SELF_ASSESSMENT)),
    "entry_new": Kind("pcn", _prog("pcn", kind="spend")),
    "entry_reverse": Kind("pcn", _prog("pcn", entry_pk=lambda w, v: w.o[("release_entry", v)].pk)),
    "review_due": Kind("pcn", _prog("pcn", due=NOV.isoformat())),
    "cd_plan_reviews": Kind("pcn", _obj("cd_plan", "plan_id", pk=_p19)),
    "cd_review_due": Kind("pcn", _obj("cd_plan", "plan_id", pk=_p19, due=OCT.isoformat())),
    "director_plan": Kind(
        "pcn",
        lambda w, v: {"pk": w.programmes[2020].pk, "director_id": w.o[("cd_plan", v)].director_id},
    ),
    # Rounds scoped to a place: the March re-assessment (with a baseline), and a round not yet re-assessed.
    "round": Kind("place", _obj("march")),
    "fresh_round": Kind("place", _obj("fresh")),
    "open_assessment": Kind("pcn", _at("pcn", pk=lambda w, v: w.open_round.pk)),
    "submitted_assessment": Kind("pcn", _at("pcn", pk=lambda w, v: w.o[("march", _pv(v))].pk)),
    "rater": Kind(
        "pcn",
        _at("pcn", pk=lambda w, v: w.open_round.pk, who=lambda w, v: w.o[("rater", v)].code),
        lambda w, v: ("practice", w.o[("rater", v)]),
    ),
    "cd_rater": Kind("pcn", _at("pcn", pk=lambda w, v: w.open_round.pk, who="cd")),
    # Plan versions: delivered (v1, in delivery), its draft revision (v2), 2020/21 submitted, 2021/22 approved.
    "version": Kind("pcn", _obj("delivered")),
    "revision": Kind("pcn", _obj("revision")),
    "submitted_version": Kind("pcn", _obj("submitted")),
    "approved_version": Kind("pcn", _obj("approved")),
    "initiative": Kind("pcn", _obj("revision", iid=lambda w, v: w.o[("initiative", v)].pk)),
    "override": Kind("pcn", _obj("initiative", "iid")),
    "action_submit": Kind("pcn", _obj("revision", action="submit")),
    "action_agree": Kind("pcn", _obj("submitted", action="agree")),
    "action_request_changes": Kind("pcn", _obj("submitted", action="request_changes")),
    "action_close": Kind("pcn", _obj("delivered", action="close")),
}
