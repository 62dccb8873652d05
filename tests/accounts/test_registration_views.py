from tasty_recipes.accounts import service as accounts

from ..support.accounts import VALID_PASSWORD, log_in, unique_user_email
from ..support.emails import token_in_link


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
    assert token_in_link(outbox[-1].body)


def test_renders_errors_for_invalid_data(client):
    response = client.post("/users/register", data={"email": "with spaces", "password": "too short"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Register</h1>" in html
    assert "must have the @ sign and no spaces" in html
    assert "should be at least 12 character" in html
    assert accounts.count_users() == 0


def test_registration_without_csrf_token_is_rejected(client):
    response = client.post(
        "/users/register", data={"email": unique_user_email(), "password": VALID_PASSWORD}, csrf=False
    )
    assert response.status_code == 400
    assert accounts.count_users() == 0


def test_registration_page_has_the_flat_form_fields(client):
    html = client.get("/users/register").get_data(as_text=True)
    assert 'name="email"' in html
    assert 'name="password"' in html
    assert 'name="csrf_token"' in html


def test_registration_sends_confirmation_instructions(client, outbox):
    email = unique_user_email()
    client.post("/users/register", data={"email": email, "password": VALID_PASSWORD})
    [message] = outbox
    assert message.subject == "Confirmation instructions"
    assert f"Hi {email}," in message.body
    token = token_in_link(message.body)
    assert f"\nhttp://localhost/users/confirm/{token}\n" in message.body
    assert accounts.confirm_user(token).email == email


def test_registration_stores_a_session_token_for_the_new_user(client):
    email = unique_user_email()
    client.post("/users/register", data={"email": email, "password": VALID_PASSWORD})
    with client.session_transaction() as session:
        token = session["_user_id"]
    assert accounts.get_user_by_session_token(token).email == email


def test_registration_leaves_the_user_unconfirmed(client):
    email = unique_user_email()
    client.post("/users/register", data={"email": email, "password": VALID_PASSWORD})
    assert accounts.get_user_by_email(email).confirmed_at is None


def test_registration_redirects_to_the_stored_return_path(client):
    client.get("/users/settings")
    response = client.post("/users/register", data={"email": unique_user_email(), "password": VALID_PASSWORD})
    assert response.location == "/users/settings"


def test_registration_renders_blank_errors(client):
    html = client.post("/users/register", data={}).get_data(as_text=True)
    assert html.count("can&#39;t be blank") == 2
    assert accounts.count_users() == 0


def test_registration_keeps_the_typed_email_on_errors(client):
    html = client.post("/users/register", data={"email": "kept@example.com", "password": "short"}).get_data(
        as_text=True
    )
    assert 'value="kept@example.com"' in html
    assert 'value="short"' not in html  # the password is never sent back


def test_registration_with_a_taken_email_shows_the_error(client, user):
    response = client.post("/users/register", data={"email": user.email.upper(), "password": VALID_PASSWORD})
    assert response.status_code == 200
    assert "has already been taken" in response.get_data(as_text=True)
    assert accounts.count_users() == 1


def test_registration_does_not_log_in_on_errors(client):
    client.post("/users/register", data={"email": "bad", "password": VALID_PASSWORD})
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_registering_twice_creates_one_user(client, app, outbox):
    email = unique_user_email()
    client.post("/users/register", data={"email": email, "password": VALID_PASSWORD})
    again = app.test_client().post("/users/register", data={"email": email, "password": VALID_PASSWORD})
    assert again.status_code == 200
    assert "has already been taken" in again.get_data(as_text=True)
    assert accounts.count_users() == 1
    assert len(outbox) == 1


def test_double_submitted_registration_in_one_browser_creates_one_user(client, outbox):
    email = unique_user_email()
    data = {"email": email, "password": VALID_PASSWORD}
    client.post("/users/register", data=data)
    second = client.post("/users/register", data=data)
    assert second.status_code == 302
    assert second.location == "/"
    assert accounts.count_users() == 1
    assert len(outbox) == 1


def test_registration_post_when_logged_in_redirects_and_creates_nothing(client, user):
    log_in(client, user)
    response = client.post("/users/register", data={"email": unique_user_email(), "password": VALID_PASSWORD})
    assert response.status_code == 302
    assert response.location == "/"
    assert accounts.count_users() == 1
