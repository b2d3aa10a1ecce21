"""Demo approval chain per brand: "regional manager, then HQ sales (sales rep or admin), then finance above
¥50,000" for every order, the regional manager's step escalating to the administrators after 24 hours, and
an auto-approval rule for small orders of tier-A dealers. Built through the approvals services. Idempotent:
does nothing once the demo's workflow exists."""

from __future__ import annotations

from decimal import Decimal

from tenant_apps.approvals import services
from tenant_apps.approvals.models import ApprovalWorkflow
from tenant_apps.approvals.services import StepSpec
from tenant_apps.dealers.models import Tier

WORDS = {
    "acme": ("标准审批：区域经理 → 总部销售 → 财务（5 万以上）", "区域经理审批", "总部销售审批", "财务审批",
             "A 级经销商小额订单自动通过"),
    "globex": ("Standard: regional manager, then HQ sales, then finance above 50,000", "Regional manager approval",
               "HQ sales approval", "Finance approval", "Small orders of tier-A dealers approved automatically"),
}


def seed_approvals(*, brand_slug: str, actor=None) -> None:
    # The workspace's own confirmation workflow (tenants.workspace) stays, tried after this one.
    if ApprovalWorkflow.objects.filter(name=WORDS.get(brand_slug, WORDS["acme"])[0]).exists():
        return
    workflow, manager, sales, finance, auto = WORDS.get(brand_slug, WORDS["acme"])
    services.workflow_create(actor=actor, name=workflow, priority=10, steps=[
        StepSpec(name=manager, approver_roles=["regional_manager"], scope="region", timeout_hours=24,
                 on_timeout="escalate", escalate_roles=["admin"]),
        StepSpec(name=sales, approver_roles=["sales_rep", "admin"], scope="hq", timeout_hours=48,
                 on_timeout="escalate", escalate_roles=["owner", "admin"]),
        StepSpec(name=finance, approver_roles=["finance"], scope="hq", skip_below=Decimal("50000")),
    ])
    tier_a = Tier.objects.filter(code="A").first()
    if tier_a is not None:
        small = Decimal("2000") if brand_slug == "acme" else Decimal("20000")
        services.auto_rule_create(actor=actor, name=auto, max_total=small, tiers=[tier_a])
