"""Tests for retain.output: masking of personal data for display."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from retain.output import mask_id_number, mask_phone


def test_masks() -> None:
    assert mask_phone("13812348001") == "138****8001"
    assert mask_phone(None) == ""
    assert mask_id_number("110105194912310021") == "110***********0021"
    assert mask_id_number(None) == ""


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.text(), st.none()))
def test_masks_never_fail(value: str | None) -> None:
    assert isinstance(mask_phone(value), str)
    assert isinstance(mask_id_number(value), str)
