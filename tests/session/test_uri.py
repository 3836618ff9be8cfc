# SPDX-License-Identifier: GPL-2.0-or-later
"""Endpoint URIs as text: canonical forms, round trips, bad texts, and a scheme plugged in."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import ClassVar, Self

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guimirror.errors import GuimirrorError
from guimirror.session import opening, uri
from guimirror.session.endpoint import BuiltinEndpoint, Endpoint
from guimirror.session.opening import endpoint_for, register_scheme
from guimirror.session.uri import (
    BuiltinURI,
    DaemonURI,
    EndpointURI,
    EndpointURIError,
    TcpURI,
    UnixURI,
    parse_endpoint_uri,
)


@pytest.mark.parametrize(
    ("text", "parsed", "canonical"),
    [
        ("builtin:", BuiltinURI(), "builtin:"),
        (" BUILTIN: ", BuiltinURI(), "builtin:"),
        ("qsd:", DaemonURI(), "qsd:"),
        ("qsd:/usr/bin/qemu-storage-daemon", DaemonURI("/usr/bin/qemu-storage-daemon"),
         "qsd:/usr/bin/qemu-storage-daemon"),
        ("qsd:?socket=/tmp/guimirror-qsd-x/qmp.sock",
         DaemonURI(None, "/tmp/guimirror-qsd-x/qmp.sock"),
         "qsd:?socket=/tmp/guimirror-qsd-x/qmp.sock"),
        ("qsd:/opt/qsd?socket=/tmp/a%20b/x%26y.sock", DaemonURI("/opt/qsd", "/tmp/a b/x&y.sock"),
         "qsd:/opt/qsd?socket=/tmp/a%20b/x%26y.sock"),
        ("unix:/run/vm1/qmp.sock", UnixURI("/run/vm1/qmp.sock"), "unix:/run/vm1/qmp.sock"),
        ("/run/vm 1/qmp.sock", UnixURI("/run/vm 1/qmp.sock"), "unix:/run/vm%201/qmp.sock"),
        ("unix:/a%3Fb", UnixURI("/a?b"), "unix:/a%3Fb"),
        ("tcp:localhost:4444", TcpURI("localhost", 4444), "tcp:localhost:4444"),
        ("tcp:LocalHost:4444", TcpURI("localhost", 4444), "tcp:localhost:4444"),
        ("tcp:127.1:4444", TcpURI("127.1", 4444), "tcp:127.1:4444"),
        ("tcp:[::1]:4444", TcpURI("::1", 4444), "tcp:[::1]:4444"),
        ("tcp:[0:0:0:0:0:0:0:1]:65535", TcpURI("::1", 65535), "tcp:[::1]:65535"),
    ],
)
def test_uris_parse_to_their_value_and_canonical_form(
        text: str, parsed: EndpointURI, canonical: str) -> None:
    assert parse_endpoint_uri(text) == parsed
    assert str(parsed) == canonical
    assert parse_endpoint_uri(canonical) == parsed


@given(st.text(st.characters(exclude_characters="\0", exclude_categories=("Cs",)), min_size=1))
def test_any_path_survives_the_round_trip(tail: str) -> None:
    path = "/" + tail
    for value in (UnixURI(path), DaemonURI(path, path), DaemonURI(None, path)):
        assert parse_endpoint_uri(str(value)) == value


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("qmp.sock", "it has no scheme"),
        ("builtin:now", "'builtin:' takes nothing after the colon"),
        ("ftp:/x", "guimirror knows no scheme 'ftp:'"),
        ("localhost:4444", "did you mean tcp:localhost:4444?"),
        ("qsd:qemu-storage-daemon", "the daemon's binary must be an absolute path"),
        ("qsd:?adopt=/x/qmp.sock", "'adopt=/x/qmp.sock' is not an option here"),
        ("qsd:?socket=x.sock", "socket= must be an absolute path"),
        ("qsd:?socket=/a&socket=/b", "'socket=' is given twice"),
        ("unix:", "a unix socket must be an absolute path"),
        ("unix:run/qmp.sock", "a unix socket must be an absolute path"),
        ("tcp:localhost", "'tcp:' needs HOST:PORT"),
        ("tcp::4444", "'tcp:' needs HOST:PORT"),
        ("tcp:localhost:0", "the port '0' is not a number from 1 to 65535"),
        ("tcp:localhost:65536", "the port '65536' is not a number from 1 to 65535"),
        ("tcp:localhost:http", "the port 'http' is not a number"),
        ("tcp:::1:4444", "an IPv6 address goes in brackets"),
        ("tcp:[::g]:4444", "'[::g]' is not an IPv6 address"),
        ("tcp:a/b:4444", "'a/b' is not a host name"),
    ],
)
def test_bad_uris_say_why_and_list_the_accepted_forms(text: str, why: str) -> None:
    with pytest.raises(EndpointURIError) as caught:
        parse_endpoint_uri(text)
    assert isinstance(caught.value, GuimirrorError)
    desc = caught.value.desc
    assert why in desc
    assert desc.startswith(f"'{text.strip() or text}' is not an endpoint URI: ")
    for form in ("builtin:", "qsd:", "unix:/path/to/qmp.sock", "tcp:HOST:PORT"):
        assert form in desc


def test_a_new_scheme_plugs_in_with_its_opener(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a later scheme (libvirt's qemu:///system, ssh://) does: register a URI type and
    an opener; parse_endpoint_uri and open_endpoint take it as they are."""
    monkeypatch.setattr(uri, "_URI_TYPES", dict(uri._URI_TYPES))
    monkeypatch.setattr(opening, "_OPENERS", dict(opening._OPENERS))

    @dataclass(frozen=True)
    class EngineURI(EndpointURI):
        scheme: ClassVar[str] = "engine"
        forms: ClassVar[tuple[str, ...]] = ("engine:NAME",)
        label: str

        @classmethod
        def parse(cls, rest: str) -> Self:
            if not rest:
                raise ValueError("'engine:' needs a name")
            return cls(rest)

        def __str__(self) -> str:
            return f"engine:{self.label}"

    def open_engine(parsed: EngineURI, name: str) -> Endpoint:
        return BuiltinEndpoint(f"{name} ({parsed.label})")

    with pytest.raises(EndpointURIError, match="knows no scheme 'engine:'"):
        parse_endpoint_uri("engine:spare")
    register_scheme(EngineURI, open_engine)
    assert parse_endpoint_uri("ENGINE:spare") == EngineURI("spare")
    with pytest.raises(EndpointURIError, match="engine:NAME"):
        parse_endpoint_uri("engine:")

    async def scenario() -> None:
        endpoint = await opening.open_endpoint("engine:spare", name="mine")
        try:
            assert endpoint.name == "mine (spare)"
            assert await endpoint.client.query_block_jobs() == []
        finally:
            await endpoint.close()

    asyncio.run(scenario())


def test_endpoint_for_names_an_endpoint_after_its_canonical_uri() -> None:
    endpoint = endpoint_for("/run/vm1/qmp.sock")
    assert endpoint.name == "unix:/run/vm1/qmp.sock"
    assert endpoint.uri == UnixURI("/run/vm1/qmp.sock")
    assert endpoint_for("tcp:[::1]:4444", name="vm").uri == TcpURI("::1", 4444)
    assert endpoint_for("qsd:/opt/qsd").uri == DaemonURI("/opt/qsd")
    assert endpoint_for(BuiltinURI()).uri == BuiltinURI()
