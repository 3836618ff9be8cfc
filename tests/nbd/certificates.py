# SPDX-License-Identifier: GPL-2.0-or-later
"""TLS credentials in QEMU's directory layout, made with openssl for one test.

``make_credentials(directory)`` writes a CA and, signed by it, a server certificate (for
``localhost``, 127.0.0.1 and the given addresses) and a client certificate, with the key
usages QEMU's sanity check asks for: ``directory/server`` holds ca-cert.pem,
server-cert.pem and server-key.pem; ``directory/client`` ca-cert.pem, client-cert.pem and
client-key.pem. ``directory/rogue`` holds a client whose certificate another CA signed.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.support import require_tools


@dataclass(frozen=True)
class Credentials:
    server: Path
    client: Path
    rogue: Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _ca(work: Path, name: str) -> None:
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", f"/CN={name}", "-keyout", f"{name}-key.pem", "-out", f"{name}-cert.pem",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=work)  # fmt: skip


def _signed(work: Path, ca: str, name: str, extensions: str) -> None:
    (work / f"{name}.ext").write_text(extensions)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}",
             "-keyout", f"{name}-key.pem", "-out", f"{name}.csr", cwd=work)  # fmt: skip
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}-cert.pem",
             "-CAkey", f"{ca}-key.pem", "-CAcreateserial", "-days", "2",
             "-extfile", f"{name}.ext", "-out", f"{name}-cert.pem", cwd=work)  # fmt: skip


def make_credentials(directory: Path, addresses: tuple[str, ...] = ()) -> Credentials:
    require_tools("openssl")
    work = directory / "work"
    work.mkdir(parents=True)
    _ca(work, "ca")
    _ca(work, "other-ca")
    names = ", ".join(["DNS:localhost", "IP:127.0.0.1", *(f"IP:{a}" for a in addresses)])
    common = (
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
    )
    _signed(work, "ca", "server", f"{common}extendedKeyUsage=serverAuth\nsubjectAltName={names}\n")
    _signed(work, "ca", "client", f"{common}extendedKeyUsage=clientAuth\n")
    _signed(work, "other-ca", "rogue", f"{common}extendedKeyUsage=clientAuth\n")
    layout = {
        "server": {"ca-cert.pem": "ca-cert.pem", "server-cert.pem": "server-cert.pem",
                   "server-key.pem": "server-key.pem"},
        "client": {"ca-cert.pem": "ca-cert.pem", "client-cert.pem": "client-cert.pem",
                   "client-key.pem": "client-key.pem"},
        "rogue": {"ca-cert.pem": "ca-cert.pem", "client-cert.pem": "rogue-cert.pem",
                  "client-key.pem": "rogue-key.pem"},
    }  # fmt: skip
    for role, files in layout.items():
        (directory / role).mkdir()
        for name, source in files.items():
            shutil.copyfile(work / source, directory / role / name)
    return Credentials(directory / "server", directory / "client", directory / "rogue")
