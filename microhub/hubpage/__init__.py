"""The hub as people see it: its public page and JSON, and the organizer's overview, read from every domain below."""
