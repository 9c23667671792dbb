"""Create a vault or unlock one: the first thing a therapist sees, and the lock screen."""
