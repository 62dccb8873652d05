"""What an account email may be: one plain mailbox, in one canonical form, that reads as itself.

An account's email is where its confirmation and reset links go, and it is
what people read to tell accounts apart. So every email is normalised
(``normalize_email``) before it is validated, stored or looked up, and
``email_problems`` refuses what would be delivered somewhere else than it
says, or look like another address:

* more or less than one mailbox (the SMTP backend parses the address, so
  ``a@x,b@y``, ``<a@x>`` or ``"a"@x`` are lists, routes or another address);
* characters one cannot see (zero-width space, soft hyphen, bidi controls…),
  so ``realalice@example.com`` plus an invisible character is not a second
  account whose mail the real owner's server may receive;
* a local part or domain label that mixes scripts, such as ``pаypal`` with a
  Cyrillic ``а``, which a person reads as the Latin word.

Length is the caller's rule (``EMAIL_MAX_LENGTH``); whether the mailer can
encode the address at all is ``notifier.can_address``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from fontTools.unicodedata import script_extension

from ..db import EMAIL_MAX_LENGTH

AT_SIGN = "must have the @ sign and no spaces"
INVALID = "is invalid"

# NFKC may make a string up to 18 times longer (U+FDFA becomes 18 characters)
# and at most about 4 times shorter (a base letter and three combining marks
# become one). Input longer than this cannot become a valid email, so it is not
# normalised: a 1 MiB body must not grow into tens of megabytes.
NORMALIZE_MAX_INPUT = 4 * EMAIL_MAX_LENGTH + 100

# Exactly one "@" with something on both sides, and no whitespace anywhere.
_ONE_AT_SIGN = re.compile(r"[^@\s]+@[^@\s]+")

# Characters that make an address something else than one plain mailbox to a
# mail parser: list separators (, ;), route and group syntax (< > :), comments
# ( ), quoted strings and escapes (" \), and domain literals ([ ]), which
# would let anyone have mail sent to an IP address of their choice.
_NOT_IN_A_PLAIN_MAILBOX = frozenset(',;:<>()"\\[]')

# Categories of characters that are invisible or have no fixed glyph: format
# (zero-width space, soft hyphen, bidi controls), control, unassigned, private
# use, surrogates, and the space and line/paragraph separators.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Cn", "Co", "Cs", "Zs", "Zl", "Zp"})

# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): rendered
# as nothing whatever their category, e.g. the Hangul fillers (letters) and
# variation selectors (marks). Stable: the property is only ever extended
# into code points that are unassigned today, which are refused anyway.
_DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)

# Script codes (ISO 15924) as fontTools reports them.
_COMMON, _INHERITED, _LATIN = "Zyyy", "Zinh", "Latn"
# UTS #39: Han is written together with kana (Japanese), Hangul (Korean) or
# Bopomofo (Chinese); each such writing system counts as one script.
_WRITING_SYSTEMS = {
    "Hani": {"Hanb", "Jpan", "Kore"},
    "Hira": {"Jpan"},
    "Kana": {"Jpan"},
    "Hang": {"Kore"},
    "Bopo": {"Hanb"},
}
_LATIN_MAY_JOIN = frozenset({"Hanb", "Jpan", "Kore"})


def normalize_email(email: str) -> str:
    """The canonical form of a typed email: Unicode NFKC, then trimmed.

    Why: NFKC maps compatibility look-alikes to the character they stand for
    (fullwidth ``ｅ`` and ``＠``, ``𝐫``, the ``ﬁ`` ligature) and composes
    accents, so that the uniqueness check, the lookups and the mailer all see
    the one address a person means. Case is kept (the column compares without
    it). Used for registration, email changes, log-in and every lookup.
    """
    if len(email) > NORMALIZE_MAX_INPUT:
        return email.strip()  # refused for its length whatever NFKC would make of it
    return unicodedata.normalize("NFKC", email).strip()


def email_problems(email: str) -> list[str]:
    """The validation messages for a normalised email; empty when it is acceptable.

    ``AT_SIGN`` when it is not exactly one plain mailbox or has a character one
    cannot see; ``INVALID`` when a part of it mixes scripts. Length is not
    checked here.
    """
    if not is_one_plain_mailbox(email) or has_invisible_characters(email):
        return [AT_SIGN]
    if mixes_scripts(email):
        return [INVALID]
    return []


def is_one_plain_mailbox(email: str) -> bool:
    """Whether ``email`` is ``local@domain`` and nothing a mail parser reads as more.

    Why: the SMTP backend parses the address it is given. With two ``@``, a
    list separator, angle brackets or quotes the account would hold an
    address that is refused at sending time or, worse, delivered elsewhere
    (``"alice"@x`` is sent to ``alice@x``, ``<alice@x>`` to ``alice@x``). Empty
    domain labels (``x@example.com.``, ``x@a..b``) are refused too: a trailing
    dot reaches the same mailbox as the address without it.
    """
    if not _ONE_AT_SIGN.fullmatch(email) or not _NOT_IN_A_PLAIN_MAILBOX.isdisjoint(email):
        return False
    domain = email.rpartition("@")[2]
    return all(domain.split("."))


def has_invisible_characters(email: str) -> bool:
    """Whether ``email`` has a character that shows as nothing, or as a mere space.

    Why: ``realalice@example.com`` followed by a zero-width space, or with a
    soft hyphen inside, displays as the real address but is another account.
    Bidi controls reorder what is displayed; control, private-use,
    surrogate and unassigned code points have no reliable glyph at all.
    """
    return any(_is_invisible(char) for char in email)


def mixes_scripts(email: str) -> bool:
    """Whether the local part, or any domain label, mixes writing systems.

    Why: ``pаypal`` with a Cyrillic ``а`` reads as the Latin word. Each part
    must be in one script (UTS #39 "highly restrictive"): digits and
    punctuation go with any script, Han goes with kana, Hangul or Bopomofo,
    and Latin may join those East Asian writing systems, which share no
    look-alikes with it. Parts are judged separately, so a Cyrillic local
    part at a Latin domain, or ``用户@例子.广告``, stays allowed.
    """
    local, _, domain = email.rpartition("@")
    return any(_mixed(part) for part in (local, *domain.split(".")))


# --- helpers ---------------------------------------------------------------------------


def _is_invisible(char: str) -> bool:
    if char.isspace() or unicodedata.category(char) in _INVISIBLE_CATEGORIES:
        return True
    code = ord(char)
    return any(first <= code <= last for first, last in _DEFAULT_IGNORABLE)


def _mixed(part: str) -> bool:
    scripts = _resolved_scripts(part)
    if scripts is None or scripts:
        return False  # no script at all, or one script for every character
    # Latin with one East Asian writing system is still one reading.
    rest = _resolved_scripts(char for char in part if _LATIN not in script_extension(char))
    return rest is not None and not rest & _LATIN_MAY_JOIN


def _resolved_scripts(chars: Iterable[str]) -> set[str] | None:
    """The scripts every character can be written in (UTS #39); None when any would do.

    Common (digits, punctuation) and Inherited (combining marks) characters
    fit any script; a character used by several scripts (its Script_Extensions)
    fits each of them.
    """
    resolved: set[str] | None = None
    for char in chars:
        scripts = set(script_extension(char))
        if _COMMON in scripts or _INHERITED in scripts:
            continue
        for script in list(scripts):
            scripts |= _WRITING_SYSTEMS.get(script, set())
        resolved = scripts if resolved is None else resolved & scripts
    return resolved
