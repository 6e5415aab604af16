"""Transparency: publishing monthly reports, the public report page with charts, exports and the JSON API."""
