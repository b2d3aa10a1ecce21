"""The brand's ordering rules change through one audited service."""

import pytest

from tenant_apps.audit.models import AuditEntry
from tenant_apps.core.errors import ValidationFailed
from tenant_apps.ordering.models import OrderingSettings
from tenant_apps.ordering.services import ordering_settings_update


def test_settings_change_is_audited_and_bad_values_write_nothing(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        with pytest.raises(ValidationFailed) as bad:
            ordering_settings_update(actor=None, shortage_policy="sometimes", auto_complete_days=-1)
        assert set(bad.value.fields) == {"shortage_policy", "auto_complete_days"}
        assert not OrderingSettings.objects.exists()
        ordering_settings_update(actor=None, shortage_policy="backorder", auto_complete_days=10)
        ordering_settings_update(actor=None, auto_complete_days=3)
        settings = OrderingSettings.objects.get()
        assert (settings.shortage_policy, settings.auto_complete_days) == ("backorder", 3)
        last = AuditEntry.objects.filter(action="ordering.settings.updated").order_by("-id").first()
        assert last.before == {"shortage_policy": "backorder", "auto_complete_days": 10, "confirm_on_behalf": False,
                               "confirm_on_behalf_days": 7}
