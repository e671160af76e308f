"""Volunteers' fixtures on top of the shared ``community``: a volunteer desk at the HQ, the
HQ's coordinator, and the volunteer persona's own entry in the HQ's registry."""

from __future__ import annotations

import pytest

from hromada.core.models import Role
from hromada.core.tests.factories import make_user
from hromada.volunteers.tests.factories import make_desk, make_volunteer


@pytest.fixture
def town(community):
    """The HQ runs a desk; ``hq.coordinator`` runs its volunteers; the community's volunteer
    persona is ``hq.me`` in its registry."""
    make_desk(community.hq)
    community.hq_coordinator = make_user(
        username="hqcoord", roles={community.hq: [Role.COORDINATOR]}
    )
    community.me = make_volunteer(
        organization=community.hq,
        user=community.volunteer,
        name="Віктор Бондар",
        phone="+380501112233",
    )
    return community
