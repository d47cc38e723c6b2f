"""Twenty letters numbered at once on PostgreSQL get twenty different, consecutive numbers."""

from django.utils import timezone

from centers.models import Center
from centers.services import allocate_number
from tests.concurrency import POSTGRES_ONLY, race

pytestmark = POSTGRES_ONLY


def test_concurrent_letters_never_share_a_document_number():
    center = Center.objects.create(name_zh="中心", number_prefix="概证", is_default=True)
    year = timezone.localdate().year
    results = race([lambda: allocate_number(center=Center.objects.get(pk=center.pk)) for _ in range(20)])
    assert all(kind == "ok" for kind, _value in results), results
    assert sorted(value for _kind, value in results) == sorted(f"概证〔{year}〕{n}号" for n in range(1, 21))
