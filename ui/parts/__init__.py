"""The Parts tab: the IFS parts registry, the map editor and the map as it was on any date."""
