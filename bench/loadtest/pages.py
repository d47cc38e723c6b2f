"""The pages each demo role walks in the load test (`manage.py shell` prints them as JSON for the runner)."""


from django.urls import reverse

from proposals.models import Call, Proposal
from reviews.enums import ReviewStatus
from reviews.models import PublicNotice, Review


def pages() -> dict:
    call = Call.objects.order_by("pk").first()
    proposal = Proposal.objects.filter(applicant__username="researcher").order_by("pk").first()
    review = Review.objects.filter(expert__username="expert1", status=ReviewStatus.ASSIGNED).order_by("pk").first() \
        or Review.objects.filter(expert__username="expert1").order_by("pk").first()
    notice = PublicNotice.objects.order_by("pk").first()
    public = [("public notices", reverse("notices:list"))]
    if notice is not None:
        public.append(("public notice", reverse("notices:detail", args=[notice.pk])))
    return {
        "researcher": [("home", reverse("home")), ("my proposals", reverse("proposals:mine")),
                       ("proposal page", reverse("proposals:detail", args=[proposal.pk]))],
        "expert1": [("home", reverse("home")), ("expert task list", reverse("reviews:mine")),
                    *([("scoring page", reverse("workflows:review", args=[review.pk]))] if review else [])],
        "officer": [("home", reverse("home")), ("all proposals", reverse("proposals:all")),
                    ("panel page", reverse("panel:call", args=[call.pk]))],
        "chair": [("home", reverse("home")), ("panel page", reverse("panel:call", args=[call.pk]))],
        "fundmanager": [("home", reverse("home")), ("funds", reverse("funding:funds"))],
        "anonymous": public,
    }

