"""The recipes context on its own: ownership, cursors, search escaping, validation, writes."""

from __future__ import annotations

import base64
import uuid
from types import SimpleNamespace

import pytest

from tasty_recipes.exceptions import Conflict, Forbidden, NotFound, ValidationError
from tasty_recipes.recipes import service as recipes
from tasty_recipes.recipes.models import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH

VALID = {"name": "Lentil soup", "description": "Simmer lentils for 30 minutes."}
# Fixed, not uuid4(): parametrized ids must be the same in every xdist worker.
SOME_ID = "00000000-0000-4000-8000-000000000001"


def _person(*, admin=False, authenticated=True, user_id=None):
    return SimpleNamespace(id=user_id or uuid.uuid4(), is_admin=admin, is_authenticated=authenticated)


# --- can_edit: the one ownership rule --------------------------------------------------------------


def test_the_owner_may_edit():
    owner = _person()
    assert recipes.can_edit(owner, SimpleNamespace(owner_id=owner.id))


def test_an_admin_may_edit_anyones_recipe():
    assert recipes.can_edit(_person(admin=True), SimpleNamespace(owner_id=uuid.uuid4()))


def test_another_user_may_not_edit():
    assert not recipes.can_edit(_person(), SimpleNamespace(owner_id=uuid.uuid4()))


@pytest.mark.parametrize(
    "actor", [None, _person(authenticated=False), SimpleNamespace(id=None, is_admin=True)]
)
def test_nobody_and_anonymous_may_not_edit(actor):
    assert not recipes.can_edit(actor, SimpleNamespace(owner_id=uuid.uuid4()))


# --- cursors -----------------------------------------------------------------------------------------


def test_a_cursor_leads_to_the_rows_after_its_row(app, user, recipe_fixture):
    made = [recipe_fixture(user, name=f"Soup {n}") for n in range(5)]
    first = recipes.list_recipes(user, limit=2)
    assert [row.name for row in first.items] == ["Soup 4", "Soup 3"]
    second = recipes.list_recipes(user, limit=2, after=first.next_cursor)
    assert [row.name for row in second.items] == ["Soup 2", "Soup 1"]
    last = recipes.list_recipes(user, limit=2, after=second.next_cursor)
    assert [row.id for row in last.items] == [made[0].id]
    assert last.next_cursor is None


def test_a_cursor_is_opaque_url_safe_text(app, user, recipe_fixture):
    recipe_fixture(user)
    row = recipes.list_recipes(user).items[0]
    cursor = recipes.encode_cursor(row)
    assert "=" not in cursor and "/" not in cursor and "+" not in cursor
    assert base64.urlsafe_b64decode(cursor + "==").decode().endswith(f"|{row.id}")


def _raw_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "!!!",
        _raw_cursor("no separator"),
        _raw_cursor("2026-01-01T00:00:00|not-a-uuid"),
        _raw_cursor(f"2026-01-01T00:00:00|{SOME_ID}"),  # no offset: ambiguous time
        _raw_cursor(f"0001-01-01T00:00:00+05:00|{SOME_ID}"),  # before year 1 in UTC
        _raw_cursor(f"9999-12-31T23:59:59-05:00|{SOME_ID}"),  # after year 9999 in UTC
        _raw_cursor(f"a|b|{SOME_ID}"),
    ],
    ids=[
        "garbage",
        "not-base64",
        "no-separator",
        "bad-uuid",
        "naive-time",
        "before-year-1",
        "after-year-9999",
        "three-parts",
    ],
)
def test_a_bad_cursor_is_a_validation_error_on_after(app, user, cursor):
    with pytest.raises(ValidationError) as raised:
        recipes.list_recipes(user, after=cursor)
    assert raised.value.fields == {"after": ["is not a valid cursor"]}


@pytest.mark.parametrize(
    ("limit", "ok"),
    [
        (None, True),
        ("", True),
        ("1", True),
        ("100", True),
        ("0", False),
        ("101", False),
        ("x", False),
        ("1.5", False),
    ],
)
def test_page_sizes(app, user, limit, ok):
    if ok:
        recipes.list_recipes(user, limit=limit)
    else:
        with pytest.raises(ValidationError) as raised:
            recipes.list_recipes(user, limit=limit)
        assert list(raised.value.fields) == ["limit"]


# --- search escaping -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("soup", "soup"),
        ("100%", "100/%"),
        ("a_b", "a/_b"),
        ("a/b", "a//b"),
        ("%_/", "/%/_//"),
    ],
)
def test_like_wildcards_are_escaped(text, escaped):
    assert recipes._escape_like(text) == escaped


def test_search_matches_wildcards_literally(app, user, recipe_fixture):
    recipe_fixture(user, name="100% rye bread")
    recipe_fixture(user, name="1000 island dressing")
    recipe_fixture(user, name="a_b soup")
    recipe_fixture(user, name="axb soup")
    assert [r.name for r in recipes.list_recipes(user, q="100%").items] == ["100% rye bread"]
    assert [r.name for r in recipes.list_recipes(user, q="A_B").items] == ["a_b soup"]


# --- validation -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({}, {"name": ["can't be blank"], "description": ["can't be blank"]}),
        ({"name": "  ", "description": "x"}, {"name": ["can't be blank"]}),
        ({"name": 5, "description": "x"}, {"name": ["must be a string"]}),
        (
            {"name": "x" * (NAME_MAX_LENGTH + 1), "description": "x"},
            {"name": [f"should be at most {NAME_MAX_LENGTH} character(s)"]},
        ),
        (
            {"name": "x", "description": "y" * (DESCRIPTION_MAX_LENGTH + 1)},
            {"description": [f"should be at most {DESCRIPTION_MAX_LENGTH} character(s)"]},
        ),
        ({"name": "a\x00b", "description": "x"}, {"name": ["must not contain null characters"]}),
        (None, {"name": ["can't be blank"], "description": ["can't be blank"]}),
    ],
)
def test_create_validates_every_field_at_once(app, user, params, errors):
    with pytest.raises(ValidationError) as raised:
        recipes.create_recipe(user, params)
    assert raised.value.fields == errors


def test_create_trims_the_name_and_ignores_owner_and_id(app, user, user_fixture):
    other = user_fixture()
    recipe = recipes.create_recipe(
        user, {**VALID, "name": "  Soup  ", "owner_id": str(other.id), "id": str(uuid.uuid4())}
    )
    assert recipe.name == "Soup"
    assert recipe.owner_id == user.id


# --- writes -----------------------------------------------------------------------------------------------


def test_update_changes_only_the_given_keys_and_bumps_the_version(app, user, recipe_fixture):
    recipe = recipe_fixture(user)
    row = recipes.update_recipe(user, recipe.id, {"name": "Pea soup"})
    assert (row.name, row.description, row.version) == ("Pea soup", recipe.description, 2)


def test_update_at_a_stale_version_is_a_conflict_and_changes_nothing(app, user, recipe_fixture):
    recipe = recipe_fixture(user)
    recipes.update_recipe(user, recipe.id, {"name": "First"})
    with pytest.raises(Conflict):
        recipes.update_recipe(user, recipe.id, {"name": "Second"}, expected_version=1)
    assert recipes.get_recipe(recipe.id).name == "First"


def test_update_without_a_version_always_goes_through(app, user, recipe_fixture):
    recipe = recipe_fixture(user)
    recipes.update_recipe(user, recipe.id, {"name": "First"})
    assert recipes.update_recipe(user, recipe.id, {"name": "Second"}).name == "Second"


def test_strangers_may_not_update_or_delete(app, user, user_fixture, recipe_fixture):
    recipe = recipe_fixture(user)
    stranger = user_fixture()
    with pytest.raises(Forbidden):
        recipes.update_recipe(stranger, recipe.id, {"name": "Mine"})
    with pytest.raises(Forbidden):
        recipes.delete_recipe(stranger, recipe.id)


@pytest.mark.parametrize("recipe_id", ["abc", "", None, SOME_ID, 42])
def test_unknown_or_malformed_ids_are_not_found(app, recipe_id):
    with pytest.raises(NotFound):
        recipes.get_recipe(recipe_id)


def test_before_commit_runs_inside_the_creating_transaction(app, user):
    seen = []
    with pytest.raises(RuntimeError):
        recipes.create_recipe(user, VALID, before_commit=lambda row: (seen.append(row.id), _fail()))
    from tasty_recipes.extensions import db

    db.session.rollback()
    assert seen and recipes.count_recipes_owned_by(user.id) == 0


def _fail():
    raise RuntimeError("the answer could not be stored")


def test_count_recipes_owned_by(app, user, user_fixture, recipe_fixture):
    recipe_fixture(user)
    recipe_fixture(user)
    recipe_fixture(user_fixture())
    assert recipes.count_recipes_owned_by(user.id) == 2
