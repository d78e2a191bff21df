"""Use-cases: what the doors call. Each module owns one part of the programme."""
