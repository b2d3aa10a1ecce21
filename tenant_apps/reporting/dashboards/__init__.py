"""The home dashboards of the report pages: the brand staff's (sales in their scope, what waits), the warehouse's
(what to ship, shipped, stock alerts) and the dealer's (its own purchases). docs/dev/reporting.md, ## Dashboards."""
