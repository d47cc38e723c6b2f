"""A panel chair, in Chinese, in a real browser: opens the call's ranked list, opens a scored proposal
and signs the panel's recommendation with a rationale."""

from django.urls import reverse

from accounts.enums import Role
from reviews.enums import PanelOutcome
from reviews.models import PanelRecommendation
from tests.browser.conftest import field, zh
from tests.factories import UserFactory
from tests.helpers import World


def test_a_chair_signs_the_panels_recommendation_in_chinese(open_browser):
    # arrange: a proposal every expert scored
    world = World()
    proposal = world.in_panel()
    chair_user = UserFactory(role=Role.PANEL_CHAIR)
    chair = open_browser("chair")
    page = chair.page
    chair.log_in(chair_user)

    # the ranked list of the call, then the proposal
    chair.goto(reverse("panel:call", args=[world.call.pk]), "ranking")
    page.get_by_role("link", name=proposal.title, exact=True).first.click()
    page.wait_for_url(f"**{reverse('panel:proposal', args=[proposal.pk])}")
    chair.check("proposal")

    # recommends approval with a rationale
    page.get_by_role("radio", name=str(PanelOutcome.APPROVE.label), exact=True).check()
    field(page, "Rationale").fill("评分一致，技术路线清晰，建议立项。")
    chair.submit(page.get_by_role("button", name=zh("Record recommendation")))
    chair.check("recommended")
    signed = PanelRecommendation.objects.get(proposal=proposal)
    assert (signed.chair, signed.recommendation) == (chair_user, PanelOutcome.APPROVE)
