from django.urls import path

from tenant_apps.approvals import views

app_name = "approvals"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("bulk-approve/", views.bulk_approve, name="bulk_approve"),
    path("orders/<int:order_id>/", views.order_detail, name="order"),
    path("orders/<int:order_id>/approve/", views.decide, {"decision": "approve"}, name="approve"),
    path("orders/<int:order_id>/reject/", views.decide, {"decision": "reject"}, name="reject"),
    path("orders/<int:order_id>/send-back/", views.decide, {"decision": "send_back"}, name="send_back"),
    path("workflows/", views.workflows, name="workflows"),
    path("workflows/new/", views.workflow_edit, name="workflow_new"),
    path("workflows/<int:workflow_id>/", views.workflow_detail, name="workflow"),
    path("workflows/<int:workflow_id>/edit/", views.workflow_edit, name="workflow_edit"),
    path("workflows/<int:workflow_id>/delete/", views.workflow_delete, name="workflow_delete"),
    path("workflows/<int:workflow_id>/steps/<int:position>/remove/", views.step_change, {"change": "remove"},
         name="step_remove"),
    path("workflows/<int:workflow_id>/steps/<int:position>/up/", views.step_change, {"change": "up"},
         name="step_up"),
    path("workflows/<int:workflow_id>/steps/<int:position>/down/", views.step_change, {"change": "down"},
         name="step_down"),
    path("rules/", views.rule_add, name="rule_add"),
    path("rules/<int:rule_id>/delete/", views.rule_delete, name="rule_delete"),
]
