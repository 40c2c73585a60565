from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from catalog.models import Credit, Title
from tests.factories import (
    CreditFactory,
    GenreFactory,
    PersonFactory,
    TagFactory,
    TitleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator() -> User:
    return UserFactory(email="curator@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client: Client, curator: User) -> Client:
    client.force_login(curator)
    return client


def _title_form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "movie",
        "name": "The Glass Harbor",
        "slug": "the-glass-harbor",
        "synopsis": "A harbour town keeps a secret.",
        "is_published": "on",
        "year": "2019",
        "runtime_minutes": "104",
        "maturity_rating": "PG-13",
        "original_language": "en",
        "country": "GB",
        "added_at_0": "2024-01-02",
        "added_at_1": "10:00:00",
        "credits-TOTAL_FORMS": "0",
        "credits-INITIAL_FORMS": "0",
        "seasons-TOTAL_FORMS": "0",
        "seasons-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_changelist_shows_posters_and_filters(
    admin_client: Client, django_assert_max_num_queries: object
) -> None:
    drama = GenreFactory(name="Drama")
    for i in range(20):
        TitleFactory(name=f"Title {i}", genres=[drama])
    with django_assert_max_num_queries(10):
        response = admin_client.get(reverse("admin:catalog_title_changelist"))
    assert response.status_code == 200
    assert "poster.svg" in response.text
    assert "Drama" in response.text
    for filter_param in ("kind__exact", "decade", "maturity_rating__exact", "is_published__exact"):
        assert filter_param in response.text


def test_changelist_searches_by_person(admin_client: Client) -> None:
    CreditFactory(title=TitleFactory(name="Found Me"), person=PersonFactory(name="Odile Marsh"))
    TitleFactory(name="Not Me")
    response = admin_client.get(reverse("admin:catalog_title_changelist") + "?q=odile")
    assert "Found Me" in response.text
    assert "Not Me" not in response.text


def test_change_form_renders_inlines_and_autocomplete(admin_client: Client) -> None:
    title = TitleFactory(kind=Title.Kind.SERIES)
    CreditFactory(title=title)
    response = admin_client.get(reverse("admin:catalog_title_change", args=[title.pk]))
    assert response.status_code == 200
    assert "credits-TOTAL_FORMS" in response.text
    assert "seasons-TOTAL_FORMS" in response.text
    assert "admin-autocomplete" in response.text


def test_add_title_with_genres_tags_and_credit(admin_client: Client) -> None:
    genre, tag, person = GenreFactory(name="Drama"), TagFactory(), PersonFactory()
    data = _title_form(
        genres=[genre.pk],
        tags=[tag.pk],
        **{
            "credits-TOTAL_FORMS": "1",
            "credits-0-person": str(person.pk),
            "credits-0-role": "director",
            "credits-0-billing_order": "0",
        },
    )
    response = admin_client.post(reverse("admin:catalog_title_add"), data)
    assert response.status_code == 302, response.context["adminform"].errors
    title = Title.objects.get(slug="the-glass-harbor")
    assert list(title.genres.all()) == [genre]
    assert title.credits.get().role == Credit.Role.DIRECTOR


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"year": "1700"}, "greater than or equal to 1870"),
        ({"runtime_minutes": "0"}, "greater than or equal to 1"),
        ({"slug": "taken"}, "Title with this Slug already exists."),
        ({"release_date": "2001-05-05"}, "must fall in the title"),
        ({"imdb_id": "12345"}, "An IMDb id looks like"),
    ],
)
def test_bad_values_are_form_errors(
    admin_client: Client, overrides: dict[str, str], message: str
) -> None:
    TitleFactory(slug="taken")
    response = admin_client.post(reverse("admin:catalog_title_add"), _title_form(**overrides))
    assert response.status_code == 200
    assert message in response.text
    assert not Title.objects.filter(name="The Glass Harbor").exists()


def test_duplicate_credit_is_a_form_error(admin_client: Client) -> None:
    person = PersonFactory()
    data = _title_form(
        **{
            "credits-TOTAL_FORMS": "2",
            "credits-0-person": str(person.pk),
            "credits-0-role": "actor",
            "credits-0-billing_order": "0",
            "credits-1-person": str(person.pk),
            "credits-1-role": "actor",
            "credits-1-billing_order": "1",
        }
    )
    response = admin_client.post(reverse("admin:catalog_title_add"), data)
    assert response.status_code == 200
    assert "Please correct the duplicate data" in response.text
    assert not Title.objects.exists()


def test_publish_and_unpublish_actions(admin_client: Client) -> None:
    titles = [TitleFactory(is_published=False) for _ in range(3)]
    url = reverse("admin:catalog_title_changelist")
    admin_client.post(url, {"action": "publish", "_selected_action": [t.pk for t in titles[:2]]})
    assert Title.objects.filter(is_published=True).count() == 2
    admin_client.post(url, {"action": "unpublish", "_selected_action": [titles[0].pk]})
    assert Title.objects.filter(is_published=True).count() == 1


@pytest.mark.parametrize("model", ["person", "genre", "tag", "season"])
def test_other_changelists_and_add_forms(admin_client: Client, model: str) -> None:
    assert admin_client.get(reverse(f"admin:catalog_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:catalog_{model}_add")).status_code == 200


def test_people_autocomplete(admin_client: Client) -> None:
    PersonFactory(name="Ines Vidal")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "ines",
            "app_label": "catalog",
            "model_name": "credit",
            "field_name": "person",
        },
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["text"] == "Ines Vidal"


def test_accounts_admin(admin_client: Client, alice: User) -> None:
    assert admin_client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    change = admin_client.get(reverse("admin:accounts_user_change", args=[alice.pk]))
    assert change.status_code == 200
    assert admin_client.get(reverse("admin:accounts_profile_changelist")).status_code == 200


def test_viewers_cannot_reach_the_admin(alice_client: Client) -> None:
    response = alice_client.get(reverse("admin:catalog_title_changelist"))
    assert response.status_code == 302
