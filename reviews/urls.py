"""Every reviews URL, in one module. pocflow/urls.py mounts each list at its own prefix and namespace:
expert/ (reviews), pool/ (pool), assignment/ (assignment), panel/ (panel), notices/ (notices); and
call_urls at the root with proposals' URLs, under the proposals namespace."""

from django.urls import path

from reviews.views import assignment, calls, notice, panel, pool, scoring

app_name = "reviews"
urlpatterns = [
    path("", scoring.mine, name="mine"),
    path("calls/<int:pk>/rubric/", scoring.rubric, name="rubric"),
]

# A call's page and set-up form, mounted with proposals' URLs under the proposals namespace.
call_urls = [
    path("calls/new/", calls.call_edit, name="call_new"),
    path("calls/<int:pk>/", calls.call_detail, name="call"),
    path("calls/<int:pk>/edit/", calls.call_edit, name="call_edit"),  # the builder's first step
    path("calls/<int:pk>/edit/<slug:step>/", calls.call_step, name="call_step"),
    path("calls/<int:pk>/preview/", calls.call_preview, name="call_preview"),
    path("calls/<int:pk>/open/", calls.call_open, name="call_open"),
]

pool_urls = ([
    path("", pool.expert_list, name="list"),
    path("new/", pool.expert_create, name="create"),
    path("me/", pool.my_profile, name="me"),
    path("import/", pool.import_view, name="import"),
    path("import/template.<str:fmt>", pool.import_template_view, name="import_template"),
    path("conflicts/detect/", pool.detect_call_view, name="detect_call"),
    path("<int:pk>/", pool.expert_detail, name="detail"),
    path("<int:pk>/edit/", pool.expert_edit, name="edit"),
    path("reviews/<int:review_pk>/conflict/", pool.declare_conflict, name="declare_conflict"),
], "pool")

assignment_urls = ([
    path("", assignment.calls, name="calls"),
    path("calls/<int:pk>/", assignment.call, name="call"),
    path("runs/<int:pk>/", assignment.run, name="run"),
    path("runs/<int:pk>/discard/", assignment.discard, name="discard"),
], "assignment")

panel_urls = ([
    path("", panel.calls, name="calls"),
    path("calls/<int:pk>/", panel.call, name="call"),
    path("proposals/<int:pk>/", panel.proposal, name="proposal"),
    path("calls/<int:pk>/roadshow/", panel.roadshow, name="roadshow"),
    path("calls/<int:pk>/roadshow/criteria/", panel.roadshow_criterion_add, name="roadshow_criterion_add"),
    path("calls/<int:pk>/roadshow/judges/", panel.roadshow_judge_add, name="roadshow_judge_add"),
    path("calls/<int:pk>/roadshow/slots/", panel.roadshow_slot_add, name="roadshow_slot_add"),
    path("roadshow/criteria/<int:pk>/remove/", panel.roadshow_criterion_remove, name="roadshow_criterion_remove"),
    path("roadshow/judges/<int:pk>/remove/", panel.roadshow_judge_remove, name="roadshow_judge_remove"),
    path("roadshow/slots/<int:pk>/cancel/", panel.roadshow_slot_cancel, name="roadshow_slot_cancel"),
    path("roadshow/", panel.my_slots, name="my_slots"),
    path("roadshow/slots/<int:pk>/", panel.sheet, name="sheet"),
], "panel")

notice_urls = ([
    path("", notice.notice_list, name="list"),
    path("<int:pk>/", notice.notice_detail, name="detail"),
    path("<int:pk>/manage/", notice.manage, name="manage"),
    path("objections/<int:pk>/resolve/", notice.resolve, name="resolve"),
    path("objections/confirm/<str:token>/", notice.confirm, name="confirm"),
    path("calls/<int:call_pk>/publish/", notice.publish, name="publish"),
], "notices")
