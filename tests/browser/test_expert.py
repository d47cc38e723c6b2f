"""An expert, in Chinese, in a real browser: finds the assigned review in the list, scores each
criterion, recommends and submits."""

from django.urls import reverse

from reviews.enums import Confidence, Recommendation, ReviewStatus
from tests.browser.conftest import field, zh
from tests.helpers import World


def test_an_expert_scores_an_assigned_proposal_in_chinese(open_browser):
    # arrange: a proposal assigned to three experts
    world = World()
    proposal = world.assigned()
    review = proposal.reviews.get(expert=world.experts[0])
    expert = open_browser("expert")
    page = expert.page
    expert.log_in(world.experts[0])

    # finds the review in the list and opens it
    expert.goto(reverse("reviews:mine"), "my-reviews")
    page.get_by_role("link", name=f"{proposal.reference} {proposal.title}").first.click()
    page.wait_for_url(f"**{reverse('workflows:review', args=[review.pk])}")
    expert.check("review")

    # scores, recommends and submits
    field(page, world.criteria[0].name_zh).fill("8")
    field(page, world.criteria[1].name_zh).fill("4")
    page.get_by_role("radio", name=str(Recommendation.SUPPORT.label), exact=True).check()
    page.get_by_role("radio", name=str(Confidence.HIGH.label)).check()
    field(page, "Opinion for the applicant").fill("技术路线清晰，建议开展中试。")
    # the running weighted total, as the expert types, is the figure the server counts (the confirmation page's)
    live = page.locator("[data-total]").inner_text()
    expert.submit(page.get_by_role("button", name=zh("Check and submit")))
    expert.check("confirm")
    confirmed_total = page.locator("tfoot strong").inner_text()
    assert live == confirmed_total and live not in ("", "—")
    page.get_by_role("button", name=zh("Submit review")).click()
    page.wait_for_url(f"**{reverse('reviews:mine')}")
    expert.check("submitted")
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert [s.value for s in review.scores.order_by("criterion__order")] == [8, 4]
