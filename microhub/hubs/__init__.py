"""Hubs: the communities themselves, their public pages, settings and staff roles."""
