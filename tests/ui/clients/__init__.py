"""Tests of ui/clients: the client list and the client dialog."""
