# SPDX-License-Identifier: GPL-2.0-or-later
"""guimirror-daemon: the built-in engine served over QMP, started like qemu-storage-daemon.

The options we support take the same arguments as qemu-storage-daemon's, so one command
line starts either daemon; options are applied in the order given. The daemon runs until
``quit`` or SIGTERM/SIGINT, then cancels open jobs (never a pivot), closes exports and
nodes, removes its pidfile and exits 0. As with qemu-storage-daemon, the events of that
shutdown reach the clients before the reply to ``quit``, and the connections close after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import signal
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guimirror import __version__
from guimirror.engine.engine import Engine
from guimirror.errors import GuimirrorError
from guimirror.qapi.base import parse_arguments
from guimirror.qapi.commands import COMMANDS
from guimirror.qapi.errors import QAPIError
from guimirror.qmp import keyval
from guimirror.qmp.json_stream import in_visit_order
from guimirror.qmp.server import QMPServer, TransportError, check_socket_directory

PROG = "guimirror-daemon"

USAGE = f"""\
Usage: {PROG} [options]
The guimirror engine, served over QMP

  -h, --help             display this help and exit
  -V, --version          output version information and exit

  --blockdev [driver=]<driver>[,node-name=<N>][,discard=ignore|unmap]
             [,cache.direct=on|off][,cache.no-flush=on|off]
             [,read-only=on|off][,driver specific parameters...]
                         configure a block node (drivers: file, host_device, raw,
                         null-co, blkdebug, nbd); JSON is accepted too

  --chardev socket,id=<id>,path=<path>,server=on,wait=off
  --chardev socket,id=<id>,host=<loopback address>,port=<port>,server=on,wait=off
                         a listening socket for a QMP monitor

  --export [type=]nbd,id=<id>,node-name=<node-name>[,name=<export-name>]
           [,writable=on|off]
                         export the specified block node over NBD
                         (requires --nbd-server)

  --monitor [chardev=]name[,mode=control]
                         serve QMP on the chardev

  --nbd-server addr.type=inet,addr.host=<host>,addr.port=<port>[,max-connections=<n>]
               [,tls-creds=<id>]
  --nbd-server addr.type=unix,addr.path=<path>[,max-connections=<n>][,tls-creds=<id>]
                         start an NBD server for exporting block nodes

  --object tls-creds-x509,id=<id>,dir=<dir>[,endpoint=server|client][,verify-peer=on|off]
                         TLS credentials for --nbd-server's tls-creds or an nbd node's
                         tls-creds (dir holds ca-cert.pem, server-cert.pem, server-key.pem,
                         client-cert.pem, client-key.pem)

  --nbd-allow-plaintext  let --nbd-server and nbd-server-start listen on an address that is
                         not loopback without tls-creds (refused otherwise: the data would
                         cross the network in the clear)

  --pidfile <path>       write process ID to a file after startup

The command line is compatible with qemu-storage-daemon's for these options.
"""

VERSION = f"{PROG} version {__version__} (QMP compatible with qemu-storage-daemon 7.2)\n"

WITH_ARGUMENT = ("blockdev", "chardev", "export", "monitor", "nbd-server", "object", "pidfile")
FLAGS = ("nbd-allow-plaintext",)
UNSUPPORTED = ("daemonize", "trace")


class UsageError(GuimirrorError):
    """A command line error; the message is printed after the program name."""


@dataclass
class CommandLine:
    """The options in the order given; ``--help``/``--version`` short-circuit."""

    options: list[tuple[str, str]] = field(default_factory=list)
    help: bool = False
    version: bool = False


def parse_command_line(argv: list[str]) -> CommandLine:
    """getopt_long-style parsing, with its error texts."""
    line = CommandLine()
    args = iter(argv)
    for arg in args:
        if arg in ("-h", "--help"):
            line.help = True
            return line
        if arg in ("-V", "--version"):
            line.version = True
            return line
        if not arg.startswith("-") or arg == "-":
            raise UsageError(f"{arg}: Unexpected argument")
        name, has_value, value = arg.lstrip("-").partition("=")
        if arg.startswith("--") and name in FLAGS and not has_value:
            line.options.append((name, ""))
            continue
        if not arg.startswith("--") or name not in WITH_ARGUMENT:
            if name in UNSUPPORTED and arg.startswith("--"):
                raise UsageError(f"option '--{name}' is not supported by {PROG}")
            raise UsageError(f"unrecognized option '{arg}'")
        if not has_value:
            try:
                value = next(args)
            except StopIteration:
                raise UsageError(f"option '--{name}' requires an argument") from None
        line.options.append((name, value))
    return line


class Daemon:
    """The engine, its QMP server and the options applied to them (runs in the main task)."""

    def __init__(self) -> None:
        self.engine = Engine()
        self.server = QMPServer(self.engine, on_quit=self.shut_down_engine)
        self._engine_closing: asyncio.Future[None] | None = None
        self.chardevs: dict[str, dict[str, Any]] = {}
        self.monitors: set[str] = set()
        self.pidfile: Path | None = None

    async def apply(self, name: str, argument: str) -> None:
        """Apply one option; raises QAPIError or TransportError with the reason."""
        if name == "pidfile":
            self.pidfile = Path(argument)
        elif name == "blockdev":
            await self._run("blockdev-add", keyval.parse_option(argument, "driver"))
        elif name == "nbd-server":
            await self._run("nbd-server-start", nbd_server_arguments(
                keyval.parse_option(argument)))
        elif name == "export":
            await self._run("block-export-add", keyval.parse_option(argument, "type"))
        elif name == "chardev":
            self._add_chardev(keyval.parse_option(argument, "backend"))
        elif name == "monitor":
            await self._add_monitor(keyval.parse_option(argument, "chardev"))
        elif name == "object":
            await self._run("object-add", keyval.parse_option(argument, "qom-type"))
        elif name == "nbd-allow-plaintext":
            self.engine.exports.allow_plaintext = True

    async def _run(self, command: str, arguments: dict[str, Any]) -> None:
        model = COMMANDS[command]
        assert model is not None
        method = getattr(self.engine, command.replace("-", "_"))
        await method(parse_arguments(model, in_visit_order(arguments)))

    def _add_chardev(self, options: dict[str, Any]) -> None:
        chardev_id = options.get("id")
        if not isinstance(chardev_id, str) or not chardev_id:
            raise QAPIError("Parameter 'id' is missing")
        if chardev_id in self.chardevs:
            # QEMU 7.2's words: the second socket chardev's yank instance is refused first.
            raise QAPIError("duplicate yank instance")
        backend = options.get("backend")
        if backend != "socket":
            raise QAPIError(f"chardev backend '{backend}' is not supported by {PROG}: "
                            "use socket")
        if options.get("server") is not True:
            raise QAPIError(f"{PROG} serves QMP only as a server: use server=on")
        if "path" not in options and not ("host" in options and "port" in options):
            raise QAPIError("chardev: socket: no host given")
        if "path" in options:
            check_chardev_directory(str(options["path"]))
        self.chardevs[chardev_id] = options

    async def _add_monitor(self, options: dict[str, Any]) -> None:
        chardev_id = options.get("chardev")
        if options.get("mode", "control") != "control":
            raise QAPIError(f"{PROG} offers only QMP monitors (mode=control)")
        if options.get("pretty"):
            raise QAPIError(f"pretty=on is not supported by {PROG}")
        chardev = self.chardevs.get(str(chardev_id))
        if chardev is None:
            raise QAPIError(f'chardev "{chardev_id}" not found')
        if chardev_id in self.monitors:
            raise QAPIError(f"Device '{chardev_id}' is in use")
        self.monitors.add(str(chardev_id))
        if "path" in chardev:
            try:
                await self.server.start_unix(chardev["path"])
            except OSError as error:
                raise QAPIError(
                    f"Failed to bind socket to {chardev['path']}: {error.strerror or error}"
                ) from None
        else:
            await self.server.start_tcp(chardev["host"], int(chardev["port"]))

    async def shut_down_engine(self) -> None:
        """Cancel jobs (never a pivot), close exports and nodes, once however often asked
        (runs in the task of the connection that sent quit, or in the main task)."""
        if self._engine_closing is None:
            self._engine_closing = asyncio.ensure_future(self.engine.close())
        await asyncio.shield(self._engine_closing)

    async def close(self) -> None:
        """Shut the engine down and then close the monitors, so clients still see the
        jobs' last events."""
        await self.shut_down_engine()
        await self.server.close()
        if self.pidfile is not None:
            with contextlib.suppress(FileNotFoundError):
                self.pidfile.unlink()


def check_chardev_directory(path: str) -> None:
    """QEMU binds a socket chardev when it is created: a directory that is not there, or
    one the socket rule refuses (``server.check_socket_directory``), is an error of
    --chardev, in QEMU's words."""
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        reason = os.strerror(errno.ENOTDIR if os.path.exists(directory) else errno.ENOENT)
        raise QAPIError(f"Failed to bind socket to {path}: {reason}")
    try:
        check_socket_directory(Path(directory).resolve())
    except TransportError as error:
        raise QAPIError(f"Failed to bind socket to {path}: {error}") from None


def nbd_server_arguments(options: dict[str, Any]) -> dict[str, Any]:
    """--nbd-server's flat ``addr`` as nbd-server-start's legacy (``data``-wrapped) one."""
    addr = options.get("addr")
    if not isinstance(addr, dict) or "type" not in addr:
        raise QAPIError("Parameter 'addr.type' is missing")
    kind = addr["type"]
    if kind == "unix":
        if "path" not in addr:
            raise QAPIError("Parameter 'addr.path' is missing")
    elif kind == "inet":
        for member in ("host", "port"):
            if member not in addr:
                raise QAPIError(f"Parameter 'addr.{member}' is missing")
    else:
        # QEMU 7.2 names the union's tag without its parent here.
        raise QAPIError(f"Parameter 'type' does not accept value '{kind}'")
    data = {key: value for key, value in addr.items() if key != "type"}
    return {**options, "addr": {"type": kind, "data": data}}


async def run(line: CommandLine) -> int:
    """Apply the options, serve until quit or a signal, then shut down; the exit status."""
    daemon = Daemon()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        # flags first: they change how the options after them are applied, wherever they stand
        for name, argument in sorted(line.options, key=lambda option: option[0] not in FLAGS):
            try:
                await daemon.apply(name, argument)
            except (QAPIError, TransportError, OSError) as error:
                text = error.desc if isinstance(error, QAPIError) else str(error)
                print(f"{PROG}: --{name} {argument}: {text}", file=sys.stderr)
                return 1
        if daemon.pidfile is not None:
            try:
                await asyncio.to_thread(write_pidfile, daemon.pidfile)
            except OSError as error:
                daemon.pidfile = None  # not ours to remove
                print(f"{PROG}: cannot create PID file: Could not create "
                      f"'{error.filename}': {error.strerror}", file=sys.stderr)  # fmt: skip
                return 1
        notify_ready()
        quit_task = asyncio.create_task(daemon.server.quit_requested.wait())
        stop_task = asyncio.create_task(stop.wait())
        await asyncio.wait({quit_task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
        quit_task.cancel()
        stop_task.cancel()
        # Let the reply to quit reach its client before the connections close.
        await asyncio.sleep(0)
        return 0
    finally:
        await daemon.close()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)


def write_pidfile(path: Path) -> None:
    """Write our process id, as qemu-storage-daemon does (runs in a worker thread)."""
    path.write_text(f"{os.getpid()}\n")


def notify_ready() -> None:
    """Tell systemd (Type=notify) that the monitors listen: READY=1 to $NOTIFY_SOCKET, if set.

    One datagram, never waited for; a leading '@' names an abstract socket."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto(b"READY=1", socket.MSG_DONTWAIT, address)
    except OSError as error:
        print(f"{PROG}: cannot notify {address!r} of readiness: {error}", file=sys.stderr)


class QemuStyleFormatter(logging.Formatter):
    """Log records as QEMU reports on stderr: ``guimirror-daemon: warning: <message>``."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return f"{PROG}: {record.levelname.lower()}: {record.message}"


def log_to_stderr() -> None:
    """The engine's and the server's warnings and errors go to stderr, in QEMU's style."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(QemuStyleFormatter())
    logging.basicConfig(level=logging.WARNING, handlers=[handler])


def main(argv: list[str] | None = None) -> int:
    """The console script's entry point."""
    try:
        line = parse_command_line(sys.argv[1:] if argv is None else argv)
    except UsageError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 1
    if line.help:
        sys.stdout.write(USAGE)
        return 0
    if line.version:
        sys.stdout.write(VERSION)
        return 0
    log_to_stderr()
    return asyncio.run(run(line))


if __name__ == "__main__":
    sys.exit(main())
