"""One access policy in the core (`etl/reads/policy.py`): who may see and do what. The screens
ask it; none of them looks at a role itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from etl.reads import policy
from etl.store.accounts import User

ROOT = Path(__file__).resolve().parent.parent
COORDINATOR = User("c", "coordinator")
LEAD = User("l", "departement:FIN")
READER = User("r", "lezer")


@pytest.mark.parametrize(
    ("user", "action", "organisation", "allowed"),
    [
        (COORDINATOR, "intrekken", None, True),
        (LEAD, "intrekken", None, False),
        (READER, "intrekken", None, False),
        (COORDINATOR, "exact_zien", "AZ", True),
        (LEAD, "exact_zien", "FIN", True),
        (LEAD, "exact_zien", "AZ", False),
        (READER, "exact_zien", "FIN", False),
        (LEAD, "aanleveren", "FIN", True),
        (LEAD, "aanleveren", "AZ", False),
        (READER, "aanleveren", None, False),
        (LEAD, "afspraakstatus_bijwerken", "FIN", True),
        (LEAD, "afspraakstatus_bijwerken", "AZ", False),
        (COORDINATOR, "afspraak_vastleggen", None, True),
        (LEAD, "afspraak_vastleggen", None, False),
        (COORDINATOR, "herinneren", None, True),
        (READER, "herinneren", None, False),
        (None, "zien", None, False),
    ],
)
def test_who_may_do_what(
    user: User | None, action: policy.Action, organisation: str | None, allowed: bool
) -> None:
    assert policy.may(user, action, organisation) is allowed


def test_a_lead_sees_other_organisations_only_where_the_setting_allows() -> None:
    assert policy.may(LEAD, "zien", "AZ", others_visible=True)
    assert not policy.may(LEAD, "zien", "AZ", others_visible=False)
    assert policy.may(LEAD, "zien", "FIN", others_visible=False)
    assert policy.access_for(LEAD, False).visible == frozenset({"FIN"})
    assert policy.access_for(READER, False).visible is None
    assert policy.access_for(COORDINATOR, True).exact is None


def test_no_screen_decides_by_role_itself() -> None:
    """Role checks and hand-made `Access(...)` live in the policy, not in the pages."""
    for path in sorted((ROOT / "dashboard").rglob("*.py")):
        if path.name == "auth.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\.role\b|is_department|Access\(", text), path.name
