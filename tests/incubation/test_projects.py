import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from core.errors import ConcurrentChange
from incubation.enums import MilestoneStatus, ProjectStatus
from incubation.models import Milestone, ProgressNote, Project
from incubation.services import close_project, record_progress
from incubation.services.money import release_tranche
from proposals.models import AuditEntry
from tests.factories import ProposalFactory, UserFactory
from tests.helpers import World

pytestmark = pytest.mark.django_db

# session, user, the user's groups (role check), the page count, projects with proposal and manager, open milestones
PROJECTS_LIST_QUERIES = 6

TODAY = dt.date(2026, 3, 1)


def signed_in(client, role):
    user = UserFactory(role=role)
    client.force_login(user)
    return user


def make_project(*, manager=None, milestones=(("样机", TODAY),)):
    """A project created directly (the workflow's start_project is not under test here);
    its status is the model's initial one."""
    project = Project.objects.create(proposal=ProposalFactory(), manager=manager)
    for title, due in milestones:
        Milestone.objects.create(project=project, title=title, due_date=due)
    return project


@pytest.fixture
def manager(client):
    return signed_in(client, "incubation_manager")


def audit_actions(project):
    return list(AuditEntry.objects.filter(proposal=project.proposal).values_list("action", flat=True))


# The list


@pytest.mark.parametrize("count", [1, 3])
def test_projects_list_query_count_does_not_grow_with_projects(client, manager, django_assert_num_queries, count):
    for _ in range(count):
        make_project(manager=manager, milestones=[("样机", TODAY), ("中试", TODAY + dt.timedelta(days=90))])

    with django_assert_num_queries(PROJECTS_LIST_QUERIES):
        response = client.get(reverse("incubation:projects"))

    assert len(response.context["projects"]) == count


def test_projects_list_shows_the_soonest_milestone_not_yet_done_or_missed(client, manager):
    project = make_project(manager=manager, milestones=[
        ("立项评估", TODAY - dt.timedelta(days=30)),
        ("样机验证", TODAY + dt.timedelta(days=30)),
        ("中试放大", TODAY + dt.timedelta(days=60)),
        ("漏掉的检查", TODAY - dt.timedelta(days=10)),
    ])
    for title, status in (("立项评估", MilestoneStatus.DONE), ("漏掉的检查", MilestoneStatus.MISSED)):
        record_progress(project=project, author=manager, note="进展", milestone=project.milestones.get(title=title),
                        milestone_status=status)

    response = client.get(reverse("incubation:projects"))

    [row] = response.context["projects"]
    assert [m.title for m in row.open_milestones] == ["样机验证", "中试放大"]
    html = response.content.decode()
    assert "样机验证" in html and "中试放大" not in html
    assert f'href="{reverse("incubation:project", args=[project.pk])}"' in html


# Who may see and do what


@pytest.mark.parametrize("role", ["incubation_manager", "administrator", "program_officer", "fund_manager"])
def test_staff_who_follow_incubation_can_open_the_project_pages(client, role):
    signed_in(client, role)
    project = make_project()

    statuses = [client.get(reverse("incubation:projects")).status_code,
                client.get(reverse("incubation:project", args=[project.pk])).status_code]

    assert statuses == [200, 200]


@pytest.mark.parametrize("role", ["researcher", "expert"])
def test_researchers_and_experts_are_refused_every_incubation_page(client, role):
    signed_in(client, role)
    project = make_project()
    milestone = project.milestones.get()

    statuses = [
        client.get(reverse("incubation:projects")).status_code,
        client.get(reverse("incubation:project", args=[project.pk])).status_code,
        client.post(reverse("incubation:progress", args=[project.pk]),
                    {"progress-note": "进展", "progress-milestone": milestone.pk,
                     "progress-milestone_status": MilestoneStatus.DONE}).status_code,
        client.post(reverse("incubation:close", args=[project.pk]),
                    {"close-outcome": ProjectStatus.GRADUATED, "close-note": "结项"}).status_code,
    ]

    assert statuses == [403, 403, 403, 403]
    project.refresh_from_db()
    assert (project.status, ProgressNote.objects.count(), audit_actions(project)) == (ProjectStatus.ACTIVE, 0, [])


def test_fund_manager_cannot_record_progress(client):
    signed_in(client, "fund_manager")
    project = make_project()
    milestone = project.milestones.get()

    response = client.post(reverse("incubation:progress", args=[project.pk]), {
        "progress-note": "进展", "progress-milestone": milestone.pk, "progress-milestone_status": MilestoneStatus.DONE})

    assert response.status_code == 403
    milestone.refresh_from_db()
    assert (milestone.status, ProgressNote.objects.count(), audit_actions(project)) == (MilestoneStatus.PLANNED, 0, [])


def test_fund_manager_sees_the_project_without_the_manager_forms(client):
    signed_in(client, "fund_manager")
    project = make_project()

    response = client.get(reverse("incubation:project", args=[project.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("incubation:progress", args=[project.pk]) not in html
    assert reverse("incubation:close", args=[project.pk]) not in html


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    project = make_project()

    for url in (reverse("incubation:projects"), reverse("incubation:project", args=[project.pk])):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url}")
    url = reverse("incubation:close", args=[project.pk])
    response = client.post(url, {"close-outcome": ProjectStatus.GRADUATED, "close-note": "结项"})
    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url}")


# Recording progress


def test_incubation_manager_records_progress_and_marks_a_milestone_done(client, manager):
    project = make_project(manager=manager)
    milestone = project.milestones.get()

    response = client.post(reverse("incubation:progress", args=[project.pk]), {
        "progress-note": "样机通过第三方检测。", "progress-milestone": milestone.pk,
        "progress-milestone_status": MilestoneStatus.DONE,
    }, follow=True)

    assert response.redirect_chain == [(reverse("incubation:project", args=[project.pk]), 302)]
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.DONE
    assert milestone.completed_at is not None
    note = ProgressNote.objects.get()
    assert (note.project, note.milestone, note.author, note.note) == (project, milestone, manager, "样机通过第三方检测。")
    audit = AuditEntry.objects.get(proposal=project.proposal)
    assert (audit.action, audit.actor, audit.note, audit.data) == (
        "project.progress", manager, "样机通过第三方检测。",
        {"note": note.pk, "milestone": milestone.pk, "milestone_from": "planned", "milestone_to": "done"},
    )
    assert "样机通过第三方检测。" in response.content.decode()


def test_progress_without_a_milestone_changes_no_milestone(client, manager):
    project = make_project(manager=manager)

    response = client.post(reverse("incubation:progress", args=[project.pk]), {"progress-note": "团队扩充到五人。"})

    assert response.status_code == 302
    assert list(project.milestones.values_list("status", flat=True)) == [MilestoneStatus.PLANNED]
    assert (ProgressNote.objects.get().milestone, audit_actions(project)) == (None, ["project.progress"])


def test_empty_progress_note_is_refused_with_400_and_the_typed_data_kept(client, manager):
    project = make_project(manager=manager, milestones=[("样机", TODAY), ("中试", TODAY + dt.timedelta(days=60))])
    milestone = project.milestones.get(title="中试")

    response = client.post(reverse("incubation:progress", args=[project.pk]), {
        "progress-note": "   ", "progress-milestone": milestone.pk,
        "progress-milestone_status": MilestoneStatus.IN_PROGRESS,
    })

    assert response.status_code == 400
    form = response.context["progress_form"]
    assert list(form.errors) == ["note"]
    assert (form["milestone"].value(), form["milestone_status"].value()) == (str(milestone.pk), "in_progress")
    html = response.content.decode()
    assert f'<option value="{milestone.pk}" selected>中试</option>' in html
    assert '<option value="in_progress" selected>' in html
    milestone.refresh_from_db()
    assert (milestone.status, ProgressNote.objects.count(), audit_actions(project)) == (MilestoneStatus.PLANNED, 0, [])


def test_milestone_status_without_a_milestone_is_refused(client, manager):
    project = make_project(manager=manager)

    response = client.post(reverse("incubation:progress", args=[project.pk]), {
        "progress-note": "进展", "progress-milestone_status": MilestoneStatus.DONE})

    assert response.status_code == 400
    assert list(response.context["progress_form"].errors) == ["milestone"]
    assert ProgressNote.objects.count() == 0


def test_milestone_of_another_project_is_refused(client, manager):
    project = make_project(manager=manager)
    foreign = make_project(manager=manager).milestones.get()

    response = client.post(reverse("incubation:progress", args=[project.pk]), {
        "progress-note": "进展", "progress-milestone": foreign.pk, "progress-milestone_status": MilestoneStatus.DONE})

    assert response.status_code == 400
    foreign.refresh_from_db()
    assert (foreign.status, ProgressNote.objects.count()) == (MilestoneStatus.PLANNED, 0)


def test_progress_on_a_closed_project_is_a_409_with_the_note_kept(client, manager):
    project = make_project(manager=manager)
    close_project(project=project, actor=manager, outcome=ProjectStatus.TERMINATED, note="技术路线不可行。")

    response = client.post(reverse("incubation:progress", args=[project.pk]), {"progress-note": "补记一条进展"})

    assert response.status_code == 409
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert response.context["progress_form"]["note"].value() == "补记一条进展"
    assert (ProgressNote.objects.count(), audit_actions(project)) == (0, ["project.terminated", "project.unpaid_returned"])


# Closing


def test_incubation_manager_closes_a_project_as_graduated(client, manager):
    project = make_project(manager=manager)

    response = client.post(reverse("incubation:close", args=[project.pk]), {
        "close-outcome": ProjectStatus.GRADUATED, "close-note": "完成中试，成立公司。"}, follow=True)

    assert response.redirect_chain == [(reverse("incubation:project", args=[project.pk]), 302)]
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    project.refresh_from_db()
    assert (project.status, project.closing_note) == (ProjectStatus.GRADUATED, "完成中试，成立公司。")
    assert project.closed_at is not None
    audit = AuditEntry.objects.get(proposal=project.proposal)
    assert (audit.action, audit.actor, audit.from_state, audit.to_state, audit.note) == (
        "project.graduated", manager, "active", "graduated", "完成中试，成立公司。")


def test_closing_a_closed_project_again_is_a_409_and_changes_nothing(client, manager):
    project = make_project(manager=manager)
    url = reverse("incubation:close", args=[project.pk])
    client.post(url, {"close-outcome": ProjectStatus.GRADUATED, "close-note": "完成中试。"}, follow=True)
    project.refresh_from_db()
    closed_at = project.closed_at

    response = client.post(url, {"close-outcome": ProjectStatus.TERMINATED, "close-note": "改为终止。"})

    assert response.status_code == 409
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    project.refresh_from_db()
    assert (project.status, project.closing_note, project.closed_at) == (ProjectStatus.GRADUATED, "完成中试。", closed_at)
    assert audit_actions(project) == ["project.graduated"]


def test_empty_closing_note_is_refused_with_400_and_the_outcome_kept(client, manager):
    project = make_project(manager=manager)

    response = client.post(reverse("incubation:close", args=[project.pk]), {
        "close-outcome": ProjectStatus.TERMINATED, "close-note": ""})

    assert response.status_code == 400
    form = response.context["close_form"]
    assert (list(form.errors), form["outcome"].value()) == (["note"], "terminated")
    assert 'value="terminated" required id="id_close-outcome_1" checked>' in response.content.decode()
    project.refresh_from_db()
    assert (project.status, audit_actions(project)) == (ProjectStatus.ACTIVE, [])


def test_close_and_progress_accept_only_post(client, manager):
    project = make_project(manager=manager)

    statuses = [client.get(reverse("incubation:close", args=[project.pk])).status_code,
                client.get(reverse("incubation:progress", args=[project.pk])).status_code]

    assert statuses == [405, 405]


def test_closing_a_copy_loaded_before_someone_else_closed_it_is_a_conflict_and_changes_nothing(manager):
    project = make_project(manager=manager)
    stale = Project.objects.get(pk=project.pk)  # a second manager's page, loaded before the first closed it
    close_project(project=project, actor=manager, outcome=ProjectStatus.GRADUATED, note="已注册公司。")

    with pytest.raises(ConcurrentChange):
        close_project(project=stale, actor=manager, outcome=ProjectStatus.TERMINATED, note="终止。")

    project.refresh_from_db()
    assert (project.status, project.closing_note) == (ProjectStatus.GRADUATED, "已注册公司。")
    assert stale.status == ProjectStatus.GRADUATED
    assert audit_actions(project) == ["project.graduated"]


def test_the_list_shows_each_projects_agreement_and_what_was_paid(client, manager):

    world = World()
    project = world.incubating(amount=Decimal("200000.00"))
    agreement = world.signed(project)
    release_tranche(tranche=agreement.tranches.get(order=1), actor=world.fund_manager, reference="BOC-1")

    html = client.get(reverse("incubation:projects")).content.decode()

    assert "120,000.00 / 200,000.00 CNY" in html
    assert "已签署" in html  # the agreement's status, in the user's language
