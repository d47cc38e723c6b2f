"""Where a task is done: our own pages, scoped by predicates (viewflow's task pages are not)."""

from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from viewflow.workflow.models import Task


def task_url_for(task, process) -> str:
    name = task.flow_task.name
    if name == "review":
        return reverse("workflows:review", args=[task.data["review_id"]])
    if name == "escalate":
        return reverse("workflows:escalate", args=[task.data["review_id"]])
    if name == "replace_expert":
        return reverse("workflows:assign_experts", args=[process.proposal_id])
    if name == "revise":
        return reverse("proposals:edit", args=[process.proposal_id])
    return reverse(f"workflows:{name}", args=[process.proposal_id])


def task_url(task) -> str:
    return task_url_for(task, task.process.coerced)


class TaskRedirectView(View):
    """The view of every human node: sends the user to the page that does the work."""

    def dispatch(self, request, *args, **kwargs):
        task = get_object_or_404(Task, pk=kwargs.get("task_pk"))
        return redirect(task_url(task))
