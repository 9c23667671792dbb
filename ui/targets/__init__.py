"""The Targets tab: the EMDR/ART target registry, each target's SUD/VoC chart and history."""
