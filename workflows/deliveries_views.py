"""Staff: what the system still owes (letters, documents, mails), what it gave up on, and retrying."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.http import require_GET, require_POST

from core import outbox
from core.models import Delivery
from core.views import require_perm

VIEWS = {
    "pending": lambda: Delivery.objects.waiting().order_by("next_attempt_at", "pk"),
    "failed": lambda: Delivery.objects.given_up().order_by("-failed_at", "-pk"),
    "done": lambda: Delivery.objects.delivered().order_by("-done_at", "-pk"),
}


@require_GET
def deliveries(request):
    require_perm(request.user, "workflows.manage_deliveries")
    show = request.GET.get("show") if request.GET.get("show") in VIEWS else "pending"
    page = Paginator(VIEWS[show](), 50).get_page(request.GET.get("page"))
    rows = [{"delivery": d, "label": outbox.label_of(d.kind)} for d in page.object_list]
    counts = {name: query().count() for name, query in VIEWS.items() if name != "done"}
    return render(request, "workflows/deliveries.html", {
        "show": show, "page": page, "rows": rows, "counts": counts,
    })


@require_POST
def retry(request, pk):
    require_perm(request.user, "workflows.manage_deliveries")
    delivery = get_object_or_404(Delivery, pk=pk)
    if delivery.done_at is not None:
        messages.info(request, _("This was delivered already; nothing to retry."))
    else:
        outbox.retry(deliveries=Delivery.objects.filter(pk=pk))
        messages.success(request, _("Queued again: it will be delivered in a moment."))
    return redirect(f"{reverse('workflows:deliveries')}?show={'failed' if delivery.failed_at else 'pending'}")


@require_POST
def retry_all(request):
    require_perm(request.user, "workflows.manage_deliveries")
    count = outbox.retry(deliveries=VIEWS["failed"]())
    messages.success(request, ngettext("%(count)d delivery queued again.", "%(count)d deliveries queued again.", count)
                     % {"count": count})
    return redirect(f"{reverse('workflows:deliveries')}?show=failed")
