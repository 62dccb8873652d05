"""What htmx gets (HX-Request: true): fragments for the modal and HX-Location on success."""

from __future__ import annotations

import json

from markupsafe import escape

from tasty_recipes.recipes import service as recipes

HTMX = {"HX-Request": "true"}


def _location(response) -> dict:
    return json.loads(response.headers["HX-Location"])


def test_new_form_is_a_fragment_for_the_modal(logged_in_client):
    response = logged_in_client.get("/html/recipes/new", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert 'hx-post="/html/recipes"' in html
    assert "data-close-dialog" in html
    assert "HX-Request" in response.headers["Vary"]


def test_full_page_varies_on_hx_request_too(logged_in_client):
    assert "HX-Request" in logged_in_client.get("/html/recipes/new").headers["Vary"]


def test_create_answers_hx_location_to_the_list(logged_in_client, user):
    response = logged_in_client.post("/html/recipes", headers=HTMX, data={"name": "Soup", "description": "d"})
    assert response.status_code == 200
    location = _location(response)
    assert location["path"] == "/html/recipes"
    assert location["select"] == "main"
    assert len(recipes.list_recipes(user).items) == 1
    # The flash waits for the page htmx fetches next.
    assert "Recipe created successfully" in logged_in_client.get("/html/recipes").get_data(True)


def test_invalid_create_answers_the_form_fragment_with_errors(logged_in_client):
    response = logged_in_client.post("/html/recipes", headers=HTMX, data={"name": "", "description": "kept"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert str(escape("can't be blank")) in html
    assert "kept" in html


def test_edit_form_fragment_carries_the_version(logged_in_client, recipe):
    html = logged_in_client.get(f"/html/recipes/{recipe.id}/edit", headers=HTMX).get_data(True)
    assert "<html" not in html
    assert 'name="version"' in html
    assert f'hx-post="/html/recipes/{recipe.id}/edit"' in html


def test_update_from_the_list_returns_to_the_list(logged_in_client, recipe):
    response = logged_in_client.post(
        f"/html/recipes/{recipe.id}/edit",
        headers={**HTMX, "HX-Current-URL": "http://localhost/html/recipes?after=abc"},
        data={"name": "New", "description": "d", "version": "1"},
    )
    assert _location(response)["path"] == "/html/recipes?after=abc"


def test_update_from_elsewhere_goes_to_the_recipe(logged_in_client, recipe):
    response = logged_in_client.post(
        f"/html/recipes/{recipe.id}/edit",
        headers={**HTMX, "HX-Current-URL": "http://evil.test/phish"},
        data={"name": "New", "description": "d", "version": "1"},
    )
    assert _location(response)["path"] == f"/html/recipes/{recipe.id}"


def test_stale_update_answers_409_with_the_form_fragment(logged_in_client, user, recipe):
    recipes.update_recipe(user, recipe.id, {"name": "Elsewhere"})
    response = logged_in_client.post(
        f"/html/recipes/{recipe.id}/edit",
        headers=HTMX,
        data={"name": "Mine", "description": "d", "version": "1"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "<html" not in html
    assert "This recipe was changed by someone else while you were editing it." in html
    assert 'value="Mine"' in html


def test_delete_answers_hx_location(logged_in_client, user, recipe):
    response = logged_in_client.post(f"/html/recipes/{recipe.id}/delete", headers=HTMX, data={})
    assert _location(response)["path"] == "/html/recipes"
    assert recipes.list_recipes(user).items == []


def test_recipe_pages_load_htmx_and_app_js_without_inline_code(logged_in_client, recipe):
    import re

    for path in (
        "/html/recipes",
        f"/html/recipes/{recipe.id}",
        "/html/recipes/new",
        f"/html/recipes/{recipe.id}/edit",
    ):
        html = logged_in_client.get(path).get_data(as_text=True)
        assert '<script src="/static/vendor/htmx-2.0.11.min.js" defer></script>' in html
        assert '<script src="/static/app.js" defer></script>' in html
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
        assert not re.search(r"\sstyle=", html), "inline style"
        assert not re.search(r"\son[a-z]+=", html), "event handler attribute"
        assert "hx-on" not in html
