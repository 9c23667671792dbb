"""Tests of ui/notes: the note form, the note editor, the new-note dialog."""
