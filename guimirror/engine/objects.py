# SPDX-License-Identifier: GPL-2.0-or-later
"""The engine's user-creatable objects (object-add, object-del): TLS credentials.

A ``tls-creds-x509`` object names a directory in QEMU's layout: ca-cert.pem, and per
endpoint server-cert.pem and server-key.pem or client-cert.pem and client-key.pem. Its
files are checked when it is added (QEMU loads them then) and read again each time a
TLS context is made from it (for a new NBD node or for the NBD server), in a worker thread.
"""

from __future__ import annotations

import errno
import os
import ssl
from dataclasses import dataclass

from guimirror.engine import io
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.objects import (
    ObjectAdd,
    ObjectDel,
    QCryptoTLSCredsEndpoint,
    TlsCredsX509Properties,
)

CA_CERT = "ca-cert.pem"


@dataclass(frozen=True)
class TlsCredsX509:
    """One ``tls-creds-x509`` object."""

    id: str
    dir: str
    endpoint: QCryptoTLSCredsEndpoint
    verify_peer: bool

    def _path(self, name: str, required: bool) -> str | None:
        path = os.path.join(self.dir, name)
        if os.access(path, os.R_OK):
            return path
        if not required:
            return None
        code = errno.ENOENT if not os.path.exists(path) else errno.EACCES
        raise QAPIError(f"Unable to access credentials {path}: {os.strerror(code)}")

    def check(self) -> None:
        """The files QEMU requires are there and readable (worker thread)."""
        self._path(CA_CERT, required=True)
        if self.endpoint == QCryptoTLSCredsEndpoint.SERVER:
            self._path("server-cert.pem", required=True)
            self._path("server-key.pem", required=True)

    def client_context(self) -> ssl.SSLContext:
        """A context for the client side: the server's certificate must carry the host name
        (or tls-hostname) and, with verify-peer, be signed by the CA. Worker thread."""
        if self.endpoint != QCryptoTLSCredsEndpoint.CLIENT:
            raise QAPIError("Expecting TLS credentials with a client endpoint")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.verify_peer:
            context.load_verify_locations(cafile=self._path(CA_CERT, required=True))
        else:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        cert = self._path("client-cert.pem", required=False)
        key = self._path("client-key.pem", required=False)
        if cert is not None and key is not None:
            context.load_cert_chain(cert, key)
        return context

    def server_context(self) -> ssl.SSLContext:
        """A context for the NBD server; with verify-peer clients must show a certificate
        the CA signed. Worker thread."""
        if self.endpoint != QCryptoTLSCredsEndpoint.SERVER:
            raise QAPIError("Expecting TLS credentials with a server endpoint")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        cert = self._path("server-cert.pem", required=True)
        key = self._path("server-key.pem", required=True)
        assert cert is not None and key is not None
        context.load_cert_chain(cert, key)
        if self.verify_peer:
            context.load_verify_locations(cafile=self._path(CA_CERT, required=True))
            context.verify_mode = ssl.CERT_REQUIRED
        return context


class ObjectStore:
    """The objects of one engine by id; every method runs in the task of a QMP command."""

    def __init__(self) -> None:
        self._objects: dict[str, TlsCredsX509] = {}

    async def object_add(self, args: ObjectAdd) -> None:
        if args.id in self._objects:
            raise QAPIError(
                f"attempt to add duplicate property '{args.id}' to object (type 'container')"
            )
        assert isinstance(args, TlsCredsX509Properties)
        if args.dir is None:
            raise QAPIError("Parameter 'dir' is missing")
        creds = TlsCredsX509(
            id=args.id,
            dir=args.dir,
            endpoint=args.endpoint or QCryptoTLSCredsEndpoint.CLIENT,
            verify_peer=args.verify_peer is not False,
        )
        await io.run(creds.check)
        self._objects[args.id] = creds

    async def object_del(self, args: ObjectDel) -> None:
        if self._objects.pop(args.id, None) is None:
            raise QAPIError(f"object '{args.id}' not found")

    def tls_creds(self, creds_id: str) -> TlsCredsX509:
        creds = self._objects.get(creds_id)
        if creds is None:
            raise QAPIError(f"No TLS credentials with id '{creds_id}'")
        return creds

    async def client_context(self, creds_id: str) -> ssl.SSLContext:
        """The client TLS context of the object ``creds_id`` (an nbd node's tls-creds)."""
        return await io.run(self._context, self.tls_creds(creds_id).client_context)

    async def server_context(self, creds_id: str) -> ssl.SSLContext:
        """The server TLS context of the object ``creds_id`` (nbd-server-start's tls-creds)."""
        return await io.run(self._context, self.tls_creds(creds_id).server_context)

    @staticmethod
    def _context(make: object, *args: object) -> ssl.SSLContext:
        """Worker thread: ``make(*args)``, a certificate that will not load as QEMU says it."""
        assert callable(make)
        try:
            context = make(*args)
        except ssl.SSLError as exc:
            raise QAPIError(f"Unable to load TLS credentials: {exc.reason or exc}") from exc
        except OSError as exc:
            raise QAPIError(f"Unable to load TLS credentials: {exc.strerror or exc}") from exc
        assert isinstance(context, ssl.SSLContext)
        return context
