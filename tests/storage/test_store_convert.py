"""The stored forms of values: uids kept as bytes come back unchanged, and the usual ones in 16 bytes."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from wellbeing_app.storage.convert import uid_from_db, uid_to_db


@given(st.text(max_size=70))
def test_every_uid_comes_back_unchanged(uid: str) -> None:
    assert uid_from_db(uid_to_db(uid)) == uid


@given(st.text(max_size=20), st.text(max_size=20))
def test_different_uids_are_stored_differently(first: str, second: str) -> None:
    if first != second:
        assert uid_to_db(first) != uid_to_db(second)


@given(st.uuids())
def test_a_uuid_hex_takes_sixteen_bytes(value: uuid.UUID) -> None:
    assert uid_to_db(value.hex) == value.bytes
    assert uid_from_db(value.bytes) == value.hex


def test_text_that_looks_like_bytes_stays_text() -> None:
    assert uid_from_db(uid_to_db("A" * 32)) == "A" * 32  # upper case hex is someone's text
    assert uid_from_db(uid_to_db("0123456789abcdef")) == "0123456789abcdef"  # 16 characters
    assert len(uid_to_db("0123456789abcdef")) == 17
