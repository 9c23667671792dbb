"""UI tests, one folder per screen package of ui/."""
