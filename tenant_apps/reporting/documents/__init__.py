"""Printable documents of an order: the order confirmation (订单确认单) and a shipment's delivery note (送货单),
as data (`selectors`), as HTML (templates/reporting/documents/) and as PDF (`pdf`)."""
