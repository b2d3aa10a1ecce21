"""Existing entries about a dealer or an order name their dealer (the reader's data scope reads it)."""

from django.db import migrations

BACKFILL = """
UPDATE audit_auditentry SET dealer_id = target_id::bigint
 WHERE target_type = 'dealers.dealer' AND dealer_id IS NULL AND target_id ~ '^[0-9]{1,18}$';
UPDATE audit_auditentry e SET dealer_id = o.dealer_id FROM ordering_order o
 WHERE e.target_type = 'ordering.order' AND e.dealer_id IS NULL AND e.target_id ~ '^[0-9]{1,18}$'
   AND o.id = e.target_id::bigint;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_entry_dealer"),
        ("dealers", "0002_tree_order"),
        ("ordering", "0007_cart_submitted_order_and_key_fingerprint"),
    ]

    operations = [migrations.RunSQL(BACKFILL, migrations.RunSQL.noop)]
