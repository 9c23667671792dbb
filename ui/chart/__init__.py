"""One client's chart: the tabbed view, overview timeline, sessions table, courses of care."""
