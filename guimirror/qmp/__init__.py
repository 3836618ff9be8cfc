"""QMP: the server that serves the built-in engine, and the qemu-storage-daemon launcher."""
