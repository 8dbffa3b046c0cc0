"""Password hashing with argon2id (the argon2-cffi defaults, RFC 9106's second recommended profile).

A hash made under older parameters still verifies and is flagged for rehashing, so raising the cost
later upgrades each user's hash at their next login.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from adology.errors import AdologyError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256  # argon2 takes any length; the bound keeps a hostile login cheap to refuse

_HASHER = PasswordHasher()
# Verified against when the email is unknown, so a login takes as long whether or not the user exists.
_DECOY_HASH = _HASHER.hash("decoy password that no account has")


class WeakPasswordError(AdologyError):
    """A new password is too short or too long; the message says the bounds."""


def check_new_password(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise WeakPasswordError(
            f"a password needs {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters, got {len(password)}"
        )


def hash_password(password: str) -> str:
    check_new_password(password)
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; a missing or malformed hash never matches (and costs the same)."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return _HASHER.verify(password_hash or _DECOY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)
