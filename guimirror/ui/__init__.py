"""Everything Qt: the main window and its widgets."""
