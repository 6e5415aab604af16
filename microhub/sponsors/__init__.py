"""Sponsors as helpers: listings organizers approve, paid placements, and honest, private statistics."""
