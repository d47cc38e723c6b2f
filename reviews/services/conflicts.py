"""Conflicts of interest (回避): automatic detection and the expert's own declaration.

Automatic sources, compared against every active expert profile:
- INSTITUTION: the expert's institution (profile or organisation) is one of the team's — the
  proposal's institution, the applicant's organisation, or a team line's institution. Names are
  normalised (NFKC, casefold, punctuation and spaces removed); one name that is a prefix of the
  other counts as the same institution ("清华大学" ~ "清华大学 化学系"): by whole words for Latin
  text, by characters for Chinese text of at least four characters (so "北大" never swallows
  "北大荒集团").
- RELATION: a co-author, student, advisor, relative or collaborator of the expert is on the team
  (same normalised name; institutions must match when both are given); relations that ended more
  than five years ago are ignored.
- APPLICANT: the applicant named the expert on the proposal's "experts to avoid" list.

Each new conflict is one row per (proposal, expert) — detection never touches an existing one —
with an audit row and `reviews.signals.conflict_recorded`. The stored reason names the match in
both languages (Chinese / English): a conflict is evidence that staff, the panel and bilingual
documents read long after detection, whatever language the reader uses; the source is shown with
its translated label beside it.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _, gettext_lazy

from accounts.rules import is_expert
from core.errors import IllegalTransition, InvalidInput, NotPermitted
from proposals.enums import ProposalStatus
from proposals.models import AuditEntry, Proposal
from proposals.services.audit import record_audit
from reviews.enums import ConflictSource, RelationKind, ReviewStatus
from reviews.models import Conflict, ExpertProfile
from reviews.rules import has_conflict
from reviews.signals import conflict_recorded

# Proposals whose experts may still change: detection runs for these when the pool changes.
DETECTION_STATES = (ProposalStatus.SUBMITTED, ProposalStatus.SCREENING, ProposalStatus.IN_REVIEW, ProposalStatus.PANEL)
# A relation that ended more than this many years ago no longer counts.
RELATION_YEARS = 5
# Chinese institution names match by character prefix only from this length on.
CJK_PREFIX_MIN = 4

REASON_INSTITUTION = gettext_lazy("Same institution: the expert's “%(expert)s” and “%(team)s” (%(who)s).")
REASON_RELATION = gettext_lazy("%(kind)s of the expert: %(name)s is on the proposal team.")
REASON_APPLICANT = gettext_lazy("The applicant asked to avoid “%(name)s”: %(reason)s")
WHO_PROPOSAL = gettext_lazy("the proposal's institution")
WHO_ORGANISATION = gettext_lazy("the applicant's organisation")


# normalisation

def tokens(text: str) -> tuple[str, ...]:
    """NFKC, casefold, punctuation/symbols/spaces as separators."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    chars = [" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in text]
    return tuple("".join(chars).split())


def normalise(text: str) -> str:
    return "".join(tokens(text))


def _is_cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) == "W" for ch in text)


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


@dataclass(frozen=True)
class Norm:
    raw: str
    tokens: tuple[str, ...]
    key: str

    @classmethod
    def of(cls, raw: str) -> Norm:
        toks = tokens(raw)
        return cls(raw=(raw or "").strip(), tokens=toks, key="".join(toks))


def _prefix_match(short: Norm, long: Norm) -> bool:
    """`short` names the same institution as `long` read as a prefix."""
    if not short.key or not long.key.startswith(short.key):
        return False
    if short.key == long.key or long.tokens[: len(short.tokens)] == short.tokens:
        return True
    if _is_word_char(short.key[-1]) and _is_word_char(long.key[len(short.key)]):
        return False  # never cut through a number or a Latin word ("第10研究所" is not "第100研究所")
    return _is_cjk(short.key) and len(short.key) >= CJK_PREFIX_MIN


def same_institution(a: str, b: str) -> bool:
    na, nb = Norm.of(a), Norm.of(b)
    if not na.key or not nb.key:
        return False
    short, long = sorted((na, nb), key=lambda n: len(n.key))
    return _prefix_match(short, long)


def name_keys(name: str) -> frozenset[tuple[str, str]]:
    """Keys under which two spellings of a person's name meet ("Zhang San" ~ "san zhang" ~ "张 三" ~ "张三")."""
    toks = tokens(name)
    if not toks:
        return frozenset()
    keys = {("k", "".join(toks))}
    if len(toks) > 1:
        keys.add(("s", "|".join(sorted(toks))))
    return frozenset(keys)


def same_person(a: str, b: str) -> bool:
    return bool(name_keys(a) & name_keys(b))


# the proposal side

@dataclass(frozen=True)
class Member:
    name: str
    institution: str


_NUMBERING = re.compile(r"^\s*(?:\(?\d+[.)、．]?\)?\s+|\d+[.、．)]\s*)")
_SPLIT = re.compile(r"[,，\t]")


def team_members(proposal: Proposal) -> list[Member]:
    """Team lines "name, institution, role" (also "，" and tabs), plus the applicant."""
    members = []
    for line in (proposal.team or "").splitlines():
        parts = [p.strip() for p in _SPLIT.split(_NUMBERING.sub("", line))]
        if parts and parts[0]:
            members.append(Member(name=parts[0], institution=parts[1] if len(parts) > 1 else ""))
    applicant = proposal.applicant
    if applicant.full_name.strip():
        org = applicant.organisation.name if applicant.organisation_id else proposal.institution
        members.append(Member(name=applicant.full_name.strip(), institution=org or ""))
    return members


@dataclass
class _ProposalFacts:
    proposal: Proposal
    members: list[tuple[Member, frozenset, Norm]]
    institutions: list[tuple[Norm, object]]  # (institution, who it belongs to: a name or a lazy label)
    avoidances: list


def _proposal_facts(proposal: Proposal) -> _ProposalFacts:
    members = [(m, name_keys(m.name), Norm.of(m.institution)) for m in team_members(proposal)]
    institutions = []
    if proposal.institution.strip():
        institutions.append((Norm.of(proposal.institution), WHO_PROPOSAL))  # lazy: rendered per language
    applicant = proposal.applicant
    if applicant.organisation_id:
        for name in (applicant.organisation.name, applicant.organisation.name_en):
            if name.strip():
                institutions.append((Norm.of(name), WHO_ORGANISATION))
    for member, _keys, inst in members:
        if inst.key:
            institutions.append((inst, member.name))
    return _ProposalFacts(proposal=proposal, members=members, institutions=institutions,
                          avoidances=list(proposal.avoid_requests.all()))


# the pool side

@dataclass
class _Expert:
    user_id: int
    name: str
    name_keys: frozenset
    institutions: list[Norm]


@dataclass
class _Pool:
    """Active experts indexed by name, relation name and institution, so a proposal is matched in
    time proportional to its team, not to the pool."""

    year: int
    experts: dict[int, _Expert] = field(default_factory=dict)
    by_name: dict = field(default_factory=dict)
    by_relation: dict = field(default_factory=dict)
    by_institution: dict[str, list[tuple[int, Norm]]] = field(default_factory=dict)
    institution_keys: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, profiles, *, year: int) -> _Pool:
        pool = cls(year=year)
        for profile in profiles:
            user = profile.user
            names = [profile.institution]
            if user.organisation_id:
                names += [user.organisation.name, user.organisation.name_en]
            insts = []
            for n in names:
                norm = Norm.of(n)
                if norm.key and norm.key not in {i.key for i in insts}:
                    insts.append(norm)
            expert = _Expert(user_id=user.pk, name=user.full_name.strip(), name_keys=name_keys(user.full_name), institutions=insts)
            pool.experts[user.pk] = expert
            for key in expert.name_keys:
                pool.by_name.setdefault(key, []).append(expert)
            for norm in insts:
                pool.by_institution.setdefault(norm.key, []).append((user.pk, norm))
            for rel in profile.relations.all():
                if rel.until_year and rel.until_year < year - RELATION_YEARS:
                    continue
                for key in name_keys(rel.name):
                    pool.by_relation.setdefault(key, []).append((expert, rel))
        pool.institution_keys = sorted(pool.by_institution)
        return pool

    def _institution_hits(self, team: Norm):
        """(expert id, expert's institution) pairs naming the same institution as `team`."""
        seen = set()
        # the expert's name is the longer one (or equal): keys starting with team.key
        i = bisect.bisect_left(self.institution_keys, team.key)
        while i < len(self.institution_keys) and self.institution_keys[i].startswith(team.key):
            for user_id, norm in self.by_institution[self.institution_keys[i]]:
                if _prefix_match(team, norm):
                    seen.add(user_id)
                    yield user_id, norm
            i += 1
        # the expert's name is shorter: every proper prefix of team.key
        for length in range(1, len(team.key)):
            for user_id, norm in self.by_institution.get(team.key[:length], ()):
                if user_id not in seen and _prefix_match(norm, team):
                    yield user_id, norm

    def match(self, facts: _ProposalFacts) -> dict[int, tuple[str, str]]:
        """expert user id -> (source, bilingual reason). The applicant's list beats a relation, which
        beats a shared institution, so the reason named is the most specific one."""
        found: dict[int, tuple[str, str]] = {}
        for team, who in facts.institutions:
            for user_id, norm in self._institution_hits(team):
                found.setdefault(user_id, (ConflictSource.INSTITUTION, _bilingual(
                    REASON_INSTITUTION, expert=norm.raw, team=team.raw, who=who)))
        for member, keys, inst in facts.members:
            for key in keys:
                for expert, rel in self.by_relation.get(key, ()):
                    if rel.institution.strip() and inst.key and not same_institution(rel.institution, inst.raw):
                        continue
                    if found.get(expert.user_id, ("",))[0] != ConflictSource.RELATION:
                        found[expert.user_id] = (ConflictSource.RELATION, _bilingual(
                            REASON_RELATION, kind=RelationKind(rel.kind).label, name=member.name))
        for avoid in facts.avoidances:
            for key in name_keys(avoid.name):
                for expert in self.by_name.get(key, ()):
                    if avoid.institution.strip() and expert.institutions and not any(
                        same_institution(avoid.institution, i.raw) for i in expert.institutions
                    ):
                        continue
                    found[expert.user_id] = (ConflictSource.APPLICANT, _bilingual(
                        REASON_APPLICANT, name=str(avoid), reason=avoid.reason.strip()))
        return found


def _bilingual(message, **params) -> str:
    """The message in Chinese and English ("中文 / English"; once when both read the same)."""
    texts = []
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            texts.append(str(message) % {k: str(v) for k, v in params.items()})
    return texts[0] if texts[0] == texts[1] else f"{texts[0]} / {texts[1]}"


def _active_profiles(qs=None):
    qs = qs if qs is not None else ExpertProfile.objects.all()
    return (
        qs.filter(active=True, user__is_active=True)
        .select_related("user", "user__organisation")
        .prefetch_related("relations")
    )


def _proposals(qs):
    return qs.select_related("applicant", "applicant__organisation").prefetch_related("avoid_requests")


def _detect(*, proposals, profiles, actor=None) -> list[Conflict]:
    proposals = list(proposals)
    if not proposals:
        return []
    pool = _Pool.build(profiles, year=timezone.localdate().year)
    if not pool.experts:
        return []
    existing = set(
        Conflict.objects.filter(proposal__in=proposals, expert_id__in=list(pool.experts))
        .values_list("proposal_id", "expert_id")
    )
    new = [
        Conflict(proposal=proposal, expert_id=expert_id, source=source, reason=reason, recorded_by=None)
        for proposal in proposals
        for expert_id, (source, reason) in sorted(pool.match(_proposal_facts(proposal)).items())
        if (proposal.pk, expert_id) not in existing
    ]
    if not new:
        return []
    with transaction.atomic():
        try:
            with transaction.atomic():
                created = Conflict.objects.bulk_create(new, batch_size=500)
        except IntegrityError:
            # someone recorded one of these at the same moment: fall back to one row at a time
            created = [c for c in (_insert_one(c) for c in new) if c is not None]
        AuditEntry.objects.bulk_create([
            AuditEntry(proposal=c.proposal, actor=actor if getattr(actor, "is_authenticated", False) else None,
                       action="conflict.detected", note=c.reason,
                       data={"expert": c.expert_id, "source": str(c.source), "conflict": c.pk})
            for c in created
        ], batch_size=500)
        for conflict in created:
            conflict_recorded.send(sender=Conflict, conflict=conflict)
    return created


def _insert_one(conflict: Conflict) -> Conflict | None:
    row, created = Conflict.objects.get_or_create(
        proposal=conflict.proposal, expert_id=conflict.expert_id,
        defaults={"source": conflict.source, "reason": conflict.reason, "recorded_by": None},
    )
    return row if created else None


# public services

def detect_conflicts(*, proposal: Proposal, actor=None) -> list[Conflict]:
    """New automatic conflicts between one proposal and every active expert (idempotent)."""
    proposal = _proposals(Proposal.objects.filter(pk=proposal.pk)).get()
    return _detect(proposals=[proposal], profiles=_active_profiles(), actor=actor)


def detect_for_experts(*, profiles, actor=None) -> list[Conflict]:
    """New automatic conflicts of these experts with every proposal whose experts may still change."""
    ids = [p.pk for p in profiles]
    if not ids:
        return []
    return _detect(
        proposals=_proposals(Proposal.objects.filter(status__in=DETECTION_STATES).order_by("pk")),
        profiles=_active_profiles(ExpertProfile.objects.filter(pk__in=ids)),
        actor=actor,
    )


def detect_for_expert(*, profile: ExpertProfile, actor=None) -> list[Conflict]:
    return detect_for_experts(profiles=[profile], actor=actor)


def detect_for_call(*, call, actor=None) -> list[Conflict]:
    """New automatic conflicts for every proposal of the call whose experts may still change."""
    return _detect(
        proposals=_proposals(call.proposals.filter(status__in=DETECTION_STATES).order_by("pk")),
        profiles=_active_profiles(),
        actor=actor,
    )


def declare_conflict(*, review, expert, reason: str) -> Conflict:
    """An expert declares a conflict on a proposal they have already reviewed. The review stays
    stored but no longer counts: results leave out experts with a conflict."""
    if not is_expert(expert) or review.expert_id != expert.pk:
        raise NotPermitted()
    if review.status != ReviewStatus.SUBMITTED:
        raise IllegalTransition(_("Only a submitted review can be withdrawn this way; decline an open review instead."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for the conflict of interest."))
    if has_conflict(expert, review.proposal):
        raise IllegalTransition(_("A conflict of interest is already recorded for you on this proposal."))
    with transaction.atomic():
        conflict = Conflict.objects.create(
            proposal=review.proposal, expert=expert, source=ConflictSource.DECLARED, reason=reason, recorded_by=expert,
        )
        record_audit(action="conflict.declared", proposal=review.proposal, actor=expert, note=reason,
                     data={"expert": expert.pk, "review": review.pk, "conflict": conflict.pk})
        conflict_recorded.send(sender=Conflict, conflict=conflict)
    return conflict
