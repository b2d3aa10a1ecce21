"""The analyses behind the console's analysis pages (inventory, dealers, promotions, pricing): read-only
selectors, each a constant number of queries whatever the number of rows, within the reader's data scope.
docs/dev/reporting.md (## Analyses) defines every figure."""
