"""MicroHub: software for running small, capped, paid micro-communities."""
