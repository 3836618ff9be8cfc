"""guimirror: mirror live block devices with QEMU's blockdev-mirror, and watch it happen."""

__version__ = "0.1.0"
