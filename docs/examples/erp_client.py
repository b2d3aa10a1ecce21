"""An example ERP client of the integration API (docs/integrations.md), standard library only.

It pulls the orders changed since its cursor, acknowledges each new one with the ERP's own number, and confirms
the shipment of every allocated order (as a WMS would), with an Idempotency-Key so that a retry never ships
twice. `Client.upsert` pushes dealers, SKUs or prices in batches.
Run: DMS_URL=https://brand.example.com DMS_API_KEY=dms_... python erp_client.py
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request


class Client:
    def __init__(self, base_url: str, key: str, host: str | None = None):
        if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
            raise ValueError("the base URL must be http(s)")
        self.base_url, self.key, self.host = base_url.rstrip("/"), key, host

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None) -> tuple:
        """(status, JSON body); waits and retries when rate limited (429 with Retry-After)."""
        while True:
            request = urllib.request.Request(self.base_url + path, method=method,  # noqa: S310 - http(s) only
                                             data=json.dumps(body).encode() if body is not None else None)
            request.add_header("Authorization", f"Bearer {self.key}")
            request.add_header("Content-Type", "application/json")
            if self.host:  # the brand's host name when calling an address of the server itself
                request.add_header("Host", self.host)
            for name, value in (headers or {}).items():
                request.add_header(name, value)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - http(s) only
                    return response.status, json.loads(response.read() or b"{}")
            except urllib.error.HTTPError as error:
                if error.code == 429:
                    time.sleep(int(error.headers.get("Retry-After", "1")))
                    continue
                return error.code, json.loads(error.read() or b"{}")

    def order_changes(self, cursor: str) -> tuple[list, str]:
        """Every order changed since `cursor` (page after page) and the cursor to keep for next time."""
        items = []
        while True:
            query = urllib.parse.urlencode({"cursor": cursor, "limit": 100})
            status, body = self.call("GET", f"/api/v1/integrations/orders/changes/?{query}")
            if status != 200:
                raise RuntimeError(f"order feed: {status} {body}")
            items += body["items"]
            cursor = body["cursor"]
            if not body["more"]:
                return items, cursor

    def acknowledge(self, number: str, erp_number: str) -> int:
        status, _body = self.call("POST", f"/api/v1/integrations/orders/{urllib.parse.quote(number)}/acknowledge/",
                                  {"erp_order_number": erp_number})
        return status

    def confirm_shipment(self, order: dict, warehouse: str, carrier: str, tracking_number: str) -> tuple:
        lines = [{"line_no": line["line_no"], "quantity": line["quantity"] * line["factor"]}
                 for line in order["lines"]]
        return self.call("POST", "/api/v1/integrations/shipments/confirm/",
                         {"order_number": order["number"], "warehouse": warehouse, "carrier": carrier,
                          "tracking_number": tracking_number, "lines": lines},
                         headers={"Idempotency-Key": f"ship-{order['number']}-{tracking_number}"})

    def upsert(self, kind: str, rows: list[dict], push_id: str) -> list[tuple]:
        """Rows to `dealers`, `skus` or `prices` in batches of 1,000 (all or nothing each), each batch with its own
        Idempotency-Key made of `push_id`: a retry of the whole push writes nothing twice. (status, body) each."""
        return [self.call("POST", f"/api/v1/integrations/{kind}/bulk/", {"rows": rows[start:start + 1000]},
                          headers={"Idempotency-Key": f"{push_id}-{start // 1000}"})
                for start in range(0, len(rows), 1000)]


def run_once(client: Client, cursor: str, *, warehouse: str, carrier: str) -> str:
    """One poll: acknowledge new orders, confirm the shipment of allocated ones; the new cursor."""
    orders, cursor = client.order_changes(cursor)
    latest = {order["number"]: order for order in orders}  # an order changed twice: its latest state
    for order in latest.values():
        if not order["erp_order_number"] and order["status"] not in ("cancelled", "rejected"):
            client.acknowledge(order["number"], f"ERP-{order['number']}")
        if order["status"] == "allocated":
            client.confirm_shipment(order, warehouse, carrier, f"T{order['number']}")
    return cursor


if __name__ == "__main__":
    state = os.environ.get("DMS_CURSOR_FILE", "erp_cursor.txt")
    start = open(state).read().strip() if os.path.exists(state) else ""
    api = Client(os.environ["DMS_URL"], os.environ["DMS_API_KEY"])
    new_cursor = run_once(api, start, warehouse=os.environ.get("DMS_WAREHOUSE", "MAIN"),
                          carrier=os.environ.get("DMS_CARRIER", "sf"))
    with open(state, "w") as out:
        out.write(new_cursor)
