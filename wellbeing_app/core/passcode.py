"""The passcode: validation, a salted scrypt hash, a constant-time check and the lockout rule."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from .errors import PasscodeError
from .record import record
from .text import N_, Text

MIN_DIGITS, MAX_DIGITS = 4, 12
MIN_PHRASE, MAX_PHRASE = 6, 128
FREE_TRIES = 5
FIRST_LOCKOUT = timedelta(minutes=1)
MAX_LOCKOUT = timedelta(hours=24)

_LIMITS = {
    "min_digits": MIN_DIGITS,
    "max_digits": MAX_DIGITS,
    "min_phrase": MIN_PHRASE,
    "max_phrase": MAX_PHRASE,
}

# scrypt cost: about 50 ms on one core of a small laptop, 16 MiB of memory.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


@record
class PasscodeHash:
    """What is stored of a passcode: never the passcode itself."""

    salt: bytes
    digest: bytes
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P


@record
class Attempt:
    """One passcode entry, as recorded: when, and whether it was right."""

    at: datetime
    ok: bool


def validate(passcode: str) -> str:
    """Return the passcode if it is acceptable, else raise PasscodeError saying what is allowed."""
    text = passcode.strip()
    if text.isdigit() and text.isascii():
        if not MIN_DIGITS <= len(text) <= MAX_DIGITS:
            raise PasscodeError(
                Text(
                    N_(
                        "a passcode of {count} digits is not allowed; use {min_digits} to {max_digits} digits, "
                        "or a phrase of at least {min_phrase} characters"
                    ),
                    _LIMITS | {"count": len(text)},
                )
            )
        return text
    if not MIN_PHRASE <= len(text) <= MAX_PHRASE:
        raise PasscodeError(
            Text(
                N_(
                    "a passphrase of {count} characters is not allowed; use {min_phrase} to {max_phrase} "
                    "characters, or {min_digits} to {max_digits} digits"
                ),
                _LIMITS | {"count": len(text)},
            )
        )
    return text


def _derive(passcode: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    import hashlib  # here, as hmac below: loading OpenSSL is 3 ms of every start, and few derive

    return hashlib.scrypt(
        passcode.strip().encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32
    )


def hash_passcode(passcode: str, salt: bytes) -> PasscodeHash:
    """Hash a new passcode with the given random salt (the caller draws it from the OS)."""
    if len(salt) < 16:
        raise ValueError("the salt must be at least 16 random bytes")
    text = validate(passcode)
    return PasscodeHash(salt=salt, digest=_derive(text, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P))


def matches(passcode: str, stored: PasscodeHash) -> bool:
    """Whether the passcode is the stored one; the comparison takes constant time."""
    import hmac

    candidate = _derive(passcode, stored.salt, stored.n, stored.r, stored.p)
    return hmac.compare_digest(candidate, stored.digest)


def lockout_until(attempts: Iterable[Attempt]) -> datetime | None:
    """When entry opens again after too many wrong tries, or None if it is open.

    Counts the wrong tries since the last right one. The fifth locks entry for a minute from
    that try; every wrong try after that doubles the lockout (2, 4, 8 … minutes, at most a day).
    Attempts made while locked out are refused before they are checked and are not passed here.
    """
    failures: list[datetime] = []
    for attempt in sorted(attempts, key=lambda a: a.at):
        if attempt.ok:
            failures.clear()
        else:
            failures.append(attempt.at)
    if len(failures) < FREE_TRIES:
        return None
    extra = len(failures) - FREE_TRIES
    lockout = FIRST_LOCKOUT * (1 << min(extra, 20))
    return failures[-1] + min(lockout, MAX_LOCKOUT)
