"""The 'Awaiting my action' page: plan steps and self-assessment tasks, derived for each user."""

import pytest
from django.urls import reverse

from pcndev.accounts.models import Role
from pcndev.maturity.rounds import assessment_for
from pcndev.plans.transitions import transition
from tests.builders import make_user
from tests.maturity.builders import make_round, open_round_now, practice_response
from tests.plans.builders import funded_world, ready_plan


@pytest.fixture
def w(db):
    return funded_world()


def test_each_party_sees_what_waits_for_them(client, w):
    version = ready_plan(w)
    rnd = open_round_now(make_round("September round"))
    practice, other = w.tree.practices[0], w.tree.practices[1]
    lead = make_user("lead@test.example", Role.PRACTICE_MEMBER, practice)
    practice_response(assessment_for(rnd, w.pcn), other, submitted=True)
    client.force_login(w.cd)
    page = client.get(reverse("plans:awaiting")).content.decode()
    assert "Submit for agreement" in page and "Agree and submit the PCN" in page
    client.force_login(w.place_lead)
    assert "No support plans are waiting for you." in client.get(reverse("plans:awaiting")).content.decode()
    transition(version, "submit", w.cd)
    page = client.get(reverse("plans:awaiting")).content.decode()
    assert "Agree the plan" in page and "Request changes" in page and "Decline" in page
    client.force_login(lead)
    page = client.get(reverse("plans:awaiting")).content.decode()
    assert f"Rate {practice.name} against the matrix" in page
    assert f"Rate {other.name}" not in page  # another practice's task, and already submitted
    assert "No support plans are waiting for you." in page
