"""Session notes: the template-driven form, the editor that saves and signs, their windows."""
