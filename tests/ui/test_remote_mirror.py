# SPDX-License-Identifier: GPL-2.0-or-later
"""The window's mirror to another host, driven through its dialog across two network
namespaces (a guimirror-daemon in one, another over ssh in the other), and the root daemon
started from the menu through a stand-in pkexec."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from guimirror.qapi.job import JobStatus
from guimirror.session import root_daemon
from guimirror.ui.remote_mirror import RemoteMirrorDialog
from tests.engine.mirror_support import make_image
from tests.qmp.daemons import daemon_argv, daemon_env
from tests.qmp.wire import stop, wait_for_socket
from tests.remote.conftest import FAR_ADDRESS, TwoHosts, ssh_through, two_hosts  # noqa: F401
from tests.ui.conftest import run

MiB = 1024 * 1024


def test_a_mirror_to_the_far_host_completes_and_pivots_from_the_dialog(
    window: Any, qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path,
    ssh_through: TwoHosts,  # noqa: F811
) -> None:
    hosts = ssh_through
    source = make_image(tmp_path / "src.raw", 32 * MiB,
                        [(0, 4 * MiB, None), (20 * MiB, 6 * MiB, None)])
    target = make_image(tmp_path / "tgt.raw", 32 * MiB)
    qmp, user = tmp_path / "near.sock", tmp_path / "user.sock"
    # The near host's daemon; its export of 'disk' is a user that the pivot re-points.
    near = run(qtbot, qloop, asyncio.create_subprocess_exec(
        "ip", "netns", "exec", hosts.near, *daemon_argv("guimirror"),
        "--blockdev", f"driver=file,node-name=disk-file,filename={source}",
        "--blockdev", "driver=raw,node-name=disk,file=disk-file",
        "--nbd-server", f"addr.type=unix,addr.path={user}",
        "--export", "type=nbd,id=user,node-name=disk,name=disk,writable=on",
        "--chardev", f"socket,id=m0,path={qmp},server=on,wait=off", "--monitor", "chardev=m0",
        env=daemon_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))  # fmt: skip
    try:
        run(qtbot, qloop, wait_for_socket(qmp, near))
        near_link = run(qtbot, qloop, window.endpoints.open_uri(f"unix:{qmp}", name="near"))
        far_link = run(qtbot, qloop, window.endpoints.open_uri(
            f"ssh+guimirror://root@{FAR_ADDRESS}", name="far"), timeout=40)
        run(qtbot, qloop, far_link.execute("blockdev-add", {
            "driver": "file", "node-name": "tgt", "filename": str(target)}))
        run(qtbot, qloop, far_link.refresh())

        window.remote_mirror_action.trigger()
        dialog = window.findChild(RemoteMirrorDialog, "remote-mirror")
        assert dialog is not None
        dialog.source.setCurrentText("near")
        dialog.device.setCurrentText("disk")
        dialog.target.setCurrentText("far")
        dialog.target_node.setCurrentText("tgt")
        dialog.job_id.setText("remote0")
        assert dialog.ok.isEnabled(), dialog.error.text()
        dialog.ok.click()

        def ready() -> bool:
            return any(job.device == "remote0" and job.status is JobStatus.READY
                       for job in near_link.jobs)

        qtbot.waitUntil(ready, timeout=60000)
        run(qtbot, qloop, window.jobs.job_verb(("near", "remote0"), "complete"))
        qtbot.waitUntil(lambda: "pivoted" in window.tasks.last_error, timeout=30000)
        assert "near writes to far:tgt" in window.tasks.last_error
        mirror = window.remote_mirrors.mirrors[("near", "remote0")]
        assert mirror.state.value == "kept"
        nodes = {node.node_name: node.drv for node in near_link.nodes}
        assert nodes.get("nbd-remote0") == "nbd"
        assert [export.id for export in far_link.exports] == ["mirror-remote0"]
    finally:
        run(qtbot, qloop, stop(near))
    compared = subprocess.run(["cmp", str(source), str(target)], capture_output=True,
                              check=False)
    assert compared.returncode == 0, compared.stdout


def test_the_root_daemon_starts_through_pkexec_and_is_attached(
    window: Any, qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The real pkexec needs a polkit authentication agent in a logged-in session, which a
    # test run has not: a stand-in on PATH runs guimirror-daemon with the helper's arguments
    # (start-root-daemon's command line) as the current user.
    run_dir = tmp_path / "run"
    socket = run_dir / f"user-{os.getuid()}" / "qmp.sock"
    socket.parent.mkdir(parents=True, mode=0o700)
    monkeypatch.setattr(root_daemon, "RUNTIME_BASE", run_dir)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "pkexec-calls"
    pkexec = bin_dir / "pkexec"
    pkexec.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> {calls}\n'
        f"exec {sys.executable} -m guimirror.qmp.daemon "
        f'--chardev "socket,id=qmp,path={socket},server=on,wait=off" --monitor chardev=qmp\n')
    pkexec.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("PYTHONPATH", daemon_env()["PYTHONPATH"])

    window.root_daemon_action.trigger()
    qtbot.waitUntil(lambda: (link := window.endpoints.get("root daemon")) is not None
                    and link.connected, timeout=30000)
    link = window.endpoints.get("root daemon")
    assert calls.read_text().split() == [root_daemon.START_ROOT_DAEMON]
    assert str(link.uri) == f"unix:{socket}"
    # A second start finds the daemon answering: attached already, pkexec not run again.
    run(qtbot, qloop, window.nodes.start_root_daemon())
    assert len(calls.read_text().splitlines()) == 1
    run(qtbot, qloop, link.execute("quit"))
    qtbot.waitUntil(lambda: not socket.exists() or link.state == "lost", timeout=20000)
