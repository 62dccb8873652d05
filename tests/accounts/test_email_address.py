"""Account emails: NFKC normalisation, one plain mailbox, no invisible characters, one script.

The rules of accounts.email_address, then the accounts service applying them:
what registration stores, what the uniqueness check compares, and what log-in
and the lookups find.
"""

from __future__ import annotations

import sys
import unicodedata

import pytest

from tasty_recipes.accounts import service as accounts
from tasty_recipes.accounts.email_address import (
    AT_SIGN,
    INVALID,
    email_problems,
    has_invisible_characters,
    is_one_plain_mailbox,
    mixes_scripts,
    normalize_email,
)
from tasty_recipes.exceptions import ValidationError

from ..support.accounts import VALID_PASSWORD
from ..support.committed import committed_user
from ..support.emails import change_email_url

REAL = "realalice@example.com"
TAKEN = "has already been taken"


def errors_of(call, *args) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        call(*args)
    return info.value.fields


# --- normalize_email ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        pytest.param("realalic\uff45@example.com", REAL, id="fullwidth-e"),
        pytest.param(
            "\uff52\uff45\uff41\uff4c\uff41\uff4c\uff49\uff43\uff45@example.com",
            REAL,
            id="fullwidth-local-part",
        ),
        pytest.param("realalice\uff20example.com", REAL, id="fullwidth-at"),
        pytest.param("realalice\ufe6bexample.com", REAL, id="small-commercial-at"),
        pytest.param("\U0001d42bealalice@example.com", REAL, id="mathematical-bold-r"),
        pytest.param("\ufb01sh@example.com", "fish@example.com", id="fi-ligature"),
        pytest.param("koch@ba\u0308ckerei.de", "koch@b\u00e4ckerei.de", id="decomposed-umlaut"),
        pytest.param("  realalice@example.com\t\n", REAL, id="outer-whitespace"),
        pytest.param("\u3000realalice@example.com\u00a0", REAL, id="outer-unicode-spaces"),
        pytest.param("Mixed.Case@Example.COM", "Mixed.Case@Example.COM", id="case-kept"),
        pytest.param(
            "\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a",
            "\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a",
            id="chinese-unchanged",
        ),
    ],
)
def test_normalize_email_maps_compatibility_forms_to_the_address_meant(typed, normalised):
    assert normalize_email(typed) == normalised


def test_normalize_email_keeps_invisible_characters_for_the_rules_to_refuse():
    # NFKC does not remove them: refusing is clearer than silently dropping.
    for invisible in ("\u200b", "\u00ad", "\u202e", "\ufeff"):
        assert invisible in normalize_email(f"real{invisible}alice@example.com")


def test_normalize_email_does_not_expand_input_far_too_long_to_be_an_email():
    # U+FDFA is 18 characters under NFKC: 1 MiB of it would become 18 million characters.
    huge = "\ufdfa" * 1_000_000
    assert normalize_email(huge) == huge


# --- one plain mailbox ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "a@b@c.example",
        "x@evil.example,y@corp.example",
        "x@evil.example;y@corp.example",
        "a@evil.example>b@corp.example",
        "<alice@corp.example>",
        '"alice"@corp.example',
        "alice@corp.example(comment)",
        "al\\ice@corp.example",
        "group:alice@corp.example",
        "alice@[127.0.0.1]",
        "alice@corp.example.",
        "alice@.corp.example",
        "alice@corp..example",
        "@corp.example",
        "alice@",
        "@",
        "alice",
        "with space@corp.example",
    ],
)
def test_anything_but_one_plain_mailbox_is_refused(email):
    assert not is_one_plain_mailbox(email)
    assert email_problems(email) == [AT_SIGN]


@pytest.mark.parametrize(
    "email",
    [
        "a@b",
        "a@b.c",
        "user+tag@example.com",
        "o'brien@example.com",
        "first.last@sub.example.co.uk",
        "a_b-c@d-e.example",
        "#!$%&*/=?^`{|}~@example.com",
        "a" * 148 + "@example.com",
    ],
)
def test_plain_ascii_mailboxes_are_accepted(email):
    assert is_one_plain_mailbox(email)
    assert email_problems(email) == []


# --- invisible characters --------------------------------------------------------------------------


def _code_points(*categories: str) -> list[str]:
    return [chr(code) for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) in categories]


INVISIBLE_SAMPLES = [
    pytest.param("\u200b", id="zero-width-space"),
    pytest.param("\u00ad", id="soft-hyphen"),
    pytest.param("\u200c", id="zero-width-non-joiner"),
    pytest.param("\u200d", id="zero-width-joiner"),
    pytest.param("\u2060", id="word-joiner"),
    pytest.param("\ufeff", id="byte-order-mark"),
    pytest.param("\u202e", id="right-to-left-override"),
    pytest.param("\u2066", id="ltr-isolate"),
    pytest.param("\u200f", id="right-to-left-mark"),
    pytest.param("\u061c", id="arabic-letter-mark"),
    pytest.param("\u2028", id="line-separator"),
    pytest.param("\u2029", id="paragraph-separator"),
    pytest.param("\u00a0", id="no-break-space"),
    pytest.param("\u3000", id="ideographic-space"),
    pytest.param("\u1680", id="ogham-space"),
    pytest.param("\x1b", id="escape"),
    pytest.param("\x7f", id="delete"),
    pytest.param("\x85", id="next-line"),
    pytest.param("\ue000", id="private-use"),
    pytest.param("\U000f0000", id="private-use-plane-15"),
    pytest.param("\ud800", id="lone-surrogate"),
    pytest.param("\U000e0041", id="tag-latin-a"),
    pytest.param("\u3164", id="hangul-filler"),
    pytest.param("\uffa0", id="halfwidth-hangul-filler"),
    pytest.param("\u115f", id="hangul-choseong-filler"),
    pytest.param("\ufe0f", id="variation-selector"),
    pytest.param("\u034f", id="combining-grapheme-joiner"),
    pytest.param("\u180e", id="mongolian-vs"),
    pytest.param("\U0001bca0", id="shorthand-format"),
    pytest.param("\u0378", id="unassigned"),
]


@pytest.mark.parametrize("invisible", INVISIBLE_SAMPLES)
@pytest.mark.parametrize(
    "where",
    [
        "real{}alice@example.com",
        "realalice@exam{}ple.com",
        "realalice@example.com{}",
        "{}realalice@example.com",
    ],
)
def test_invisible_characters_are_refused_anywhere(invisible, where):
    email = normalize_email(where.format(invisible))
    if email == REAL:  # only whitespace is trimmed, and only at the ends
        assert invisible.isspace() and (where.startswith("{}") or where.endswith("{}"))
    else:
        assert has_invisible_characters(email)
        assert email_problems(email) == [AT_SIGN]


def test_every_format_control_and_separator_character_is_refused():
    for char in _code_points("Cf", "Cc", "Zs", "Zl", "Zp"):
        email = normalize_email(f"real{char}alice@example.com")
        assert email_problems(email) == [AT_SIGN], f"U+{ord(char):04X}"


# --- scripts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        pytest.param("p\u0430ypal@example.com", id="cyrillic-a-in-latin-local-part"),
        pytest.param("alice@p\u0430ypal.com", id="cyrillic-a-in-latin-domain-label"),
        pytest.param("alice@example.c\u043em", id="cyrillic-o-in-latin-tld"),
        pytest.param("alice@\u03bfpenai.com", id="greek-omicron-in-latin-label"),
        pytest.param("\u0430lice@example.com", id="cyrillic-a-first"),
        pytest.param("al\u0456ce@example.com", id="cyrillic-i"),
        pytest.param("ab\u0585ut@example.com", id="armenian-o"),
        pytest.param("\u0440\u0430y\u0440\u0430l@example.com", id="mostly-cyrillic-with-latin-y"),
        pytest.param("\u0438\u0432\u0430\u043d.smith@example.com", id="cyrillic-and-latin-words"),
        pytest.param("\u03b1\u0440\u03b9@example.com", id="greek-with-cyrillic"),
        pytest.param("user\u0661@example.com", id="arabic-indic-digit-in-latin"),
    ],
)
def test_a_part_mixing_scripts_is_refused(email):
    assert mixes_scripts(email)
    assert email_problems(email) == [INVALID]


@pytest.mark.parametrize(
    "email",
    [
        pytest.param("\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a", id="chinese"),
        pytest.param(
            "\u0438\u0432\u0430\u043d@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444", id="russian"
        ),
        pytest.param("\u0438\u0432\u0430\u043d@example.com", id="cyrillic-local-part-latin-domain"),
        pytest.param(
            "ivan@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444", id="latin-local-part-cyrillic-domain"
        ),
        pytest.param(
            "\u03b4\u03bf\u03ba\u03b9\u03bc\u03ae@\u03c0\u03b1\u03c1\u03ac\u03b4\u03b5\u03b9"
            "\u03b3\u03bc\u03b1.\u03b4\u03bf\u03ba\u03b9\u03bc\u03ae",
            id="greek",
        ),
        pytest.param("koch@b\u00e4ckerei.de", id="latin-with-umlaut"),
        pytest.param("\u00e9l\u00e8ve-2024@\u00e9cole.fr", id="latin-accents-digits-hyphen"),
        pytest.param("\u30e6\u30fc\u30b6\u30fc@\u4f8b\u3048.jp", id="japanese-katakana-and-kanji"),
        pytest.param("\u6771\u4eac\u3070\u306a\u306a@example.jp", id="japanese-kanji-and-hiragana"),
        pytest.param("tanaka\u592a\u90ce@example.jp", id="latin-with-kanji"),
        pytest.param("\uc0ac\uc6a9\uc790@\uc608\uc2dc.\ud55c\uad6d", id="korean"),
        pytest.param(
            "\u05d3\u05d5\u05d3@\u05d3\u05d5\u05d2\u05de\u05d4.\u05d9\u05e9\u05e8\u05d0\u05dc", id="hebrew"
        ),
        pytest.param(
            "\u0645\u062b\u0627\u0644@\u0645\u062b\u0627\u0644.\u0625\u062e\u062a\u0628\u0627\u0631",
            id="arabic",
        ),
        pytest.param(
            "\u0909\u0926\u093e\u0968@\u0909\u0926\u093e\u0939\u0930\u0923.\u092d\u093e\u0930\u0924",
            id="devanagari-with-its-digit",
        ),
    ],
)
def test_single_script_parts_are_accepted(email):
    assert not mixes_scripts(email)
    assert email_problems(email) == []


def test_a_devanagari_digit_goes_with_devanagari_not_latin():
    assert email_problems("\u0909\u0926\u093e\u0968@example.com") == []
    assert email_problems("user\u0968@example.com") == [INVALID]


# --- the service: what is stored, compared and found ------------------------------------------


@pytest.fixture()
def alice(user_fixture):
    return user_fixture(email=REAL)


@pytest.mark.parametrize(
    "look_alike",
    [
        pytest.param("realalic\uff45@example.com", id="fullwidth-e"),
        pytest.param("realalice\uff20example.com", id="fullwidth-at"),
        pytest.param("\U0001d42bealalice@example.com", id="mathematical-bold-r"),
        pytest.param("REALALIC\uff25@EXAMPLE.COM", id="fullwidth-and-case"),
    ],
)
def test_a_compatibility_form_of_a_taken_email_is_taken(alice, look_alike):
    assert errors_of(accounts.register_user, look_alike, VALID_PASSWORD) == {"email": [TAKEN]}
    assert accounts.count_users() == 1


@pytest.mark.parametrize(
    ("look_alike", "message"),
    [
        pytest.param(REAL + "\u200b", AT_SIGN, id="zero-width-space"),
        pytest.param("realalice@exam\u00adple.com", AT_SIGN, id="soft-hyphen"),
        pytest.param("re\u0430lalice@example.com", INVALID, id="cyrillic-a"),
        pytest.param("realalice@ex\u0430mple.com", INVALID, id="cyrillic-a-in-domain"),
    ],
)
def test_an_invisible_or_mixed_script_look_alike_of_a_taken_email_is_refused(alice, look_alike, message):
    assert errors_of(accounts.register_user, look_alike, VALID_PASSWORD) == {"email": [message]}
    assert accounts.count_users() == 1


def test_registration_stores_the_normalised_email(app):
    user = accounts.register_user("\uff43\uff4f\uff4f\uff4b@example.com", VALID_PASSWORD)
    assert committed_user(user.id)["email"] == "cook@example.com"


@pytest.mark.parametrize(
    "typed",
    [
        "realalic\uff45@example.com",
        "realalice\uff20example.com",
        "REALALIC\uff25@example.com",
        " realalice@example.com ",
    ],
)
def test_lookups_and_log_in_normalise_the_email(alice, typed):
    assert accounts.get_user_by_email(typed).id == alice.id
    assert accounts.get_user_by_email_and_password(typed, VALID_PASSWORD).id == alice.id


@pytest.mark.parametrize(
    "typed", [REAL + "\u200b", "re\u0430lalice@example.com", "realalice@exam\u00adple.com"]
)
def test_lookups_do_not_find_an_account_by_a_look_alike(alice, typed):
    assert accounts.get_user_by_email(typed) is None
    assert accounts.get_user_by_email_and_password(typed, VALID_PASSWORD) is None


def test_lookups_with_an_email_too_long_to_be_stored_find_nothing(alice):
    assert accounts.get_user_by_email("a" * 200 + "@example.com") is None
    assert accounts.get_user_by_email("\ufdfa" * 1_000_000) is None


def test_an_email_change_to_a_compatibility_form_of_a_taken_email_is_taken(user, alice):
    errors = errors_of(
        accounts.request_email_change, user, VALID_PASSWORD, "realalic\uff45@example.com", change_email_url
    )
    assert errors == {"email": [TAKEN]}


def test_an_email_change_to_a_compatibility_form_of_the_same_email_did_not_change(alice):
    errors = errors_of(
        accounts.request_email_change, alice, VALID_PASSWORD, "realalic\uff45@example.com", change_email_url
    )
    assert errors == {"email": ["did not change"]}


def test_an_email_change_sends_to_and_records_the_normalised_email(user, outbox):
    email = accounts.request_email_change(
        user, VALID_PASSWORD, "\uff4e\uff45\uff57@example.com", change_email_url
    )
    assert email == "new@example.com"
    assert outbox[-1].to == ["new@example.com"]


def test_a_far_too_long_email_is_refused_for_its_length_only(app):
    errors = errors_of(accounts.register_user, "\ufdfa" * 1_000_000, VALID_PASSWORD)
    assert errors == {"email": ["should be at most 160 character(s)"]}
