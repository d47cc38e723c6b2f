from django.shortcuts import render

from pocflow.views import require_perm
from reviews.models import Conflict
from reviews.selectors import expert_reviews


def mine(request):
    require_perm(request.user, "reviews.expert_area")
    return render(request, "reviews/mine.html", {
        "reviews": expert_reviews(expert=request.user),
        "conflicts": Conflict.objects.filter(expert=request.user).select_related("proposal"),
    })
