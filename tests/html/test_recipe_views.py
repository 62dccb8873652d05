"""The recipe pages, without JavaScript."""

from __future__ import annotations

import uuid

import pytest
from markupsafe import escape

from tasty_recipes.recipes import service as recipes
from tasty_recipes.recipes.models import Recipe

from ..support.accounts import log_in

CONFLICT = "This recipe was changed by someone else while you were editing it."


def _html(response) -> str:
    return response.get_data(as_text=True)


def _reload(recipe_id) -> Recipe:
    return recipes.get_recipe(recipe_id)


# --- login required ----------------------------------------------------------------------

PROTECTED = [
    ("get", "/html/recipes"),
    ("get", "/html/recipes/new"),
    ("post", "/html/recipes"),
    ("get", "/html/recipes/{id}"),
    ("get", "/html/recipes/{id}/edit"),
    ("post", "/html/recipes/{id}/edit"),
    ("post", "/html/recipes/{id}/delete"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_every_route_requires_login(client, recipe, method, path):
    response = getattr(client, method)(path.format(id=recipe.id), data={"name": "x", "description": "y"})
    assert response.status_code == 302
    assert response.location == "/users/log_in"
    html = _html(client.get("/users/log_in"))
    assert "You must log in to access this page." in html
    assert _reload(recipe.id).name == "Lentil soup"


def test_get_route_is_remembered_for_after_log_in(client):
    client.get("/html/recipes?after=abc")
    with client.session_transaction() as session:
        assert session["user_return_to"] == "/html/recipes?after=abc"


# --- listing -------------------------------------------------------------------------------


def test_lists_every_recipe_with_owner_email(logged_in_client, user, user_fixture, recipe_fixture):
    other = user_fixture()
    recipe_fixture(user, name="Mine", description="My description")
    recipe_fixture(other, name="Theirs", description="Their description")
    html = _html(logged_in_client.get("/html/recipes"))
    assert "<h1>Listing Recipes</h1>" in html
    for text in ("Mine", "My description", "Theirs", "Their description", user.email, other.email):
        assert text in html
    assert ">New Recipe</a>" in html
    assert 'href="/html/recipes/new"' in html


def test_list_shows_edit_and_delete_only_where_allowed(logged_in_client, user, user_fixture, recipe_fixture):
    mine = recipe_fixture(user, name="Mine")
    theirs = recipe_fixture(user_fixture(), name="Theirs")
    html = _html(logged_in_client.get("/html/recipes"))
    assert html.count(">Show</a>") == 2
    assert f'href="/html/recipes/{mine.id}/edit"' in html
    assert f'action="/html/recipes/{mine.id}/delete"' in html
    assert f'href="/html/recipes/{theirs.id}"' in html
    assert f"/html/recipes/{theirs.id}/edit" not in html
    assert f"/html/recipes/{theirs.id}/delete" not in html


def test_admin_sees_edit_and_delete_on_every_recipe(client, user_fixture, recipe_fixture):
    theirs = recipe_fixture(user_fixture())
    log_in(client, user_fixture(admin=True))
    html = _html(client.get("/html/recipes"))
    assert f"/html/recipes/{theirs.id}/edit" in html
    assert f"/html/recipes/{theirs.id}/delete" in html


def test_list_is_paginated_by_50_with_next_page_link(logged_in_client, user, recipe_fixture):
    for n in range(51):
        recipe_fixture(user, name=f"Recipe number {n:02d}")
    first = _html(logged_in_client.get("/html/recipes"))
    assert first.count(">Show</a>") == 50
    assert "Recipe number 00" not in first  # the oldest is on the next page
    page = recipes.list_recipes(user)
    assert f'href="/html/recipes?after={page.next_cursor}"' in first
    assert ">Next page</a>" in first
    second = _html(logged_in_client.get(f"/html/recipes?after={page.next_cursor}"))
    assert second.count(">Show</a>") == 1
    assert "Recipe number 00" in second
    assert "Next page" not in second


def test_list_with_a_garbled_cursor_is_a_client_error(logged_in_client):
    assert logged_in_client.get("/html/recipes?after=garbage").status_code == 422


def test_empty_list_invites_to_create(logged_in_client):
    html = _html(logged_in_client.get("/html/recipes"))
    assert "No recipes yet" in html
    assert "Next page" not in html


def test_list_page_runs_the_same_few_statements_whatever_the_page_size(
    logged_in_client, user, user_fixture, recipe_fixture, count_statements
):
    def statements_for_list_page() -> int:
        with count_statements() as seen:
            assert logged_in_client.get("/html/recipes").status_code == 200
        return len(seen)

    recipe_fixture(user)
    with_one = statements_for_list_page()
    owners = [user_fixture() for _ in range(5)]
    for n in range(60):
        recipe_fixture(owners[n % 5], name=f"Recipe {n}")
    with_a_full_page = statements_for_list_page()
    assert with_one <= 3, with_one
    assert with_a_full_page == with_one


# --- show ----------------------------------------------------------------------------------


def test_shows_a_recipe_of_anyone(logged_in_client, user_fixture, recipe_fixture):
    owner = user_fixture()
    recipe = recipe_fixture(owner, name="Their soup", description="Their steps")
    response = logged_in_client.get(f"/html/recipes/{recipe.id}")
    html = _html(response)
    assert response.status_code == 200
    assert "Their soup" in html
    assert "Their steps" in html
    assert owner.email in html
    assert f"/html/recipes/{recipe.id}/edit" not in html


def test_show_offers_edit_and_delete_to_the_owner(logged_in_client, recipe):
    html = _html(logged_in_client.get(f"/html/recipes/{recipe.id}"))
    assert f'href="/html/recipes/{recipe.id}/edit"' in html
    assert f'action="/html/recipes/{recipe.id}/delete"' in html


@pytest.mark.parametrize(
    "path",
    [
        "/html/recipes/{unknown}",
        "/html/recipes/{unknown}/edit",
        "/html/recipes/not-a-uuid",
        "/html/recipes/not-a-uuid/edit",
        "/html/recipes/12345/edit",
    ],
)
def test_unknown_or_malformed_id_is_a_404_page(logged_in_client, path):
    response = logged_in_client.get(path.format(unknown=uuid.uuid4()))
    assert response.status_code == 404
    assert "Not Found" in _html(response)


@pytest.mark.parametrize(
    "path",
    [
        "/html/recipes/{unknown}/edit",
        "/html/recipes/{unknown}/delete",
        "/html/recipes/not-a-uuid/edit",
        "/html/recipes/not-a-uuid/delete",
    ],
)
def test_posting_to_unknown_or_malformed_id_is_a_404_page(logged_in_client, path):
    response = logged_in_client.post(
        path.format(unknown=uuid.uuid4()), data={"name": "x", "description": "y"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("page", ["/html/recipes", "/html/recipes/{id}"])
def test_script_in_name_and_description_is_escaped(logged_in_client, user, recipe_fixture, page):
    recipe = recipe_fixture(
        user, name="<script>alert('name')</script>", description="<script>alert('description')</script>"
    )
    html = _html(logged_in_client.get(page.format(id=recipe.id)))
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(&#39;description&#39;)&lt;/script&gt;" in html


# --- create --------------------------------------------------------------------------------


def test_renders_the_new_recipe_form(logged_in_client):
    response = logged_in_client.get("/html/recipes/new")
    html = _html(response)
    assert response.status_code == 200
    assert "<h1" in html and "New Recipe</h1>" in html
    assert 'action="/html/recipes"' in html
    assert 'name="name"' in html and 'name="description"' in html
    assert 'name="csrf_token"' in html


def test_creates_a_recipe_owned_by_the_current_user(logged_in_client, user):
    response = logged_in_client.post(
        "/html/recipes", data={"name": "Pancakes", "description": "Flour, eggs, milk."}
    )
    assert response.status_code == 302
    assert response.location == "/html/recipes"
    html = _html(logged_in_client.get("/html/recipes"))
    assert "Recipe created successfully" in html
    assert "Pancakes" in html
    [created] = recipes.list_recipes(user).items
    assert created.owner_id == user.id
    assert created.description == "Flour, eggs, milk."


def test_create_ignores_owner_and_id_in_the_form(logged_in_client, user, user_fixture):
    other = user_fixture()
    chosen_id = uuid.uuid4()
    logged_in_client.post(
        "/html/recipes",
        data={
            "name": "Mine",
            "description": "d",
            "owner_id": str(other.id),
            "owner": str(other.id),
            "id": str(chosen_id),
        },
    )
    [created] = recipes.list_recipes(user).items
    assert created.owner_id == user.id
    assert created.id != chosen_id


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "description": "d"}, "name", "can't be blank"),
        ({"name": "   ", "description": "d"}, "name", "can't be blank"),
        ({"name": "n", "description": ""}, "description", "can't be blank"),
        ({"name": "x" * 256, "description": "d"}, "name", "should be at most 255 character(s)"),
    ],
)
def test_create_with_invalid_data_re_renders_the_form(logged_in_client, user, data, field, message):
    response = logged_in_client.post("/html/recipes", data=data)
    html = _html(response)
    assert response.status_code == 200
    assert "New Recipe</h1>" in html
    assert str(escape(message)) in html
    assert f'id="{field}-error"' in html
    assert recipes.list_recipes(user).items == []


def test_create_keeps_the_users_input_on_error(logged_in_client):
    html = _html(logged_in_client.post("/html/recipes", data={"name": "", "description": "My steps"}))
    assert "My steps" in html


def test_create_without_csrf_token_is_rejected(logged_in_client, user):
    response = logged_in_client.post("/html/recipes", data={"name": "n", "description": "d"}, csrf=False)
    assert response.status_code == 400
    assert recipes.list_recipes(user).items == []


# --- edit / update -------------------------------------------------------------------------


def test_renders_the_edit_form_with_the_recipe_and_its_version(logged_in_client, recipe):
    response = logged_in_client.get(f"/html/recipes/{recipe.id}/edit")
    html = _html(response)
    assert response.status_code == 200
    assert "Edit Recipe</h1>" in html
    assert f'action="/html/recipes/{recipe.id}/edit"' in html
    assert 'value="Lentil soup"' in html
    assert "Simmer lentils for 30 minutes." in html
    assert f'name="version" type="hidden" value="{recipe.version}"' in html


def test_updates_a_recipe(logged_in_client, recipe):
    response = logged_in_client.post(
        f"/html/recipes/{recipe.id}/edit",
        data={"name": "Red lentil soup", "description": "New steps", "version": str(recipe.version)},
    )
    assert response.status_code == 302
    assert response.location == f"/html/recipes/{recipe.id}"
    html = _html(logged_in_client.get(response.location))
    assert "Recipe updated successfully" in html
    assert "Red lentil soup" in html
    assert _reload(recipe.id).description == "New steps"


def test_update_ignores_owner_and_id_in_the_form(logged_in_client, user, user_fixture, recipe):
    other = user_fixture()
    logged_in_client.post(
        f"/html/recipes/{recipe.id}/edit",
        data={
            "name": "Renamed",
            "description": "d",
            "version": "1",
            "owner_id": str(other.id),
            "owner": str(other.id),
            "id": str(uuid.uuid4()),
        },
    )
    updated = _reload(recipe.id)
    assert updated.name == "Renamed"
    assert updated.owner_id == user.id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "description": "d"}, "can't be blank"),
        ({"name": "n", "description": ""}, "can't be blank"),
        ({"name": "y" * 256, "description": "d"}, "should be at most 255 character(s)"),
    ],
)
def test_update_with_invalid_data_re_renders_the_form(logged_in_client, recipe, data, message):
    response = logged_in_client.post(f"/html/recipes/{recipe.id}/edit", data={**data, "version": "1"})
    html = _html(response)
    assert response.status_code == 200
    assert "Edit Recipe</h1>" in html
    assert str(escape(message)) in html
    assert _reload(recipe.id).name == "Lentil soup"


def test_stale_version_is_a_409_keeping_the_users_input(logged_in_client, user, recipe):
    recipes.update_recipe(user, recipe.id, {"name": "Changed elsewhere"})  # version 1 -> 2
    response = logged_in_client.post(
        f"/html/recipes/{recipe.id}/edit",
        data={"name": "My edit", "description": "My edited steps", "version": "1"},
    )
    html = _html(response)
    assert response.status_code == 409
    assert CONFLICT in html
    assert 'value="My edit"' in html
    assert "My edited steps" in html
    assert "Changed elsewhere" in html  # the latest saved version, to compare
    assert _reload(recipe.id).name == "Changed elsewhere"


def test_after_a_conflict_saving_again_replaces_the_latest_version(logged_in_client, user, recipe):
    recipes.update_recipe(user, recipe.id, {"name": "Changed elsewhere"})
    html = _html(
        logged_in_client.post(
            f"/html/recipes/{recipe.id}/edit", data={"name": "My edit", "description": "d", "version": "1"}
        )
    )
    assert 'name="version" type="hidden" value="2"' in html
    response = logged_in_client.post(
        f"/html/recipes/{recipe.id}/edit", data={"name": "My edit", "description": "d", "version": "2"}
    )
    assert response.status_code == 302
    assert _reload(recipe.id).name == "My edit"


def test_garbled_version_is_treated_as_stale(logged_in_client, recipe):
    response = logged_in_client.post(
        f"/html/recipes/{recipe.id}/edit", data={"name": "My edit", "description": "d", "version": "abc"}
    )
    assert response.status_code == 409
    assert _reload(recipe.id).name == "Lentil soup"


def test_update_without_csrf_token_is_rejected(logged_in_client, recipe):
    response = logged_in_client.post(
        f"/html/recipes/{recipe.id}/edit",
        data={"name": "Hacked", "description": "d", "version": "1"},
        csrf=False,
    )
    assert response.status_code == 400
    assert _reload(recipe.id).name == "Lentil soup"


# --- delete --------------------------------------------------------------------------------


def test_deletes_a_recipe(logged_in_client, user, recipe):
    response = logged_in_client.post(f"/html/recipes/{recipe.id}/delete", data={})
    assert response.status_code == 302
    assert response.location == "/html/recipes"
    assert "Recipe deleted successfully" in _html(logged_in_client.get("/html/recipes"))
    assert recipes.list_recipes(user).items == []


def test_delete_without_csrf_token_is_rejected(logged_in_client, user, recipe):
    response = logged_in_client.post(f"/html/recipes/{recipe.id}/delete", data={}, csrf=False)
    assert response.status_code == 400
    assert len(recipes.list_recipes(user).items) == 1


# --- ownership -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/html/recipes/{id}/edit"),
        ("post", "/html/recipes/{id}/edit"),
        ("post", "/html/recipes/{id}/delete"),
    ],
)
def test_other_users_get_a_403_page_and_change_nothing(client, user_fixture, recipe_fixture, method, path):
    recipe = recipe_fixture(user_fixture())
    log_in(client, user_fixture())
    response = getattr(client, method)(
        path.format(id=recipe.id), data={"name": "Hacked", "description": "Hacked", "version": "1"}
    )
    assert response.status_code == 403
    assert "Forbidden" in _html(response)
    unchanged = _reload(recipe.id)
    assert (unchanged.name, unchanged.description) == ("Lentil soup", "Simmer lentils for 30 minutes.")


def test_admin_may_edit_anyones_recipe(client, user_fixture, recipe_fixture):
    recipe = recipe_fixture(user_fixture())
    log_in(client, user_fixture(admin=True))
    assert client.get(f"/html/recipes/{recipe.id}/edit").status_code == 200
    response = client.post(
        f"/html/recipes/{recipe.id}/edit", data={"name": "Fixed by admin", "description": "d", "version": "1"}
    )
    assert response.status_code == 302
    assert _reload(recipe.id).name == "Fixed by admin"


def test_admin_may_delete_anyones_recipe(client, user_fixture, recipe_fixture):
    owner = user_fixture()
    recipe = recipe_fixture(owner)
    log_in(client, user_fixture(admin=True))
    assert client.post(f"/html/recipes/{recipe.id}/delete", data={}).status_code == 302
    assert recipes.list_recipes(owner).items == []
