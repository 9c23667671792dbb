"""What several screens share: stylesheet and colours, table model, signals, chart canvas."""
