"""Exports of orders, order lines, shipments, returns and reports to CSV or XLSX (docs/dev/reporting.md, Exports):
`services.export_start` / `services.export_report_start` make a job, a task writes the file
(`services.export_run`), `selectors.export_job_get_for` finds it for its requester only."""
