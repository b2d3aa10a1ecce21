from __future__ import annotations

from rest_framework import serializers

from tenant_apps.audit.labels import action_label, subject_label
from tenant_apps.audit.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    subject_label = serializers.SerializerMethodField()
    action_label = serializers.SerializerMethodField()
    dealer_name = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = AuditEntry
        fields = ["id", "created_at", "action", "action_label", "subject_label", "actor_id", "actor_label",
                  "target_type", "target_id", "dealer_id", "dealer_name", "before", "after", "reason"]

    def get_subject_label(self, entry: AuditEntry) -> str:
        return subject_label(entry.action)

    def get_action_label(self, entry: AuditEntry) -> str:
        return action_label(entry.action)
