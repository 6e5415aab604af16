"""Cohort circles: fixed-length groups with a generated schedule, reminders, check-ins and calendars."""
