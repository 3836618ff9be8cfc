"""The built-in engine: a block graph, dirty bitmaps and the mirror job, without QEMU."""
