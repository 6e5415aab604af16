"""Memberships: seats in a hub, their holds, and the people waiting for one."""
