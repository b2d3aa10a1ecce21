"""The report builder: saved reports (a spec, shared with roles), their schedules and the scheduled mail.
Writes in services.py, reads in selectors.py, the page forms in forms.py; the pages are reporting/pages/builder.py."""
