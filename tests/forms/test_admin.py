import pytest

from tests.factories import FormDefinitionFactory, QuestionFactory, UserFactory


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
def test_form_list_shows_question_counts_and_finds_forms_by_question_label(admin_client):
    form = FormDefinitionFactory(name="2026 申报书")
    QuestionFactory(form=form, label_zh="技术成熟度")
    QuestionFactory(form=form, label_zh="团队")
    FormDefinitionFactory(name="其他表单")

    response = admin_client.get("/admin/forms/formdefinition/", {"q": "成熟度"})

    assert response.status_code == 200
    assert [(f.name, f.question_count) for f in response.context["cl"].result_list] == [("2026 申报书", 2)]


@pytest.mark.django_db
def test_form_change_page_shows_questions_inline(admin_client):
    question = QuestionFactory(label_zh="技术成熟度")

    response = admin_client.get(f"/admin/forms/formdefinition/{question.form.pk}/change/")

    assert response.status_code == 200
    assert [q.label_zh for q in response.context["inline_admin_formsets"][0].formset.queryset] == ["技术成熟度"]


@pytest.mark.django_db
@pytest.mark.parametrize("forms_listed", [1, 3])
def test_form_list_query_count_does_not_grow_with_forms(admin_client, django_assert_num_queries, forms_listed):
    for _ in range(forms_listed):
        QuestionFactory.create_batch(2, form=FormDefinitionFactory())

    # the same for 1 and 3 forms: the question count is annotated, not queried per row
    with django_assert_num_queries(6):
        response = admin_client.get("/admin/forms/formdefinition/")

    assert len(response.context["cl"].result_list) == forms_listed
