"""The whole journey in a real browser: register, confirm, log in, recipes CRUD, log out.

Once with JavaScript (htmx modals, no full reloads, no console or CSP errors)
and once without (plain links and forms, POST-redirect-GET).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ..support.accounts import VALID_PASSWORD, unique_user_email
from ..support.emails import confirmation_link

pytestmark = pytest.mark.browser


# --- steps shared by both journeys -----------------------------------------------------------


def register_confirm_and_log_in(page: Page, server) -> str:
    email = unique_user_email()
    page.goto(server.url + "/users/register")
    page.locator("#email").fill(email)
    page.locator("#password").fill(VALID_PASSWORD)
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.get_by_text("User created successfully.")).to_be_visible()
    log_out(page)

    page.goto(confirmation_link(server, email))
    expect(page.get_by_role("heading", name="Confirm account")).to_be_visible()
    page.get_by_role("button", name="Confirm my account").click()
    expect(page.get_by_text("User confirmed successfully.")).to_be_visible()

    page.get_by_role("link", name="Log in", exact=True).first.click()
    page.locator("#email").fill(email)
    page.locator("#password").fill(VALID_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.locator("header .user-email")).to_have_text(email)
    return email


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("Logged out successfully.")).to_be_visible()
    expect(page.get_by_role("link", name="Log in", exact=True).first).to_be_visible()


def open_recipes(page: Page) -> None:
    page.locator("header").get_by_role("link", name="Recipes", exact=True).click()
    expect(page.get_by_role("heading", name="Listing Recipes")).to_be_visible()
    # htmx wires the buttons when the page has loaded: a click before that navigates.
    page.wait_for_load_state("load")


def card(page: Page, name: str):
    return page.locator("article.recipe-card").filter(has=page.get_by_role("heading", name=name, exact=True))


# --- with JavaScript ----------------------------------------------------------------------------


def test_journey_with_javascript(page: Page, server, shots):
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.set_viewport_size({"width": 1280, "height": 900})

    email = register_confirm_and_log_in(page, server)
    open_recipes(page)
    expect(page.get_by_text("No recipes yet")).to_be_visible()
    # Survives only if nothing below reloads the page.
    page.evaluate("window.__noReload = true")

    modal = page.locator("#recipe-modal")
    page.get_by_role("button", name="New Recipe").click()
    expect(modal).to_be_visible()
    expect(modal.get_by_role("heading", name="New Recipe")).to_be_visible()
    expect(modal.locator("#name")).to_be_focused()
    modal.get_by_role("button", name="Save Recipe").click()
    expect(modal.get_by_text("can't be blank")).to_have_count(2)
    page.screenshot(path=str(shots / "modal-errors.png"))
    modal.locator("#name").fill("Shakshuka")
    modal.locator("#description").fill(
        "Eggs poached in a spicy tomato and pepper sauce.\nServe with warm bread."
    )
    expect(modal.get_by_text("can't be blank")).to_have_count(0)  # corrected fields drop them
    page.screenshot(path=str(shots / "modal-form.png"))
    modal.get_by_role("button", name="Save Recipe").click()
    expect(modal).to_be_hidden()
    expect(page.get_by_text("Recipe created successfully")).to_be_visible()
    expect(card(page, "Shakshuka")).to_contain_text(email)
    assert page.url.endswith("/html/recipes")

    card(page, "Shakshuka").get_by_role("link", name="Edit").click()
    expect(modal.get_by_role("heading", name="Edit Recipe")).to_be_visible()
    expect(modal.locator("#name")).to_have_value("Shakshuka")
    modal.locator("#name").fill("Green shakshuka")
    modal.get_by_role("button", name="Save Recipe").click()
    expect(modal).to_be_hidden()
    expect(page.get_by_text("Recipe updated successfully")).to_be_visible()
    expect(card(page, "Green shakshuka")).to_be_visible()
    page.get_by_role("button", name="New Recipe").click()
    modal.locator("#name").fill("Lemon tart")
    modal.locator("#description").fill("A crisp pastry filled with a sharp lemon custard.")
    modal.get_by_role("button", name="Save Recipe").click()
    expect(card(page, "Lemon tart")).to_be_visible()
    page.screenshot(path=str(shots / "list.png"), full_page=True)

    card(page, "Green shakshuka").get_by_role("button", name="Delete").click()
    confirm = page.locator("#confirm-dialog")
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text("“Green shakshuka” will be deleted for good.")
    page.screenshot(path=str(shots / "confirm-delete.png"))
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_be_hidden()
    expect(card(page, "Green shakshuka")).to_be_visible()
    card(page, "Green shakshuka").get_by_role("button", name="Delete").click()
    confirm.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Recipe deleted successfully")).to_be_visible()
    expect(card(page, "Green shakshuka")).to_have_count(0)
    expect(card(page, "Lemon tart")).to_be_visible()
    assert page.evaluate("window.__noReload") is True

    card(page, "Lemon tart").get_by_role("link", name="Show").click()
    expect(page.get_by_role("heading", name="Lemon tart", level=1)).to_be_visible()
    page.screenshot(path=str(shots / "show.png"))
    page.locator("header").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
    page.screenshot(path=str(shots / "settings.png"))
    # The strict policy was in force all along, so "no console errors" covers CSP violations.
    policy = page.request.get(server.url + "/html/recipes").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    log_out(page)
    assert problems == []


def test_escape_closes_the_modal_and_forgets_the_form(page: Page, server):
    register_confirm_and_log_in(page, server)
    open_recipes(page)
    page.get_by_role("button", name="New Recipe").click()
    modal = page.locator("#recipe-modal")
    modal.locator("#name").fill("Half typed")
    page.keyboard.press("Escape")
    expect(modal).to_be_hidden()
    page.get_by_role("button", name="New Recipe").click()
    expect(modal.locator("#name")).to_have_value("")


def test_modal_shows_a_conflict_and_a_vanished_recipe(page: Page, server, shots):
    from tasty_recipes.accounts import service as accounts
    from tasty_recipes.recipes import service as recipes

    email = register_confirm_and_log_in(page, server)
    me = accounts.get_user_by_email(email)
    soup = recipes.create_recipe(me, {"name": "Soup", "description": "Hot."})
    stew = recipes.create_recipe(me, {"name": "Stew", "description": "Slow."})
    open_recipes(page)
    modal = page.locator("#recipe-modal")

    card(page, "Soup").get_by_role("link", name="Edit").click()
    modal.locator("#name").fill("My soup")
    recipes.update_recipe(me, soup.id, {"description": "Changed in another tab."})
    modal.get_by_role("button", name="Save Recipe").click()
    expect(
        modal.get_by_text("This recipe was changed by someone else while you were editing it.")
    ).to_be_visible()
    expect(modal.locator("#name")).to_have_value("My soup")
    expect(modal.locator(".latest")).to_contain_text("Changed in another tab.")
    page.screenshot(path=str(shots / "modal-conflict.png"))
    modal.get_by_role("button", name="Save Recipe").click()  # the user chose to replace it
    expect(page.get_by_text("Recipe updated successfully")).to_be_visible()
    expect(card(page, "My soup")).to_be_visible()

    card(page, "Stew").get_by_role("link", name="Edit").click()
    expect(modal.locator("#name")).to_have_value("Stew")  # the form is loaded; now it vanishes
    recipes.delete_recipe(me, stew.id)
    modal.get_by_role("button", name="Save Recipe").click()
    expect(modal).to_be_hidden()
    expect(page.get_by_text("That recipe no longer exists.")).to_be_visible()


# --- without JavaScript -------------------------------------------------------------------------


@pytest.fixture()
def page_without_js(browser, server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_journey_without_javascript(page_without_js: Page, server, shots):
    page = page_without_js
    email = register_confirm_and_log_in(page, server)
    open_recipes(page)

    page.get_by_role("button", name="New Recipe").click()
    expect(page).to_have_url(server.url + "/html/recipes/new")
    expect(page.get_by_role("heading", name="New Recipe", level=1)).to_be_visible()
    page.get_by_role("button", name="Save Recipe").click()
    expect(page.get_by_text("can't be blank")).to_have_count(2)
    page.locator("#name").fill("Pea salad")
    page.locator("#description").fill("Peas, mint, feta.")
    page.screenshot(path=str(shots / "nojs-form.png"))
    page.get_by_role("button", name="Save Recipe").click()
    expect(page).to_have_url(server.url + "/html/recipes")
    expect(page.get_by_text("Recipe created successfully")).to_be_visible()
    expect(card(page, "Pea salad")).to_contain_text(email)

    card(page, "Pea salad").get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit Recipe", level=1)).to_be_visible()
    page.locator("#name").fill("Minty pea salad")
    page.get_by_role("button", name="Save Recipe").click()
    expect(page.get_by_text("Recipe updated successfully")).to_be_visible()
    expect(page.get_by_role("heading", name="Minty pea salad", level=1)).to_be_visible()

    page.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(server.url + "/html/recipes")
    expect(page.get_by_text("Recipe deleted successfully")).to_be_visible()
    expect(page.get_by_text("No recipes yet")).to_be_visible()
    log_out(page)
