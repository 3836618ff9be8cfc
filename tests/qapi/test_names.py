# SPDX-License-Identifier: GPL-2.0-or-later
"""QEMU's rules for node-names and job IDs (util/id.c id_wellformed, block.c, job.c)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guimirror.qapi.errors import QAPIError
from guimirror.qapi.names import NODE_NAME_MAX, check_job_id, check_node_name, id_wellformed

WELLFORMED = ["a", "src", "e-src-file", "node.1", "A_b-c.9", "x" * 100]
MALFORMED = ["", "1abc", "#block123", "-a", "_a", ".a", "a b", "a/b", "a:b", "é", "aé", "a\n"]


@pytest.mark.parametrize("name", WELLFORMED)
def test_wellformed(name: str) -> None:
    assert id_wellformed(name)


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed(name: str) -> None:
    assert not id_wellformed(name)


@pytest.mark.parametrize("name", MALFORMED)
def test_node_name_errors(name: str) -> None:
    with pytest.raises(QAPIError) as caught:
        check_node_name(name)
    assert caught.value.desc == f"Invalid node-name: '{name}'"


def test_node_name_length() -> None:
    assert NODE_NAME_MAX == 31
    check_node_name("n" * 31)
    with pytest.raises(QAPIError) as caught:
        check_node_name("n" * 32)
    assert caught.value.desc == "Node name too long"
    with pytest.raises(QAPIError) as caught:
        check_node_name("#" + "n" * 40)
    assert caught.value.desc == "Invalid node-name: '#" + "n" * 40 + "'"


@pytest.mark.parametrize(
    ("job_id", "desc"),
    [
        (None, "Invalid job ID ''"),
        ("", "Invalid job ID ''"),
        ("#bad", "Invalid job ID '#bad'"),
        ("9", "Invalid job ID '9'"),
    ],
)
def test_job_id_errors(job_id: str | None, desc: str) -> None:
    with pytest.raises(QAPIError) as caught:
        check_job_id(job_id)
    assert caught.value.desc == desc
    assert caught.value.error_class == "GenericError"


def test_long_job_id_is_fine() -> None:
    check_job_id("j" * 200)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="ascii"), max_size=12))
def test_wellformed_is_ascii_letter_then_letters_digits_and_dash_dot_underscore(name: str) -> None:
    expected = (
        bool(name)
        and name[0].isascii()
        and name[0].isalpha()
        and all(c.isascii() and (c.isalnum() or c in "-._") for c in name[1:])
    )
    assert id_wellformed(name) == expected
