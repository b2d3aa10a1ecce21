"""Announcements: audience resolution (region subtree, tier, list), the dealer's pages (404 outside the audience,
read on opening), read tracking shown to the brand, the one outbox event of publishing, console access, and both
languages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tenant_apps.announcements import selectors, services
from tenant_apps.announcements.errors import AnnouncementInvalid, IllegalAnnouncementTransition
from tenant_apps.announcements.models import Announcement, AnnouncementRead
from tenant_apps.audit.models import AuditEntry
from tenant_apps.events.models import OutboxEvent
from tests.announcements.conftest import login


def _published(admin, **kwargs):
    announcement = services.announcement_create(actor=admin, body="正文", **kwargs)
    return services.announcement_publish(actor=admin, announcement=announcement)


def _titles(dealer):
    return [a.title for a in selectors.announcements_for_dealer(dealer)]


def test_audience_resolution_by_region_subtree_tier_and_list(world, tenant_a, in_tenant):
    net, admin = world["net"], world["admin"]
    with in_tenant(tenant_a):
        _published(admin, title="all")
        _published(admin, title="east", audience="region", regions=[net.east])
        _published(admin, title="tier-a", audience="tier", tiers=[net.tier_a])
        _published(admin, title="canton", audience="dealers", dealers=[net.canton])
        _published(admin, title="agent-subtree", audience="region", regions=[net.agent.node])
        services.announcement_create(actor=admin, title="draft", body="x")
        expired = services.announcement_create(actor=admin, title="expired", body="x",
                                               expires_at=timezone.now() + timedelta(seconds=1))
        services.announcement_publish(actor=admin, announcement=expired)
        Announcement.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        withdrawn = _published(admin, title="withdrawn")
        services.announcement_withdraw(actor=admin, announcement=withdrawn)
        assert sorted(_titles(net.agent)) == ["agent-subtree", "all", "east"]
        assert sorted(_titles(net.pudong)) == ["agent-subtree", "all", "east", "tier-a"]
        assert sorted(_titles(net.canton)) == ["all", "canton"]
        east = Announcement.objects.get(title="east")
        assert sorted(d.code for d in selectors.audience_dealers(east)) == ["SH-001", "SH-002"]


def test_a_dealer_outside_the_audience_sees_nothing_and_gets_404(world, tenant_a, in_tenant):
    net = world["net"]
    with in_tenant(tenant_a):
        east = _published(world["admin"], title="华东通知", audience="region", regions=[net.east])
    canton = login("canton@ann.test")
    assert "华东通知" not in canton.get("/announcements/").content.decode()
    assert "华东通知" not in canton.get("/").content.decode()
    assert canton.get(f"/announcements/{east.pk}/").status_code == 404
    assert canton.get("/announcements/999999/").status_code == 404
    pudong = login("pudong@ann.test")
    assert "华东通知" in pudong.get("/").content.decode()  # on the storefront home
    assert "华东通知" in pudong.get("/announcements/").content.decode()
    with in_tenant(tenant_a):
        assert AnnouncementRead.objects.count() == 0


def test_opening_marks_read_once_and_the_brand_sees_who_read(world, tenant_a, in_tenant):
    net = world["net"]
    with in_tenant(tenant_a):
        east = _published(world["admin"], title="到货通知", audience="region", regions=[net.east])
    pudong = login("pudong@ann.test")
    page = pudong.get(f"/announcements/{east.pk}/")
    assert page.status_code == 200 and "到货通知" in page.content.decode()
    pudong.get(f"/announcements/{east.pk}/")
    with in_tenant(tenant_a):
        reads = list(AnnouncementRead.objects.values_list("user__email", flat=True))
        assert reads == ["pudong@ann.test"]
        assert AuditEntry.objects.filter(action="announcements.announcement.read").count() == 1
    admin = login("admin@ann.test")
    detail = admin.get(f"/console/announcements/{east.pk}/").content.decode()
    read_part, unread_part = detail.split('id="read-table"')[1].split('id="unread-table"')
    assert "浦东" in read_part and "代理" not in read_part
    assert "代理" in unread_part and "浦东" not in unread_part and "广州" not in unread_part
    assert "Read by 1 person" in detail and "Not read yet by 1 person" in detail
    zh = login("admin@ann.test", language="zh-hans").get(f"/console/announcements/{east.pk}/").content.decode()
    assert "已读 1 人" in zh and "未读 1 人" in zh


def test_publishing_writes_exactly_one_outbox_event(world, tenant_a, in_tenant):
    net = world["net"]
    with in_tenant(tenant_a):
        announcement = services.announcement_create(actor=world["admin"], title="调价", body="x", audience="tier",
                                                    tiers=[net.tier_a])
        assert OutboxEvent.objects.filter(kind="announcement.published").count() == 0
    admin = login("admin@ann.test")
    assert admin.post(f"/console/announcements/{announcement.pk}/publish/").status_code == 302
    assert admin.post(f"/console/announcements/{announcement.pk}/publish/").status_code == 302  # refused
    with in_tenant(tenant_a):
        events = list(OutboxEvent.objects.filter(kind="announcement.published"))
        assert len(events) == 1
        assert events[0].subject_type == "announcement" and events[0].subject_id == str(announcement.pk)
        assert events[0].payload["dealer_ids"] == [net.pudong.pk]
        assert events[0].payload["url"] == f"/announcements/{announcement.pk}/"
        with pytest.raises(IllegalAnnouncementTransition):
            services.announcement_publish(actor=world["admin"], announcement=announcement)
        assert list(AuditEntry.objects.filter(target_type="announcements.announcement")
                    .order_by("id").values_list("action", flat=True)) == [
            "announcements.announcement.created", "announcements.announcement.published"]


def test_bad_input_gives_field_errors_and_writes_nothing(world, tenant_a, in_tenant):
    admin = login("admin@ann.test")
    page = admin.post("/console/announcements/new/", {"title": "", "body": "x", "audience": "region"})
    assert page.status_code == 400
    text = page.content.decode()
    assert "This field is required." in text
    page = admin.post("/console/announcements/new/", {"title": "t", "body": "x", "audience": "region"})
    assert page.status_code == 400 and "Choose at least one region." in page.content.decode()
    page = admin.post("/console/announcements/new/", {"title": "t", "body": "x", "audience": "dealers",
                                                      "dealers": ["999999"]})
    assert page.status_code == 400
    with in_tenant(tenant_a):
        assert Announcement.objects.count() == 0
        with pytest.raises(AnnouncementInvalid):
            services.announcement_create(actor=None, title="t", body="x", audience="nobody")


def test_console_create_edit_publish_withdraw(world, tenant_a, in_tenant):
    net = world["net"]
    admin = login("admin@ann.test")
    page = admin.post("/console/announcements/new/", {"title": "<b>春节</b>", "body": "放假\n\n见 https://x.test",
                                                      "audience": "dealers", "dealers": [str(net.canton.pk)]})
    assert page.status_code == 302
    with in_tenant(tenant_a):
        announcement = Announcement.objects.get()
        assert [d.code for d in announcement.dealers.all()] == ["GD-001"]
    detail = admin.get(f"/console/announcements/{announcement.pk}/").content.decode()
    assert "&lt;b&gt;春节&lt;/b&gt;" in detail and "<b>春节" not in detail  # escaped
    assert '<a href="https://x.test"' in detail
    assert admin.post(f"/console/announcements/{announcement.pk}/edit/", {
        "title": "春节放假", "body": "放假", "audience": "all"}).status_code == 302
    admin.post(f"/console/announcements/{announcement.pk}/publish/")
    assert "春节放假" in login("pudong@ann.test").get("/announcements/").content.decode()
    admin.post(f"/console/announcements/{announcement.pk}/withdraw/")
    assert "春节放假" not in login("pudong@ann.test").get("/announcements/").content.decode()
    assert login("pudong@ann.test").get(f"/announcements/{announcement.pk}/").status_code == 404
    listing = admin.get("/console/announcements/").content.decode()
    assert "春节放假" in listing and "Withdrawn" in listing
    assert "公告" in login("admin@ann.test", language="zh-hans").get("/console/announcements/").content.decode()


@pytest.mark.parametrize(("email", "status"), [("admin@ann.test", 200), ("analyst@ann.test", 200),
                                               ("pudong@ann.test", 403)])
def test_console_list_by_role(world, email, status):
    assert login(email).get("/console/announcements/").status_code == status


def test_read_only_staff_cannot_write(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        draft = services.announcement_create(actor=world["admin"], title="d", body="x")
    analyst = login("analyst@ann.test")
    assert analyst.get("/console/announcements/new/").status_code == 403
    assert analyst.post(f"/console/announcements/{draft.pk}/publish/").status_code == 403
    with in_tenant(tenant_a):
        assert Announcement.objects.get(pk=draft.pk).status == "draft"


def test_console_list_runs_constant_queries(world, tenant_a, in_tenant, count_queries):
    admin = login("admin@ann.test")

    def count():
        with count_queries() as queries:
            assert admin.get("/console/announcements/").status_code == 200
        return len(queries.sql)

    with in_tenant(tenant_a):
        _published(world["admin"], title="one")
    first = count()
    with in_tenant(tenant_a):
        for n in range(5):
            _published(world["admin"], title=f"more {n}")
    assert count() == first


def test_storefront_pages_in_both_languages(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        _published(world["admin"], title="通知")
    assert "Announcements" in login("pudong@ann.test").get("/announcements/").content.decode()
    zh = login("pudong@ann.test", language="zh-hans").get("/announcements/").content.decode()
    assert "公告" in zh and "通知" in zh


def test_storefront_list_runs_constant_queries(world, tenant_a, in_tenant, count_queries):
    pudong = login("pudong@ann.test")

    def count():
        with count_queries() as queries:
            assert pudong.get("/announcements/").status_code == 200
        return len(queries.sql)

    with in_tenant(tenant_a):
        _published(world["admin"], title="one", audience="tier", tiers=[world["net"].tier_a])
    first = count()
    with in_tenant(tenant_a):
        for n in range(4):
            _published(world["admin"], title=f"more {n}", audience="region", regions=[world["net"].east])
    assert count() == first
