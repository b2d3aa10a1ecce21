"""The sales analysis pages' own code (pages/sales.py draws them): the table with share, year on year and drill-down
links (analysis.py), the filter bar's choices and the filter summary (choices.py), the rows behind a figure
(rows.py)."""
