"""The fund managers' disbursement queue: what can be paid now, what waits and why, by fund."""

import pytest
from django.urls import reverse

from funding.models import Fund
from incubation.enums import TrancheGate
from incubation.services import close_project
from incubation.services.money import release_tranche
from tests.incubation.agreement_support import incubating, login, pass_midterm, signed

pytestmark = pytest.mark.django_db

QUEUE = reverse("incubation:disbursements")


def rows(response):
    ready = [(r["tranche"].agreement.project_id, r["tranche"].order) for r in response.context["ready"]]
    waiting = [(r["tranche"].agreement.project_id, r["tranche"].order, r["why"]) for r in response.context["waiting"]]
    return ready, waiting


def test_queue_splits_ready_tranches_from_waiting_ones_with_the_reason(client):
    world, project, agreement = signed()
    pass_midterm(world, project)
    release_tranche(tranche=agreement.tranches.get(order=1), actor=world.fund_manager, reference="V-1")
    _w2, draft_project, _a2 = incubating()
    login(client, world.fund_manager)

    response = client.get(QUEUE)

    assert response.status_code == 200
    ready, waiting = rows(response)
    assert ready == [(project.pk, 2)]
    assert waiting == [
        (project.pk, 3, "Final acceptance has not been passed yet."),
        (draft_project.pk, 1, "The agreement has not been signed yet."),
        (draft_project.pk, 2, "The agreement has not been signed yet."),
        (draft_project.pk, 3, "The agreement has not been signed yet."),
    ]
    assert f'action="{reverse("incubation:release_tranche", args=[agreement.tranches.get(order=2).pk])}"' in (
        response.content.decode())


def test_queue_filters_by_fund(client):
    world, project, agreement = signed()
    other_world, other_project, _other = signed()
    login(client, world.fund_manager)

    response = client.get(QUEUE, {"fund": other_world.call.fund_id})

    ready, waiting = rows(response)
    assert ready == [(other_project.pk, 1)]
    assert {p for p, _o, _w in waiting} == {other_project.pk}
    assert Fund.objects.count() == 2


def test_closed_projects_leave_the_queue(client):
    world, project, agreement = signed()
    close_project(project=project, actor=world.incubator, outcome="terminated", note="终止")
    login(client, world.fund_manager)

    assert rows(client.get(QUEUE)) == ([], [])


@pytest.mark.parametrize("count", [1, 3])
def test_queue_query_count_does_not_grow_with_projects(client, django_assert_num_queries, count):
    worlds = [signed() for _ in range(count)]
    world = worlds[0][0]
    for w, project, _agreement in worlds:
        pass_midterm(w, project)
    login(client, world.fund_manager)

    # session, user, groups (permission), funds of the filter, tranches, mid-term checks, acceptances
    with django_assert_num_queries(7):
        response = client.get(QUEUE)

    ready, waiting = rows(response)
    assert (len(ready), len(waiting)) == (2 * count, count)
    assert all(r["tranche"].gate in (TrancheGate.SIGNATURE, TrancheGate.MIDTERM) for r in response.context["ready"])
