# SPDX-License-Identifier: GPL-2.0-or-later
"""libvirt's URIs among the endpoint URIs, and what needs no libvirtd: the disks' XML."""

from __future__ import annotations

import pytest

from guimirror.session import EndpointURIError, endpoint_for, parse_endpoint_uri
from guimirror.session.libvirt_disks import disks_of, image_virtual_size, split_device
from guimirror.session.libvirt_endpoint import LibvirtCapabilities, LibvirtEndpoint
from guimirror.session.libvirt_uri import LibvirtSshURI, LibvirtURI


@pytest.mark.parametrize(("text", "expected"), [
    ("qemu:///system", LibvirtURI("system")),
    ("QEMU:///session", LibvirtURI("session")),
    ("qemu+ssh://admin@host1/system", LibvirtSshURI("admin@host1", "system")),
    ("qemu+ssh://host1:2222/system?keyfile=/root/.ssh/k",
     LibvirtSshURI("host1:2222", "system", "keyfile=/root/.ssh/k")),
])
def test_libvirt_uris_parse_and_round_trip(text: str, expected: object) -> None:
    uri = parse_endpoint_uri(text)
    assert uri == expected
    assert parse_endpoint_uri(str(uri)) == uri


@pytest.mark.parametrize("text", [
    "qemu://system", "qemu:///", "qemu:///other", "qemu+ssh:///system",
    "qemu+ssh://a b/system", "qemu+ssh://host",
])
def test_bad_libvirt_uris_are_refused_with_the_forms(text: str) -> None:
    with pytest.raises(EndpointURIError) as caught:
        parse_endpoint_uri(text)
    assert "qemu:///system" in caught.value.desc


def test_the_scheme_opens_a_libvirt_endpoint_without_connecting() -> None:
    endpoint = endpoint_for("qemu+ssh://admin@host1/system")
    assert isinstance(endpoint, LibvirtEndpoint)
    assert str(endpoint.uri) == "qemu+ssh://admin@host1/system"
    assert endpoint.kind == "libvirt"


def test_capabilities_say_why_what_libvirt_lacks_is_absent() -> None:
    capabilities = LibvirtCapabilities()
    assert capabilities.has("blockdev-mirror", "granularity")
    assert capabilities.arguments("blockdev-mirror")["sync"].values == ("full", "top")
    assert capabilities.why_absent("blockdev-mirror", "speed") is None
    assert capabilities.why_absent("block-job-pause") == "libvirt cannot pause a block job"
    reason = capabilities.why_absent("blockdev-mirror", "on-target-error")
    assert reason is not None and "error policy" in reason
    assert "BLOCK_JOB_READY" in capabilities.events
    job_id = capabilities.why_absent("blockdev-mirror", "job-id")
    assert job_id is not None and "by the disk" in job_id


def test_disks_of_reads_sources_formats_and_the_ready_mirror() -> None:
    xml = """<domain><devices>
      <disk type='block' device='disk'><driver name='qemu' type='qcow2' cache='none'/>
        <source dev='/dev/vg/vm1'/><target dev='vdb' bus='virtio'/><readonly/>
        <mirror type='file' job='copy' ready='yes'><source file='/c'/></mirror></disk>
      <disk type='file' device='cdrom'><target dev='sda' bus='sata'/></disk>
    </devices></domain>"""
    (disk,) = disks_of(xml)
    assert (disk.target, disk.source_type, disk.source, disk.format) == (
        "vdb", "block", "/dev/vg/vm1", "qcow2")
    assert disk.read_only and disk.mirror_ready and disk.cache == "none"
    assert disk.mirror_source == "/c"


def test_device_names_and_image_sizes() -> None:
    assert split_device("vm/1/vda") == ("vm/1", "vda")
    with pytest.raises(ValueError, match="DOMAIN/TARGET"):
        split_device("vda")
    header = b"QFI\xfb" + bytes(20) + (5 << 20).to_bytes(8, "big")
    assert image_virtual_size(header, 200_000, "qcow2") == 5 << 20
    assert image_virtual_size(header, 200_000, "raw") == 200_000
    assert image_virtual_size(b"junk" * 8, 10, "qcow2") is None
