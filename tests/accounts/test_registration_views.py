from tasty_recipes.accounts import service as accounts

from ..conftest import VALID_PASSWORD, extract_token, log_in, unique_user_email


def test_renders_registration_page(client):
    response = client.get("/users/register")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Register</h1>" in html
    assert "Log in</a>" in html
    assert "Register</a>" in html


def test_redirects_if_already_logged_in(client, user):
    log_in(client, user)
    response = client.get("/users/register")
    assert response.status_code == 302
    assert response.location == "/"


def test_creates_account_and_logs_the_user_in(client, outbox):
    email = unique_user_email()
    response = client.post("/users/register", data={"email": email, "password": VALID_PASSWORD})
    assert response.status_code == 302
    assert response.location == "/"
    html = client.get("/").get_data(as_text=True)
    assert email in html
    assert "Settings</a>" in html
    assert "Log out</button>" in html
    assert "User created successfully." in html
    assert accounts.get_user_by_email(email) is not None
    assert outbox[-1].to == [email]
    assert extract_token(outbox[-1])


def test_renders_errors_for_invalid_data(client):
    response = client.post("/users/register", data={"email": "with spaces", "password": "too short"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Register</h1>" in html
    assert "must have the @ sign and no spaces" in html
    assert "should be at least 12 character" in html
    assert accounts.count_users() == 0


def test_registration_without_csrf_token_is_rejected(client):
    response = client.post("/users/register", data={"email": unique_user_email(),
                                                    "password": VALID_PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert accounts.count_users() == 0
