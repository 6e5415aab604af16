"""Scholarships: seats kept for people who could not pay, applied for, reviewed, awarded and funded in the open."""
