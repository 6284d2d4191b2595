"""Who may see and do what: the one access policy. Screens ask (`may`, `pages_for`,
`access_for`); they do not decide. Pure: a user and a setting in, an answer out.

The roles (`etl.store.accounts`): the coordinator (BZK's integrity coordinator, whose data these
are), an organisation's integrity lead (`departement:XX`), and a reader. Who sees what
follows the contract's disclosure rules: the coordinator every figure exactly, a lead its
own organisation's exactly, everyone else protected figures.
"""

from __future__ import annotations

from typing import Final, Literal

from etl.reads.readmodel import Access
from etl.store.accounts import COORDINATOR_ROLE, User

Action = Literal[
    "zien",  # an organisation's detail
    "exact_zien",  # an organisation's figures exactly, small counts and groups included
    "aanleveren",  # send files or forms for an organisation
    "intrekken",  # withdraw or restore a stored version
    "afspraak_vastleggen",  # make or change an agreement (any field)
    "afspraakstatus_bijwerken",  # change the status and toelichting of an own agreement
    "coordinatie_oordelen",  # record BZK's yearly judgement of its own role
    "herinneren",  # send reminders to the organisations still open
    "agenda_markeren",  # mark the agenda points for the IPIM meeting
]
ACTIONS: Final[tuple[Action, ...]] = Action.__args__  # type: ignore[attr-defined]

# Page keys (screen file stems) everyone signed in reads; a lead also has its Start page,
# and whoever may submit the Aanleveren page.
READ_PAGES: Final = (
    "overzicht",
    "ministerie",
    "norm",
    "trends",
    "enquete",
    "werking",
    "aanleverstatus",
    "presentatie",
    "ipim",
)


def may(
    user: User | None,
    action: Action,
    organisation: str | None = None,
    others_visible: bool = True,
) -> bool:
    """Whether `user` may do `action` (for `organisation`, where the action concerns one).
    `others_visible`: the setting that lets leads see other organisations' detail."""
    if user is None:
        return False
    coordinator = user.role == COORDINATOR_ROLE
    own = user.is_department and organisation is not None and organisation == user.department
    if action == "zien":
        return coordinator or not user.is_department or others_visible or own
    if action == "exact_zien":
        return coordinator or own
    if action == "aanleveren":
        return coordinator or own or (user.is_department and organisation is None)
    if action == "afspraakstatus_bijwerken":
        return own
    return coordinator  # withdrawing, agreements, BZK's own judgement, reminders


def pages_for(user: User | None) -> list[str]:
    """The screens a user may open, in the order of the menu."""
    if user is None:
        return ["inloggen"]
    if user.is_department:  # a lead lands on what concerns its own organisation
        return ["start", *READ_PAGES, "aanleveren"]
    return [*READ_PAGES, "aanleveren"] if may(user, "aanleveren") else list(READ_PAGES)


def visible_codes(user: User | None, others_visible: bool) -> frozenset[str] | None:
    """Organisations whose detail the user may see; None means all."""
    if user is None or may(user, "zien", None, others_visible):
        return None
    return frozenset({user.department or ""})


def exact_codes(user: User | None) -> frozenset[str] | None:
    """Organisations whose figures the user sees exactly: all for the coordinator (None),
    the own one for a lead, none for anyone else."""
    if user is not None and user.role == COORDINATOR_ROLE:
        return None
    if user is not None and user.is_department:
        return frozenset({user.department or ""})
    return frozenset()


def access_for(user: User | None, others_visible: bool) -> Access:
    """What the user may see, for the read model: the one place an `Access` is made for a
    signed-in user."""
    exact = exact_codes(user)
    return Access(visible_codes(user, others_visible), user.username if user else None,
                  exact=exact, survey_exact=exact)  # fmt: skip


def own_access(user: User, organisation: str) -> Access:
    """One organisation's own view, for its lead's Start and Aanleveren pages: only that
    organisation, exactly, and the user's own attempts."""
    only = frozenset({organisation})
    return Access(only, user.username, exact=only, survey_exact=only)
