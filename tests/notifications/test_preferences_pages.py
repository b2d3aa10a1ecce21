"""The settings pages: a person's own choices and delivery settings; the brand's default per role (admins only)."""

from datetime import time

import pytest

from tenant_apps.notifications import preferences
from tenant_apps.notifications.defaults import DEFAULTS
from tenant_apps.notifications.models import PersonSettings, RolePreference, UserPreference
from tests.notifications.test_inbox import signed_in

SMS_SET_UP = {"provider": "aliyun", "endpoint": "http://127.0.0.1:9/", "access_key_id": "k", "access_key_secret": "s",
              "sign_name": "品牌", "template_code": "SMS_1"}


@pytest.mark.parametrize(("language", "heading"), [("en", "Notification settings"), ("zh-hans", "通知设置")])
def test_a_dealer_user_sets_their_own_channels_and_quiet_hours(world, language, heading, settings):
    settings.NOTIFICATIONS_SMS = SMS_SET_UP
    preferences.person_settings_set(actor=world.other_buyer, mobile="13800000008")
    client = signed_in(world.other_buyer, language)
    page = client.get("/account/notifications/settings/")
    assert page.status_code == 200 and heading in page.content.decode()
    # everything as it was, but SMS off for a cancelled order (on by default for buyers) and quiet hours at night
    on = ["order.approved:inapp", "order.approved:email"]
    saved = client.post("/account/notifications/settings/", {
        "mobile": "13800000009", "quiet_start": "22:00", "quiet_end": "07:00", "digest": "on",
        "on": on})
    assert saved.status_code == 302
    with world.inside():
        person = PersonSettings.objects.get(user=world.other_buyer)
        assert (person.mobile, person.quiet_start, person.quiet_end, person.digest) == (
            "13800000009", time(22), time(7), True)
        off = set(UserPreference.objects.filter(user=world.other_buyer, enabled=False)
                  .values_list("kind", "channel"))
        assert ("order.cancelled", "sms") in off and ("order.approved", "email") not in off
        assert not UserPreference.objects.filter(user=world.other_buyer, enabled=True).exists()


def test_a_bad_time_is_a_400_and_nothing_saved(world):
    client = signed_in(world.buyer)
    response = client.post("/account/notifications/settings/", {"quiet_start": "25:99", "quiet_end": "07:00"})
    assert response.status_code == 400 and "Enter a time like 22:00." in response.content.decode()
    with world.inside():
        assert not PersonSettings.objects.filter(user=world.buyer).exists()


def test_sms_shows_only_when_set_up_and_to_someone_with_a_mobile(world, settings):
    client = signed_in(world.other_buyer)
    assert 'data-channel="sms"' not in client.get("/account/notifications/settings/").content.decode()
    settings.NOTIFICATIONS_SMS = SMS_SET_UP
    assert 'data-channel="sms"' not in client.get("/account/notifications/settings/").content.decode()
    with world.inside():
        preferences.person_settings_set(actor=world.other_buyer, mobile="13800000008")
    assert 'data-channel="sms"' in client.get("/account/notifications/settings/").content.decode()


def test_the_brand_defaults_page_is_for_admins(world, settings):
    settings.NOTIFICATIONS_SMS = SMS_SET_UP
    assert signed_in(world.rep).get("/console/notifications/defaults/").status_code == 403
    client = signed_in(world.brand_owner)
    assert client.get("/console/notifications/defaults/?role=dealer_buyer").status_code == 200
    assert client.get("/console/notifications/defaults/?role=nobody").status_code == 404
    response = client.post("/console/notifications/defaults/", {"role": "dealer_buyer", "on": []})
    assert response.status_code == 302
    with world.inside():
        # every channel on by default for a buyer, among those offered here (SMS and web push; WeChat is not set up)
        offered = {"inapp", "email", "sms", "push"}
        on_by_default = sum(len(set(roles.get("dealer_buyer", ())) & offered) for roles in DEFAULTS.values())
        # approval.waiting and .escalated among them: a supplier's steps may wait for its buyers (S2B2B)
        assert RolePreference.objects.filter(role="dealer_buyer", enabled=False).count() == on_by_default == 31
        assert not RolePreference.objects.filter(enabled=True).exists()
