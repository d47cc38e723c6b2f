"""The proposal flow: orchestration only. Every state change goes through the one door
(proposals.services.transition) inside a task activation, under the flow lock."""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from proposals.enums import ProposalStatus as S, Transition
from proposals.services.transition import transition_proposal
from reviews.enums import ReviewStatus
from reviews.models import Review
from workflows.models import ProposalProcess
from workflows.nodes import MultiSplit
from workflows.redirect import TaskRedirectView


class ProposalFlow(flow.Flow):
    """PoC proposal

    From submission through formal screening, expert review, panel decision and
    funding to the start of incubation.
    """

    process_class = ProposalProcess
    lock_impl = lock.select_for_update_lock
    process_title = _("PoC proposal")
    process_summary_template = "{{ process.proposal }} — {{ process.proposal.get_status_display }}"

    start = flow.StartHandle(this.start_process).Next(this.screen)

    screen = (
        flow.View(TaskRedirectView.as_view())
        .Permission("proposals.screen_proposal")
        .Annotation(title=_("Formal screening"), summary_template="{{ process.proposal }}")
        .Next(this.after_screening)
    )
    after_screening = (
        flow.Switch()
        .Case(this.revise, lambda act: act.process.proposal.status == S.RETURNED)
        .Case(this.assign_experts, lambda act: act.process.proposal.status == S.IN_REVIEW)
        .Default(this.end)
    )
    revise = (
        flow.View(TaskRedirectView.as_view())
        .Assign(lambda act: act.process.proposal.applicant)
        .Annotation(title=_("Revise and resubmit"), summary_template="{{ process.proposal }}")
        .onCreate(this.notify_owner)
        .Next(this.screen)
    )
    assign_experts = (
        flow.View(TaskRedirectView.as_view())
        .Permission("proposals.screen_proposal")
        .Annotation(title=_("Assign experts"), summary_template="{{ process.proposal }}")
        .Next(this.split_reviews)
    )
    split_reviews = MultiSplit().Next(this.review, data_source=this.review_items)
    review = (
        flow.View(TaskRedirectView.as_view())
        .Assign(this.review_owner)
        .Annotation(title=_("Score the proposal"), summary_template="{{ process.proposal }}")
        .onCreate(this.notify_owner)
        .Next(this.join_reviews)
    )
    # Created by code when an expert declines (conflict of interest), in the declined
    # branch, so the Join waits until staff assign a replacement and they have scored.
    replace_expert = (
        flow.View(TaskRedirectView.as_view())
        .Permission("proposals.screen_proposal")
        .Annotation(title=_("Assign a replacement expert"), summary_template="{{ process.proposal }}")
        .Next(this.review, task_data=this.replacement_item)
    )
    join_reviews = flow.Join().Next(this.close_review)
    close_review = flow.Function(this.do_close_review).Next(this.panel)
    panel = (
        flow.View(TaskRedirectView.as_view())
        .Permission("proposals.decide_proposal")
        .Annotation(title=_("Panel decision"), summary_template="{{ process.proposal }}")
        .Next(this.after_panel)
    )
    after_panel = flow.If(lambda act: act.process.proposal.status == S.APPROVED).Then(this.open_funding).Else(this.end)
    open_funding = flow.Function(this.do_open_funding).Next(this.funding)
    funding = (
        flow.View(TaskRedirectView.as_view())
        .Permission("proposals.approve_funding")
        .Annotation(title=_("Funding decision"), summary_template="{{ process.proposal }}")
        .Next(this.after_funding)
    )
    after_funding = flow.If(lambda act: act.process.proposal.status == S.FUNDED).Then(this.start_incubation).Else(this.end)
    start_incubation = (
        flow.View(TaskRedirectView.as_view())
        .Permission("proposals.start_incubation")
        .Annotation(title=_("Start incubation"), summary_template="{{ process.proposal }}")
        .Next(this.end)
    )
    end = flow.End()

    # callbacks

    def start_process(self, activation, *, proposal, actor):
        activation.process.proposal = proposal
        transition_proposal(proposal=proposal, transition=Transition.SUBMIT, actor=actor)
        return activation.process

    def review_items(self, activation):
        reviews = Review.objects.filter(proposal=activation.process.proposal, status=ReviewStatus.ASSIGNED).order_by("pk")
        return [{"review_id": pk} for pk in reviews.values_list("pk", flat=True)]

    def replacement_item(self, activation):
        return {"review_id": activation.task.data["review_id"]}

    def review_owner(self, activation):
        return Review.objects.select_related("expert").get(pk=activation.task.data["review_id"]).expert

    def do_close_review(self, activation):
        transition_proposal(proposal=activation.process.proposal, transition=Transition.CLOSE_REVIEW, system=True)

    def do_open_funding(self, activation):
        transition_proposal(proposal=activation.process.proposal, transition=Transition.OPEN_FUNDING, system=True)

    def notify_owner(self, activation):
        from workflows.notifications import notify_task_created

        notify_task_created(activation.task)
