"""Note templates: definitions, loading, validation, hashing and figure extraction."""
