"""The Reports tab: choose a report, generate it off the GUI thread, preview, print, save."""
