"""factory-boy factories, one per model, without surprising side effects.

States beyond `draft` are reached through the real services (see tests/helpers.py).
"""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.enums import Role
from accounts.models import Organisation, User
from accounts.roles import ensure_role_groups, grant_role


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"大学{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    language = "zh-hans"
    password = factory.PostGenerationMethodCall("set_password", "pw-secret-123")

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        obj.save()
        if extracted:
            ensure_role_groups()
            grant_role(obj, Role(extracted))


class FundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "funding.Fund"

    name_zh = factory.Sequence(lambda n: f"种子基金{n}")
    name_en = factory.Sequence(lambda n: f"Seed fund {n}")
    size = Decimal("10000000.00")


class FormDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "forms.FormDefinition"

    name = factory.Sequence(lambda n: f"Form {n}")


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "forms.Question"

    form = factory.SubFactory(FormDefinitionFactory)
    order = factory.Sequence(int)
    kind = "short_text"
    label_zh = factory.Sequence(lambda n: f"问题{n}")
    label_en = factory.Sequence(lambda n: f"Question {n}")


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "proposals.Call"

    title_zh = "2026年度概念验证项目申报"
    title_en = "2026 Proof-of-Concept Call"
    description_zh = "支持高校科研成果开展概念验证。"
    description_en = "Supports proof-of-concept work on university research results."
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=20))
    fund = factory.SubFactory(FundFactory)
    form = factory.SubFactory(FormDefinitionFactory)
    max_request = Decimal("500000.00")
    experts_per_proposal = 3


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "proposals.ScreeningChecklistItem"

    call = factory.SubFactory(CallFactory)
    order = factory.Sequence(int)
    text_zh = factory.Sequence(lambda n: f"材料齐全{n}")
    text_en = factory.Sequence(lambda n: f"Documents complete {n}")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reviews.Criterion"

    call = factory.SubFactory(CallFactory)
    order = factory.Sequence(int)
    name_zh = factory.Sequence(lambda n: f"评审指标{n}")
    name_en = factory.Sequence(lambda n: f"Criterion {n}")
    weight = Decimal("50")
    max_score = Decimal("10")


class ProposalFactory(factory.django.DjangoModelFactory):
    """A draft proposal. Use tests.helpers to move it on through the services."""

    class Meta:
        model = "proposals.Proposal"

    call = factory.SubFactory(CallFactory)
    applicant = factory.SubFactory(UserFactory, role=Role.RESEARCHER)
    title = factory.Sequence(lambda n: f"高效钙钛矿电池概念验证 {n}")
    abstract = "概念验证摘要"
    keywords = "钙钛矿, 光伏"
    institution = "清华大学"
    requested_amount = Decimal("300000.00")
    language = "zh-hans"


class ExpertProfileFactory(factory.django.DjangoModelFactory):
    """A pool profile for a new expert account; its `.user` is the expert."""

    class Meta:
        model = "reviews.ExpertProfile"

    user = factory.SubFactory(UserFactory, role=Role.EXPERT)
    expert_type = "academic"


class ConflictFactory(factory.django.DjangoModelFactory):
    """A conflict of interest written directly (the services that record one are tested on their own)."""

    class Meta:
        model = "reviews.Conflict"

    proposal = factory.SubFactory(ProposalFactory)
    expert = factory.SubFactory(UserFactory, role=Role.EXPERT)
    source = "declared"
    reason = "同单位"


class LedgerEntryFactory(factory.django.DjangoModelFactory):
    """A commitment in a fund's ledger (append-only: saved once)."""

    class Meta:
        model = "funding.LedgerEntry"

    fund = factory.SubFactory(FundFactory)
    kind = "commitment"
    amount = Decimal("1000.00")


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "proposals.Answer"

    proposal = factory.SubFactory(ProposalFactory)
    question = factory.SubFactory(QuestionFactory, form=factory.SelfAttribute("..proposal.call.form"))
    value = None
