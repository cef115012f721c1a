"""The terminal app's screens: one screen per file, its .tcss beside it."""
