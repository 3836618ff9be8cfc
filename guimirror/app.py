# SPDX-License-Identifier: GPL-2.0-or-later
"""``guimirror``: the desktop application's entry point.

One qasync loop runs the widgets, the QMP clients and the built-in engine. The command line:
``guimirror [URI ...]`` opens each endpoint URI after the saved endpoints (one already open
is not opened twice); a text that is no URI exits with status 2. Qt's own options
(``-platform offscreen``, ``-style Fusion``...) go to QApplication. ``--version``;
``--self-test`` (the Qt-free engine check of guimirror.selftest, its exit status passed
through); ``--no-example`` (never offer the example workspace); ``--no-restore``
(do not reconnect the saved endpoints); ``--log LEVEL`` (what reaches stderr: the event log's
notices are ``info``, its commands, replies and events ``debug``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence

import guimirror
from guimirror.errors import GuimirrorError
from guimirror.session.uri import EndpointURI, parse_endpoint_uri, uri_types

QT_OPTIONS_WITH_VALUE = frozenset({
    "platform", "platformpluginpath", "platformtheme", "plugin", "qmljsdebugger", "style",
    "stylesheet", "session", "display", "geometry", "title", "name", "qwindowgeometry",
    "qwindowicon", "qwindowtitle", "visual", "ncols", "cmap", "inputstyle",
})
"""QApplication's and QGuiApplication's options that take a value in the next argument."""


def split_qt_options(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """(guimirror's arguments, Qt's options with their values): ``-platform offscreen``
    and ``-style=Fusion`` are Qt's; so is any other single-dash option."""
    ours: list[str] = []
    qt: list[str] = []
    arguments = iter(argv)
    for argument in arguments:
        if argument == "--":
            ours.append(argument)
            ours.extend(arguments)
            break
        name = argument.lstrip("-").partition("=")[0]
        if argument.startswith("-") and name in QT_OPTIONS_WITH_VALUE:
            qt.append(argument)
            value = None if "=" in argument else next(arguments, None)
            if value is not None:
                qt.append(value)
        else:
            ours.append(argument)
    return ours, qt


def endpoint_uri(text: str) -> EndpointURI:
    """argparse's type for a URI: the parser's message, without the list of forms that
    ``--help`` shows."""
    try:
        return parse_endpoint_uri(text)
    except GuimirrorError as error:
        raise argparse.ArgumentTypeError(error.desc) from None


def uri_help() -> str:
    forms = "\n".join(f"  {form}" for uri_type in uri_types() for form in uri_type.forms)
    return ("Endpoint URIs (the built-in engine is always open):\n" + forms + "\n\n"
            "Qt's own options (-platform offscreen, -style Fusion, ...) are given to Qt.")


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser (the man page is generated from it)."""
    parser = argparse.ArgumentParser(
        prog="guimirror",
        description="Mirror live block devices with QEMU's blockdev-mirror and watch it.",
        epilog=uri_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("uris", nargs="*", metavar="URI", type=endpoint_uri,
                        help="an endpoint to open at start, after the saved ones")
    parser.add_argument("--version", action="version", version=f"guimirror {guimirror.__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="mirror a small image on the built-in engine, compare, and exit")
    parser.add_argument("--no-example", action="store_true",
                        help="do not offer the example workspace on first start")
    parser.add_argument("--no-restore", action="store_true",
                        help="do not reconnect the endpoints of the last session")
    parser.add_argument("--log", default="warning",
                        choices=("debug", "info", "warning", "error"),
                        help="what to print on stderr (info: the event log's notices, "
                             "debug: also every command, reply and event)")
    return parser


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """The options and URIs; the rest of ``argv`` is Qt's."""
    ours, qt = split_qt_options(argv)
    args, rest = build_parser().parse_known_intermixed_args(ours)
    return args, qt + rest


async def run_window(args: argparse.Namespace) -> int:
    """The application's main task: show the window, start the engine, wait for the close."""
    from guimirror.ui.main_window import MainWindow

    window = MainWindow()
    window.show()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        # Ctrl+C or a polite kill quits as the window's Quit does, without asking: built-in
        # jobs are cancelled (never pivoted), a spawned daemon with jobs is left running.
        signal.signal(number, lambda _n, _f: loop.call_soon_threadsafe(
            lambda: window.tasks.spawn(window.quit.quit_flow(ask_user=False), "quit")))
    await window.start(restore_endpoints=not args.no_restore, uris=args.uris)
    if not args.no_example:
        window.tasks.spawn(window.nodes.offer_example_workspace(), "example workspace")
    await window.quit.closed.wait()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args, qt_arguments = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=args.log.upper(), format="%(levelname)s %(name)s: %(message)s")
    if args.log != "debug":  # qemu.qmp tells every connection's end at INFO
        logging.getLogger("qemu.qmp").setLevel(logging.WARNING)
    if args.self_test:
        from guimirror import selftest

        return int(selftest.main())

    import qasync
    from PySide6.QtWidgets import QApplication

    from guimirror.ui.garbage import GuiThreadCollector
    from guimirror.ui.main_window import APP_ID, app_icon
    from guimirror.ui.settings import APPLICATION, ORGANIZATION
    from guimirror.ui.translation import install_translators
    from guimirror.ui.wheel_guard import WheelGuard

    app = QApplication.instance() or QApplication([sys.argv[0], *qt_arguments])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(guimirror.__version__)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)
    WheelGuard.install(app)
    collector = GuiThreadCollector(app)
    collector.start()
    translators = install_translators(app)  # noqa: F841  (kept while the application runs)
    try:
        return int(qasync.run(run_window(args)))
    except asyncio.CancelledError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
