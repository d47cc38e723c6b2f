"""One proposal in a chosen state, with a person of every role around it."""

from django.core.files.base import ContentFile
from django.http import HttpRequest
from django.test import Client

from accounts.enums import Role
from forms.enums import QuestionKind
from proposals.models import Answer
from tests.factories import QuestionFactory, UserFactory
from tests.forms.samples import PDF  # a PDF qpdf opens: experts are served a copy without its metadata
from tests.helpers import World

ROLES = ["anonymous", "researcher", "owner", "program_officer", "expert", "assigned_expert", "panel_chair",
         "fund_manager", "incubation_manager"]
STATES = ["draft", "submitted", "in_review", "panel", "funding", "funded"]
# distinct names, none a part of another, so "name not in page" means what it says
EXPERT_NAMES = ["甲专家", "乙专家", "丙专家"]


class Scene:
    def __init__(self, state):
        self.world = World(experts=3)
        for expert, name in zip(self.world.experts, EXPERT_NAMES):
            expert.full_name = name
            expert.save(update_fields=["full_name"])
        self.file_question = QuestionFactory(form=self.world.call.form, kind=QuestionKind.FILE, file_types=["pdf"])
        build = {"draft": self.world.proposal, "submitted": self.world.submitted, "in_review": self.world.assigned,
                 "panel": self.world.in_panel, "funding": self.world.in_funding, "funded": self.world.funded}[state]
        self.proposal = build()
        self.answer = Answer.objects.create(
            proposal=self.proposal, question=self.file_question, file=ContentFile(PDF, name="plan.pdf"),
            file_name="plan.pdf", content_type="application/pdf")
        self.reviews = list(self.proposal.reviews.order_by("pk"))
        self.users = {
            "anonymous": None,
            "researcher": UserFactory(role=Role.RESEARCHER),
            "owner": self.proposal.applicant,
            "program_officer": self.world.officer,
            "expert": UserFactory(role=Role.EXPERT, full_name="丁专家"),
            "assigned_expert": self.world.experts[0],
            "panel_chair": UserFactory(role=Role.PANEL_CHAIR),
            "fund_manager": self.world.fund_manager,
            "incubation_manager": self.world.incubator,
        }

    @property
    def review(self):
        """The assigned expert's review (experts[0])."""
        return self.proposal.reviews.get(expert=self.world.experts[0])

    def client(self, role):
        client = Client()
        user = self.users[role]
        if user is not None:
            assert client.login(request=HttpRequest(), username=user.username, password="pw-secret-123")
        return client
