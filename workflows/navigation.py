"""The main menu, by role: each entry names the permission its page's view asks (`require_perm`), so a
viewer sees exactly the pages they may open. Entries are grouped (work, review, funding, incubation,
administration); the entry whose page (or a page under it) is being shown is marked current.

It lives in `workflows`, the orchestration layer, because it names the pages of every app below."""

from collections.abc import Callable
from dataclasses import dataclass, field

import rules
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str
    perm: str | None = None  # the permission the page's view requires; None: any signed-in user
    check: Callable | None = None  # a further condition on the user, for pages not guarded by a perm
    public: bool = False  # shown to anonymous visitors too


@dataclass(frozen=True)
class Group:
    label: str
    entries: tuple[Entry, ...]


def _is_site_staff(user):
    return user.is_active and user.is_staff


MENU = (
    Group(_("Work"), (
        Entry(_("My work"), "home"),
        Entry(_("My proposals"), "proposals:mine", "proposals.create_proposal"),
        Entry(_("Calls"), "proposals:calls"),
        Entry(_("All proposals"), "proposals:all", "proposals.list_all_proposals"),
        Entry(_("API tokens"), "api:tokens", "api.manage_own_tokens"),
    )),
    Group(_("Review"), (
        Entry(_("My reviews"), "reviews:mine", "reviews.expert_area"),
        Entry(_("My expert profile"), "pool:me", "reviews.edit_own_profile"),
        Entry(_("Expert pool"), "pool:list", "reviews.manage_pool"),
        Entry(_("Expert assignment"), "assignment:calls", "reviews.assign_experts"),
        Entry(_("Panel"), "panel:calls", "reviews.chair_panel"),
        Entry(_("Public notices"), "notices:list", public=True),
    )),
    Group(_("Funding"), (
        Entry(_("Funds"), "funding:funds", "funding.view_funds"),
        Entry(_("Disbursements"), "incubation:disbursements", "incubation.release_tranche"),
        Entry(_("先投后股 conversions"), "incubation:conversions", "incubation.settle_investment"),
        Entry(_("Commissions"), "funding:commission_ledger", "funding.manage_commissions"),
    )),
    Group(_("Incubation"), (
        Entry(_("Projects"), "incubation:projects", "incubation.view_projects"),
        Entry(_("Progress reports"), "incubation:reports", "incubation.manage_project"),
        Entry(_("My projects and commissions"), "incubation:tech_home", "incubation.tech_manager_home"),
        Entry(_("Statistics"), "statistics:funnel", "incubation.view_statistics"),
    )),
    Group(_("Administration"), (
        Entry(_("Deliveries"), "workflows:deliveries", "workflows.manage_deliveries"),
        Entry(_("Administration"), "admin:index", check=_is_site_staff),
    )),
)


@dataclass
class Link:
    label: str
    url: str
    current: bool = False


@dataclass
class Section:
    label: str
    links: list[Link] = field(default_factory=list)


def has_perm(user, perm: str) -> bool:
    """What the view's `require_perm(user, perm)` answers, without its database look-up: these
    permissions are django-rules predicates only (no model permission carries their names), so
    `user.has_perm` is the predicate, or True for an active superuser (Django's model backend).
    Asking the backends would load the user's model permissions (two queries) on every page."""
    return (user.is_active and user.is_superuser) or rules.has_perm(perm, user)


def may_open(user, entry: Entry) -> bool:
    if not getattr(user, "is_authenticated", False):
        return entry.public
    if entry.perm and not has_perm(user, entry.perm):
        return False
    return entry.check is None or bool(entry.check(user))


def menu_for(user, path: str = "") -> list[Section]:
    """The sections and links `user` may open; the link whose URL is the longest prefix of `path`
    is current (the home page only when it is the page itself)."""
    sections = []
    for group in MENU:
        links = []
        for entry in group.entries:
            if not may_open(user, entry):
                continue
            try:
                url = reverse(entry.url_name)
            except NoReverseMatch:  # an app not mounted in this deployment
                continue
            links.append(Link(str(entry.label), url))
        if links:
            sections.append(Section(str(group.label), links))
    best = None
    for section in sections:
        for link in section.links:
            matches = path == link.url if link.url == "/" else path.startswith(link.url)
            if matches and (best is None or len(link.url) > len(best.url)):
                best = link
    if best is not None:
        best.current = True
    return sections
