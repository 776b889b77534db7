"""awaiting_for(user): the current plan versions where the workflow table has a step the user may take now, and
which steps, in the same few queries however many plans there are."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pcndev.accounts.models import Role, User
from pcndev.accounts.roles import grant_role
from pcndev.funding.programmes import create_programme
from pcndev.orgs.models import PayeeOrganisation
from pcndev.plans import workflow
from pcndev.plans.awaiting import awaiting_for
from pcndev.plans.editing import save_initiative, start_plan
from pcndev.plans.models import PlanVersion, SignOff, SupportPlan
from pcndev.plans.transitions import record_committee_decision, release_funds, transition
from tests.builders import AS_OF, build_tree, make_user
from tests.plans.builders import funded_world, initiative_data

MEETING = datetime.date(2019, 12, 5)


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    """Argon2 takes most of a second per user here; these tests make many users and never sign in by password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def draft_for(w, pcn, cd, cost_pence: int = 1_000_00) -> PlanVersion:
    """A draft ready to submit for `pcn`, started by its clinical director `cd`."""
    version = start_plan(w.programme, pcn, cd)
    PlanVersion.objects.filter(pk=version.pk).update(improvement_priority="Frail older people at home")
    version.refresh_from_db()
    save_initiative(version, version.lock_version, cd, initiative_data(cost_pence))
    version.refresh_from_db()
    return version


def summary(user) -> dict[str, list[str]]:
    """PCN code -> the actions awaiting the user (fresh from the database, as a new request would be)."""
    user = User.objects.get(pk=user.pk)
    return {v.plan.pcn.code: [t.action for t in actions] for v, actions in awaiting_for(user)}


def plans_in_four_states():
    """Four PCNs in one place: a draft, a submitted plan nobody has signed, one the place lead has agreed, and an
    agreed one. The CD (w.cd) leads PCNs 0, 2 and 3; other_cd leads PCN 1."""
    w = funded_world(pcns=4)
    pcns = w.tree.pcns
    for pcn in (pcns[2], pcns[3]):
        grant_role(w.cd, Role.PCN_CD, pcn)
    w.cd = User.objects.get(pk=w.cd.pk)
    draft_for(w, pcns[0], w.cd)
    unsigned = draft_for(w, pcns[1], w.other_cd)
    transition(unsigned, "submit", w.other_cd)
    half = draft_for(w, pcns[2], w.cd)
    transition(half, "submit", w.cd)
    transition(half, "agree", w.place_lead)
    agreed = draft_for(w, pcns[3], w.cd)
    transition(agreed, "submit", w.cd)
    transition(agreed, "agree", w.place_lead)
    transition(agreed, "agree", w.cd)
    return w


@pytest.fixture
def states(db):
    return plans_in_four_states()


def test_each_party_sees_the_steps_waiting_for_them(states):
    w, codes = states, [p.code for p in states.tree.pcns]
    assert summary(w.cd) == {codes[0]: ["submit"], codes[2]: ["agree", "decline"]}
    assert summary(w.other_cd) == {codes[1]: ["agree", "decline"]}
    assert summary(w.place_lead) == {
        codes[1]: ["request_changes", "agree", "decline"],
        codes[2]: ["request_changes"],  # the place lead has agreed it; the CD has not
        codes[3]: ["approve"],
    }
    # The programme does not need the system's sign-off, so the system lead can only ask for changes.
    assert summary(w.system_lead) == {codes[1]: ["request_changes"], codes[2]: ["request_changes"]}


def test_readers_and_outsiders_have_nothing_waiting(states):
    admin = make_user("admin@test.example", Role.NATIONAL_ADMIN)
    region = make_user("region@test.example", Role.REGION_LEAD, states.tree.regions[0])
    outsider = make_user("nobody@test.example")
    for user in (states.viewer, admin, region, outsider):
        assert summary(user) == {}


def test_anonymous_users_have_nothing_waiting(states):
    from django.contrib.auth.models import AnonymousUser

    assert awaiting_for(AnonymousUser()) == []


def test_the_later_steps_and_the_system_sign_off(db):
    w = funded_world(requires_system=True, pcns=3)
    pcns = w.tree.pcns
    for pcn in pcns[1:]:
        grant_role(w.cd, Role.PCN_CD, pcn)
        pcn.payee = PayeeOrganisation.objects.create(name=f"{pcn.name} payee")
        pcn.save()
    w.cd = User.objects.get(pk=w.cd.pk)
    submitted = draft_for(w, pcns[0], w.cd)
    transition(submitted, "submit", w.cd)
    approved = draft_for(w, pcns[1], w.cd)
    released = draft_for(w, pcns[2], w.cd)
    for v in (approved, released):
        transition(v, "submit", w.cd)
        for who in (w.cd, w.place_lead, w.system_lead):
            transition(v, "agree", who)
    record_committee_decision(
        w.place_lead, w.tree.places[0], w.programme, [approved, released], "PCCC", MEETING, "PCCC/7"
    )
    release_funds(w.place_lead, released, 1_000_00, "MOU-1", datetime.date(2020, 1, 6))
    codes = [p.code for p in pcns]
    assert summary(w.system_lead) == {codes[0]: ["request_changes", "agree", "decline"]}
    assert summary(w.place_lead) == {
        codes[0]: ["request_changes", "agree", "decline"],
        codes[1]: ["release"],
        codes[2]: ["start_delivery"],
    }
    assert summary(w.cd) == {codes[0]: ["agree", "decline"], codes[2]: ["start_delivery"]}
    transition(released, "start_delivery", w.cd)
    assert summary(w.place_lead)[codes[2]] == ["close"]
    assert codes[2] not in summary(w.cd)
    transition(released, "close", w.place_lead)
    assert codes[2] not in summary(w.place_lead)
    transition(submitted, "request_changes", w.system_lead, comment="Cost the away day")
    assert summary(w.cd)[codes[0]] == ["revise"]
    assert codes[0] not in summary(w.system_lead)


def _bulk_plans(programme, pcns, start: int = 0) -> None:
    """A plan per PCN, cycling through every state from the `start`th (submitted ones with sign-offs waiting)."""
    states = list(workflow.STATES)
    plans = SupportPlan.objects.bulk_create(SupportPlan(programme=programme, pcn=p) for p in pcns)
    versions = PlanVersion.objects.bulk_create(
        PlanVersion(plan=plan, number=1, state=states[(start + i) % len(states)])
        for i, plan in enumerate(plans)
    )
    SignOff.objects.bulk_create(
        SignOff(version=v, party=party)
        for v in versions
        if v.state == workflow.SUBMITTED
        for party in ("cd", "place")
    )


def test_only_the_current_version_of_a_plan_counts(states):
    w = states
    plan = SupportPlan.objects.get(pcn=w.tree.pcns[3])
    PlanVersion.objects.filter(plan=plan).update(state=workflow.IN_DELIVERY)
    PlanVersion.objects.create(plan=plan, number=2, state=workflow.DRAFT)
    assert summary(w.cd)[w.tree.pcns[3].code] == ["submit"]
    assert w.tree.pcns[3].code not in summary(w.place_lead)  # version 1's "close" is not current


def test_the_queries_do_not_grow_with_the_number_of_plans(db):
    tree = build_tree(regions=1, systems=1, places=1, pcns=30, practices=1, unallocated=0)
    programme = create_programme("PCN development support", 2019, 43_500_000_00, AS_OF)
    place_lead = make_user("place@test.example", Role.PLACE_LEAD, tree.places[0])
    system_lead = make_user("system@test.example", Role.SYSTEM_LEAD, tree.systems[0])
    cd = make_user("cd@test.example", Role.PCN_CD, tree.pcns[0])
    for pcn in tree.pcns[1:]:
        grant_role(cd, Role.PCN_CD, pcn)

    def run(user):
        fresh = User.objects.get(pk=user.pk)
        with CaptureQueriesContext(connection) as queries:
            found = awaiting_for(fresh)
        return len(queries), len(found)

    _bulk_plans(programme, tree.pcns[:2])
    few = {u.email: run(u) for u in (place_lead, system_lead, cd)}
    _bulk_plans(programme, tree.pcns[2:], start=2)
    many = {u.email: run(u) for u in (place_lead, system_lead, cd)}
    for email in few:
        assert many[email][0] == few[email][0], f"{email}: {few[email][0]} queries, then {many[email][0]}"
    assert many["place@test.example"][1] > few["place@test.example"][1] > 0
    assert many["cd@test.example"][1] > few["cd@test.example"][1] > 0
    assert many["system@test.example"][1] > 0
    assert few["place@test.example"][0] <= 3  # memberships, versions, sign-offs
