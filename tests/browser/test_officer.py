"""A program officer, in Chinese, in a real browser: claims a submitted proposal's screening from the
queue on the home page, screens it (形式审查) and assigns the experts."""

from django.urls import reverse

from proposals.enums import ProposalStatus, ScreeningOutcome
from tests.browser.conftest import zh
from tests.helpers import World


def test_an_officer_screens_a_proposal_and_assigns_experts_in_chinese(open_browser):
    # arrange: a submitted proposal and three experts in the pool
    world = World()
    proposal = world.submitted()
    officer = open_browser("officer")
    page = officer.page
    officer.log_in(world.officer)

    # claims the screening from the queue and screens: passed, the checklist ticked
    page.get_by_role("row").filter(has_text=proposal.reference).get_by_role("button", name=zh("Claim")).click()
    page.wait_for_url(f"**{reverse('workflows:screen', args=[proposal.pk])}")
    officer.check("screen")
    page.get_by_role("radio", name=str(ScreeningOutcome.PASS.label)).check()
    page.get_by_role("checkbox", name=world.checklist[0].text_zh).check()
    officer.submit(page.get_by_role("button", name=zh("Record screening")))
    officer.check("screened")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.IN_REVIEW

    # assigns the three experts
    officer.goto(reverse("workflows:assign_experts", args=[proposal.pk]), "assign")
    for expert in world.experts:
        page.get_by_role("checkbox", name=expert.display_name).check()
    officer.submit(page.get_by_role("button", name=zh("Assign"), exact=True))
    officer.check("assigned")
    assert sorted(proposal.reviews.values_list("expert_id", flat=True)) == sorted(e.pk for e in world.experts)
    for expert in world.experts:
        assert page.locator("main").get_by_text(expert.display_name, exact=True).first.is_visible()
