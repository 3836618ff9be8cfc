# SPDX-License-Identifier: GPL-2.0-or-later
"""``object-add`` and ``object-del``: the user-creatable objects guimirror's engine has.

Only TLS credentials: ``tls-creds-x509`` (QEMU's ``TlsCredsX509Properties``), a directory
holding ca-cert.pem and, per ``endpoint``, server-cert.pem/server-key.pem or
client-cert.pem/client-key.pem. ``parse_arguments(ObjectAdd, raw)`` returns the variant.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, TypeAdapter

from guimirror.qapi.base import QAPIModel, union_check, union_discriminator, variant_tag
from guimirror.qapi.types import NOT_NULL_STRING, OptBool, OptStr, Str


class ObjectType(StrEnum):
    """The qom-types object-add creates here (a subset of QAPI ``ObjectType``)."""

    TLS_CREDS_X509 = "tls-creds-x509"


class QCryptoTLSCredsEndpoint(StrEnum):
    """Which side of a TLS session the credentials are for."""

    CLIENT = "client"
    SERVER = "server"


class ObjectAdd(QAPIModel):
    """Arguments of ``object-add``: the members every object has."""

    QAPI_UNION: ClassVar[TypeAdapter[Any] | None] = None
    ALWAYS_DUMPED: ClassVar[frozenset[str]] = frozenset({"qom-type"})

    qom_type: ObjectType = Field(description="the class of the new object")
    id: Str = Field(description="the name of the new object")


class TlsCredsX509Properties(ObjectAdd):
    """``tls-creds-x509``: x509 certificates and keys from the files in ``dir``."""

    qom_type: Literal[ObjectType.TLS_CREDS_X509] = Field(
        default=ObjectType.TLS_CREDS_X509, description="'tls-creds-x509'"
    )
    verify_peer: OptBool = Field(
        default=None, description="check the peer's certificate against the CA; default true"
    )
    dir: OptStr = Field(default=None, description="the directory of the PEM files")
    endpoint: Annotated[QCryptoTLSCredsEndpoint | None, NOT_NULL_STRING] = Field(
        default=None, description="'client' (default) or 'server'"
    )
    priority: OptStr = Field(default=None, description="a GNUTLS priority string")
    loaded: OptBool = Field(default=None, description="deprecated, ignored")
    sanity_check: OptBool = Field(
        default=None, description="check the certificates when loading them; default true"
    )
    passwordid: OptStr = Field(
        default=None, description="id of a secret object holding the key's password"
    )


class ObjectDel(QAPIModel):
    """Arguments of ``object-del``."""

    id: Str = Field(description="the name of the object to delete")


_TAGS = {ObjectType.TLS_CREDS_X509: TlsCredsX509Properties.__name__}

AnyObjectAdd = Annotated[
    Annotated[TlsCredsX509Properties, variant_tag(TlsCredsX509Properties.__name__)],
    union_discriminator("qom-type", _TAGS),
    union_check("qom-type", _TAGS),
]

ObjectAdd.QAPI_UNION = TypeAdapter(AnyObjectAdd)
