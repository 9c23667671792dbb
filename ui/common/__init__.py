"""What several screens share: stylesheet and colours, table model, chart canvas."""
