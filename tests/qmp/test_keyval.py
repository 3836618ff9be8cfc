# SPDX-License-Identifier: GPL-2.0-or-later
"""QEMU's key=value option syntax; the error texts are qemu-storage-daemon 7.2's."""

from __future__ import annotations

import pytest

from guimirror.qapi.errors import QAPIError
from guimirror.qmp.keyval import parse, parse_option


def test_dotted_keys_escaped_commas_implied_key_and_last_repeat_wins() -> None:
    assert parse("file,node-name=f0,filename=/a,,b,cache.direct=on", "driver") == {
        "driver": "file", "node-name": "f0", "filename": "/a,b", "cache": {"direct": "on"}}
    assert parse("driver=null-co,node-name=n,node-name=m")["node-name"] == "m"
    assert parse("driver=null-co,node-name=n,,x=1")["node-name"] == "n,x=1"
    assert parse("x=1,inject-error.1.event=b,inject-error.0.event=a")["inject-error"] == [
        {"event": "a"}, {"event": "b"}]


def test_values_are_typed_for_the_members_we_know() -> None:
    options = parse_option("null-co,node-name=n,size=0x100000,read-zeroes=on,"
                           "cache.no-flush=off", "driver")
    assert options == {"driver": "null-co", "node-name": "n", "size": 1048576,
                       "read-zeroes": True, "cache": {"no-flush": False}}
    assert parse_option('{"driver": "null-co", "size": 4096}') == {
        "driver": "null-co", "size": 4096}


@pytest.mark.parametrize(("params", "text"), [
    ("driver=null-co,node-name=n,size=1M,read-zeroes",
     "Expected '=' after parameter 'read-zeroes'"),
    ("driver=null-co,node-name=n,a.b=1,a=2", "Parameters 'a.*' used inconsistently"),
    ("driver=null-co,node-name=n,a=2,a.b=1", "Parameters 'a.*' used inconsistently"),
    ("driver=null-co,node-name=n,=1", "Invalid parameter ''"),
    ("driver=null-co,node-name=n,1a=1", "Invalid parameter '1a'"),
    ("driver=null-co,node-name=n,a.1=x", "Parameter 'a.0' missing"),
    ("driver=null-co,node-name=n,size=1M", "Parameter 'size' expects integer"),
    ("driver=null-co,node-name=n,read-only=maybe",
     "Parameter 'read-only' expects 'on' or 'off'"),
    ('{"driver":"null-co","node-name":"n"', "JSON parse error, premature EOI"),
])
def test_errors_read_as_qemus(params: str, text: str) -> None:
    with pytest.raises(QAPIError) as error:
        parse_option(params, "driver")
    assert error.value.desc == text
