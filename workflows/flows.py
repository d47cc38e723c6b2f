"""The proposal flow: orchestration only. Every state change goes through the one door
(proposals.services.transition) inside a task activation, under the flow lock."""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from proposals.enums import ProposalStatus as S, Transition
from proposals.services.transition import transition_proposal
from reviews.enums import ReviewStatus
from reviews.models import Review
from reviews.services.deadlines import default_deadline, mark_review_escalated
from workflows.models import ProposalProcess
from workflows.nodes import MultiSplit
from workflows.notifications import notify_review_overdue, notify_task_created
from workflows.redirect import TaskRedirectView


class ProposalFlow(flow.Flow):
    """PoC proposal

    From submission through formal screening, expert review, panel decision and
    funding to the start of incubation.
    """

    process_class = ProposalProcess
    # the process row is locked without waiting; three attempts (about 1-2.5 s) before the user is told
    # someone else is working on the proposal (core.middleware answers 503), in line with DB_LOCK_TIMEOUT_MS
    lock_impl = lock.SelectForUpdateLock(nowait=True, attempts=3)
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
    # At the review's deadline the timer boundary (`review__timeout`) cancels the expert's task
    # and opens `escalate` for staff, in the same branch, so the Join keeps waiting.
    review = (
        flow.View(TaskRedirectView.as_view())
        .Assign(this.review_owner)
        .Annotation(title=_("Score the proposal"), summary_template="{{ process.proposal }}")
        .onCreate(this.notify_reviewer)
        .OnTimeout(this.review_deadline, this.escalate, title=_("Review deadline"))
        .Next(this.join_reviews)
    )
    # Staff extend the deadline (a new task for the same review, with a new timer) or replace
    # the expert (a task for the new review); either way the branch goes back to `review`.
    escalate = (
        flow.View(TaskRedirectView.as_view())
        .Permission("proposals.screen_proposal")
        .Annotation(title=_("Overdue review: extend or replace"),
                    summary_template="{{ process.proposal }} — {{ task.data.expert_name }}")
        .onCreate(this.on_escalated)
        .Next(this.review, task_data=this.escalation_item)
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
    after_panel = flow.If(lambda act: act.process.proposal.status == S.APPROVED).Then(this.notice_gate).Else(this.end)
    notice_gate = flow.If(lambda act: act.process.proposal.call.notice_days > 0).Then(this.await_notice).Else(this.open_funding)
    # Parks the approval during the public notice (公示). Workflows receivers run it when the
    # entry becomes final (→ funding) or when an objection is upheld (→ back to the panel).
    await_notice = (
        flow.Handle(this.settle_notice)
        .Annotation(title=_("Public notice"), summary_template="{{ process.proposal }}")
        .Next(this.after_notice)
    )
    after_notice = (
        flow.Switch()
        .Case(this.open_funding, lambda act: act.process.proposal.status == S.APPROVED)
        .Case(this.panel, lambda act: act.process.proposal.status == S.PANEL)
        .Default(this.end)
    )
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

    def review_deadline(self, activation):
        """Delay of the review's timer boundary: the review's deadline (the host task is `previous`)."""
        host = activation.task.previous.get()
        review = Review.objects.select_related("proposal__call").get(pk=host.data["review_id"])
        return review.deadline or default_deadline(proposal=review.proposal)

    def on_escalated(self, activation):
        """The timer fired: remember which review is overdue, mark it, tell staff."""
        timer = activation.task.previous.get()
        host = timer.previous.get()
        review = Review.objects.select_related("proposal", "expert").get(pk=host.data["review_id"])
        activation.task.data = {"review_id": review.pk, "expert_name": review.expert.display_name}
        activation.task.save(update_fields=["data"])
        mark_review_escalated(review=review)
        notify_review_overdue(review)

    def escalation_item(self, activation):
        data = activation.task.data
        return {"review_id": data.get("replacement_review_id") or data["review_id"]}

    def notify_reviewer(self, activation):
        """A new scoring task; after an extension the expert already got the extension mail."""
        previous = activation.task.previous.first()
        if previous is not None and previous.flow_task == self.escalate and previous.data.get("extended"):
            return
        self.notify_owner(activation)

    def settle_notice(self, activation, *, reopen=False, actor=None, note=""):
        """Run by workflows.notice when the notice settles; an upheld objection reopens the panel."""
        proposal = activation.process.proposal
        proposal.refresh_from_db()
        if reopen:
            transition_proposal(proposal=proposal, transition=Transition.REOPEN_PANEL, actor=actor, note=note)

    def do_close_review(self, activation):
        transition_proposal(proposal=activation.process.proposal, transition=Transition.CLOSE_REVIEW, system=True)

    def do_open_funding(self, activation):
        transition_proposal(proposal=activation.process.proposal, transition=Transition.OPEN_FUNDING, system=True)

    def notify_owner(self, activation):
        notify_task_created(activation.task)
