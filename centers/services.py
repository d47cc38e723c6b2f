"""The operating center and its document numbers."""

from django.db import transaction
from django.utils import timezone

from centers.models import Center, DocumentNumberCounter


def default_center() -> Center | None:
    return Center.objects.filter(is_default=True).first()


def allocate_number(*, center: Center | None = None, year: int | None = None) -> str:
    """The next document number of the center for the year, e.g. 杭概证〔2026〕12号; "" without a prefix. The
    counter row is locked while it moves, so concurrent letters never share a number."""
    center = center or default_center()
    if center is None or not center.number_prefix:
        return ""
    year = year or timezone.localdate().year
    with transaction.atomic():
        DocumentNumberCounter.objects.get_or_create(center=center, year=year)
        counter = DocumentNumberCounter.objects.select_for_update().get(center=center, year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"{center.number_prefix}〔{year}〕{counter.last}号"
