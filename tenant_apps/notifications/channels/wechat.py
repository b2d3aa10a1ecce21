"""WeChat subscription messages (订阅消息) of the brand's mini-program: the "wechat" channel.

NOTIFICATIONS_WECHAT = {"app_id": "wx...", "app_secret": "...", "api_base": "https://api.weixin.qq.com",
                        "templates": {"order.shipped": {"id": "TEMPLATE_ID",
                                                        "data": {"thing1": "title", "character_string2": "ref",
                                                                 "time3": "time", "thing4": "body"}}},
                        "page": "pages/index/index", "state": "formal", "timeout": 10}

- Access token: POST {api_base}/cgi-bin/stable_token (client_credential), kept in the cache until shortly before it
  expires. An answer 40001/42001 (invalid or expired token) to a send fetches a fresh one (force_refresh) and
  sends once more.
- Send: POST {api_base}/cgi-bin/message/subscribe/send?access_token=... with the person's openid, the event kind's
  template and its data: each template field names what it shows (title, body, ref, text, time), cut to the
  length WeChat allows for the field's type (thing 20, character_string 32, phrase 5, ...).
- 43101 (the person refused or cancelled the subscription) fails the delivery at once, and so do the other answers
  that mean a wrong openid, template, field or page; anything else (busy, unreachable) is retried.
- Openid: `code_to_openid(code)` exchanges the code of the mini-program's wx.login() at {api_base}/sns/jscode2session
  (notifications.preferences.wechat_bind keeps it on the person's settings)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenant_apps.notifications.channels.registry import Message, SendError, channel_register

API_BASE = "https://api.weixin.qq.com"
TOKEN_REFRESH = (40001, 42001)  # access_token invalid / expired
REFUSED = 43101
FINAL = (40003, 40037, 47003, 41030, REFUSED)  # bad openid, template, data, page; refused
# the longest value WeChat takes for a template field of each type (characters)
LIMITS = {"thing": 20, "character_string": 32, "number": 32, "letter": 32, "symbol": 5, "phrase": 5, "name": 10,
          "phone_number": 17, "car_number": 8, "amount": 11}
SOURCES = ("title", "body", "ref", "text", "time")


def config() -> dict:
    return getattr(settings, "NOTIFICATIONS_WECHAT", None) or {}


def configured() -> bool:
    c = config()
    return bool(c.get("app_id") and c.get("app_secret") and c.get("templates"))


def supports(kind: str) -> bool:
    return kind in (config().get("templates") or {})


def _base() -> str:
    base = str(config().get("api_base") or API_BASE).rstrip("/")
    if not base.startswith(("https://", "http://")):
        raise SendError("wechat: api_base is not an http(s) URL", final=True)
    return base


def _call(url: str, body: dict | None = None) -> dict:
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET",  # noqa: S310
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=float(config().get("timeout") or 10)) as response:  # noqa: S310
            answer = json.loads(response.read(64 * 1024) or b"{}")
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise SendError(f"wechat: {error}") from error
    if not isinstance(answer, dict):
        raise SendError("wechat: an answer that is not a JSON object")
    return answer


def _token_key() -> str:
    return f"notifications:wechat:token:{config().get('app_id', '')}"


def access_token(*, refresh: bool = False) -> str:
    """The mini-program's access token, from the cache or fetched (stable_token) and cached until shortly before
    it expires. `refresh`: WeChat said the cached one is no good; ask for a new one."""
    if not refresh:
        token = cache.get(_token_key())
        if token:
            return token
    c = config()
    answer = _call(f"{_base()}/cgi-bin/stable_token", {"grant_type": "client_credential", "appid": c["app_id"],
                                                       "secret": c["app_secret"], "force_refresh": refresh})
    token = answer.get("access_token")
    if not token:
        raise SendError(f"wechat: no access token: {answer.get('errcode')} {answer.get('errmsg', '')}"[:400])
    expires = int(answer.get("expires_in") or 7200)
    cache.set(_token_key(), token, max(expires - 300, 60))
    return token


def _value(source: str, field: str, message: Message) -> str:
    if source == "time":
        return timezone.localtime(message.created_at).strftime("%Y-%m-%d %H:%M")
    value = {"title": message.title, "body": message.body, "ref": message.ref,
             "text": f"{message.title}: {message.body}"}[source]
    kind = field.rstrip("0123456789")
    limit = LIMITS.get(kind)
    return value[:limit] if limit else value


def _payload(openid: str, message: Message) -> dict:
    template = (config().get("templates") or {}).get(message.kind)
    if not template or not template.get("id"):
        raise SendError(f"wechat: no template for {message.kind}", final=True)
    data = {}
    for field, source in (template.get("data") or {}).items():
        if source not in SOURCES:
            raise SendError(f"wechat: the template field {field} shows {source!r}, not one of {SOURCES}",
                            final=True)
        data[field] = {"value": _value(source, field, message)}
    body = {"touser": openid, "template_id": template["id"], "data": data,
            "miniprogram_state": config().get("state") or "formal",
            "lang": "zh_CN" if message.language.startswith("zh") else "en_US"}
    if template.get("page") or config().get("page"):
        body["page"] = template.get("page") or config()["page"]
    return body


def send_to(openid: str, message: Message) -> None:
    body = _payload(openid, message)
    answer = _call(f"{_base()}/cgi-bin/message/subscribe/send?access_token={access_token()}", body)
    if answer.get("errcode") in TOKEN_REFRESH:  # the cached token went stale: a fresh one, one more try
        answer = _call(f"{_base()}/cgi-bin/message/subscribe/send?access_token={access_token(refresh=True)}",
                       body)
    code = answer.get("errcode", 0)
    if code == 0:
        return
    if code == REFUSED:
        raise SendError("wechat: 43101 the person has not accepted (or has cancelled) this subscription message",
                        final=True)
    raise SendError(f"wechat: {code} {answer.get('errmsg', '')}"[:400], final=code in FINAL)


def code_to_openid(code: str) -> str:
    """The openid of the mini-program's user whose wx.login() gave `code` (sns/jscode2session), or SendError."""
    c = config()
    query = urllib.parse.urlencode({"appid": c.get("app_id", ""), "secret": c.get("app_secret", ""),
                                    "js_code": code, "grant_type": "authorization_code"})
    answer = _call(f"{_base()}/sns/jscode2session?{query}")
    openid = answer.get("openid")
    if not openid:
        raise SendError(f"wechat: {answer.get('errcode')} {answer.get('errmsg', '')}"[:400], final=True)
    return str(openid)


def _bound(user_ids) -> dict[int, str]:
    from tenant_apps.notifications.models import PersonSettings

    return dict(PersonSettings.objects.filter(user_id__in=list(user_ids), wechat_app_id=config().get("app_id", ""))
                .exclude(wechat_openid="").values_list("user_id", "wechat_openid"))


def reachable(user_ids) -> set[int]:
    return set(_bound(user_ids))


def send(message: Message) -> None:
    openid = _bound([message.user.pk]).get(message.user.pk)
    if not openid:
        raise SendError("wechat: the person has not linked WeChat", final=True)
    send_to(openid, message)


def register() -> None:
    channel_register("wechat", label=_("WeChat"), send=send, reachable=reachable, configured=configured,
                     supports=supports)
