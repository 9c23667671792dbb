"""Use cases: each takes a Session owned by the caller and returns frozen DTOs."""
