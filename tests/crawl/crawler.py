"""A role's walk through the pages it is shown: breadth first over same-host <a href> links, from its home.

What it checks on the way (each problem is kept as one line naming the page and the link, so that one run lists
them all):
- no page answers 5xx;
- every link shown leads to a page that opens (200, or redirects that end on one): a link to a 403/404, or to
  the sign-in page, is a link the reader cannot use;
- every date input (<input type=date> / datetime-local) carries its value as the input needs it (ISO: a
  localized "2026/12/06" is shown as a blank field by the browser, and saving the form then fails);
- every form with a filled date input, sent back as the browser would send it unchanged, has no error on that
  date (POST forms are saved; GET forms are submitted as a filter).

Pages are deduplicated by URL *pattern*: a few examples per url_name are opened (detail pages of different rows,
a sorted or filtered list), the rest of the links to that pattern are not followed. New pages are covered as soon
as some page links to them.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date, datetime
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

DATE_TYPES = {"date": date.fromisoformat, "datetime-local": datetime.fromisoformat}
SKIPPED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "sms:")
# Links followed for their status only: their bodies are not pages (files, images, the API's JSON).
NOT_PAGES = ("/media/", "/static/", "/api/")


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # what a browser sends, in order
    dates: list[tuple[str, str, str]] = field(default_factory=list)  # (name, type, value)
    submitted_by: tuple[str, str] | None = None  # the first submit button's name and value


class _PageParser(HTMLParser):
    """The links and forms of a page (the standard library's parser: tolerant, no dependency)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self.invalid_fields: set[str] = set()  # names of inputs shown with an error
        self.language: str | None = None  # <html lang>; None for a fragment (no <html>)
        self._form: Form | None = None
        self._select: tuple[str, list[str], list[str]] | None = None  # name, selected values, all values
        self._option: tuple[str | None, bool] | None = None  # value attribute, selected
        self._option_text: list[str] = []
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "html":
            self.language = a.get("lang", "")
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(action=a.get("action", ""), method=(a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif tag == "div" and "invalid" in a.get("class", "").split():
            field_id = a.get("id", "")
            if field_id.startswith("field-"):
                self.invalid_fields.add(field_id.removeprefix("field-"))
        elif tag == "input":
            self._input(a)
        elif tag == "select" and self._form is not None and "disabled" not in a:
            self._select = (a.get("name", ""), [], [])
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), "selected" in a)
            self._option_text = []
        elif tag == "textarea" and self._form is not None and "disabled" not in a:
            self._textarea = (a.get("name", ""), [])
        elif tag == "button" and self._form is not None and a.get("type", "submit") == "submit":
            if self._form.submitted_by is None and a.get("name"):
                self._form.submitted_by = (a["name"], a.get("value", ""))

    def _input(self, a):
        if a.get("aria-invalid") == "true" and a.get("name"):
            self.invalid_fields.add(a["name"])
        form = self._form
        kind = a.get("type", "text").lower()
        name = a.get("name", "")
        if kind in DATE_TYPES:
            # A date input outside any form (or in one without a name) is still checked for its value.
            target = form if form is not None else Form(action="", method="get")
            if form is None:
                self.forms.append(target)
            target.dates.append((name, kind, a.get("value", "")))
        if form is None or not name or "disabled" in a:
            return
        if kind in ("checkbox", "radio"):
            if "checked" in a:
                form.fields.append((name, a.get("value", "on")))
        elif kind in ("submit", "image"):
            if form.submitted_by is None:
                form.submitted_by = (name, a.get("value", ""))
        elif kind not in ("button", "reset", "file"):
            form.fields.append((name, a.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._option is not None:
            self._option_text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option" and self._select is not None and self._option is not None:
            value, selected = self._option
            value = value if value is not None else "".join(self._option_text).strip()
            self._select[2].append(value)
            if selected:
                self._select[1].append(value)
            self._option = None
        elif tag == "select" and self._select is not None:
            name, selected, values = self._select
            if self._form is not None and name:
                chosen = selected or values[:1]  # a single select sends its first option when none is selected
                self._form.fields.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            if self._form is not None and name:
                self._form.fields.append((name, "".join(text).removeprefix("\n")))
            self._textarea = None


def parse(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser


@dataclass
class Crawl:
    """One reader's walk: `client` is signed in (or not) on `host`; `urlconf` is the host's."""

    client: Client
    host: str
    urlconf: str
    start: str
    language: str = ""  # every page must be in it (<html lang>)
    signed_in: bool = True  # a visitor who is not signed in may be sent to sign in
    per_pattern: int = 2  # examples opened per url_name...
    per_query: int = 1  # ...and with a query string (sorted, filtered, paged)
    # ...and one more each time an example shows something the others did not (an order in another state has
    # other buttons and forms), up to this many more.
    more_when_new: int = 4
    problems: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    opened: Counter = field(default_factory=Counter)  # url_name (+ "?") -> pages opened
    pages: int = 0
    date_inputs: int = 0
    forms_sent: int = 0
    seconds: float = 0.0
    _queue: deque = field(default_factory=deque)
    _allowed: dict = field(default_factory=dict)  # url_name (+ "?") -> examples it may open
    _shapes: dict = field(default_factory=dict)  # url_name (+ "?") -> the shapes its examples had
    _waiting: dict = field(default_factory=dict)  # url_name (+ "?") -> links not opened yet, (url, source)

    def run(self) -> Crawl:
        began = time.perf_counter()
        self._offer(self.start, source="(start)")
        forms: list[tuple[str, Form]] = []
        while self._queue:
            url, source = self._queue.popleft()
            opened = self._open(url, source)
            if opened is None:
                continue
            url, html = opened  # where the redirects ended
            page = parse(html)
            self._learn(url, page)
            if self.language and page.language is not None and page.language.lower() != self.language:
                self.problems.append(f"{url} is in {page.language or 'no language'!r}, not {self.language!r}")
            for href in page.links:
                self._offer(urljoin(url, href), source=url)
            for form in page.forms:
                if form.dates:
                    forms.append((url, form))
        for url, form in forms:  # after the walk: a saved form must not change what the walk sees
            self._check_dates(url, form)
        self.seconds = time.perf_counter() - began
        return self

    # --- the walk ------------------------------------------------------------------------------------
    def _pattern(self, path: str) -> str:
        try:
            match = resolve(path, urlconf=self.urlconf)
        except Resolver404:
            return f"unresolved:{path}"
        return match.view_name or match._func_path

    def _offer(self, url: str, *, source: str) -> None:
        if url.startswith(SKIPPED_SCHEMES):
            return
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != self.host:
            return  # another host (the operator's links to brands, a carrier's tracking site)
        local = parts.path + (f"?{parts.query}" if parts.query else "")
        if not parts.path or local in self.seen:
            return
        if parts.path.rstrip("/").endswith("/logout"):
            return
        key = self._key(local)
        self.seen.add(local)
        if self.opened[key] >= self._cap(key):
            self._waiting.setdefault(key, deque()).append((local, source))
            return
        self.opened[key] += 1
        self._queue.append((local, source))

    def _key(self, local: str) -> str:
        path, _sep, query = local.partition("?")
        return self._pattern(path) + ("?" if query else "")

    def _cap(self, key: str) -> int:
        return self._allowed.setdefault(key, self.per_query if key.endswith("?") else self.per_pattern)

    def _learn(self, url: str, page: _PageParser) -> None:
        """An example unlike the ones before it (other links, other forms) earns its pattern one more example."""
        targets = [urlsplit(urljoin(url, href)) for href in page.links]
        shape = frozenset([self._pattern(t.path) for t in targets if t.netloc in ("", self.host)]
                          + [f"form:{self._pattern(urlsplit(urljoin(url, form.action)).path)}" for form in page.forms])
        key = self._key(url)
        shapes = self._shapes.setdefault(key, set())
        if shapes and shape not in shapes and self._cap(key) < self.per_pattern + self.more_when_new:
            self._allowed[key] += 1
            waiting = self._waiting.get(key)
            if waiting:
                self.opened[key] += 1
                self._queue.append(waiting.popleft())
        shapes.add(shape)

    def _open(self, url: str, source: str) -> tuple[str, str] | None:
        """The page's final address (after redirects) and its HTML; None for what is not a page, or a problem."""
        response = self.client.get(url, follow=True)
        self.pages += 1
        chain = " -> ".join(hop for hop, _status in response.redirect_chain)
        where = f"{url}{f' (-> {chain})' if chain else ''}, linked from {source}"
        if response.status_code >= 500:
            self.problems.append(f"{response.status_code} on {where}")
            return None
        if response.status_code != 200:
            self.problems.append(f"link to a page this reader cannot open ({response.status_code}): {where}")
            return None
        final = urljoin(url, response.redirect_chain[-1][0]) if response.redirect_chain else url
        if self.signed_in and urlsplit(final).path.startswith("/accounts/login/") and not url.startswith(
                "/accounts/login/"):
            self.problems.append(f"link that sends this reader to sign in: {where}")
            return None
        if response.streaming or url.startswith(NOT_PAGES):
            if response.streaming:
                response.close()
            return None
        if "text/html" not in response.get("Content-Type", ""):
            return None
        parts = urlsplit(final)
        if parts.netloc and parts.netloc != self.host:
            return None
        return (parts.path + (f"?{parts.query}" if parts.query else ""),
                response.content.decode(response.charset or "utf-8"))

    # --- dates ---------------------------------------------------------------------------------------
    def _check_dates(self, url: str, form: Form) -> None:
        filled = []
        for name, kind, value in form.dates:
            self.date_inputs += 1
            if not value:
                continue
            try:
                DATE_TYPES[kind](value)
            except ValueError:
                self.problems.append(f"<input type={kind} name={name}> holds {value!r}, not ISO, on {url}")
                continue
            filled.append(name)
        if not filled or not form.fields:
            return
        data = list(form.fields) + ([form.submitted_by] if form.submitted_by else [])
        target = urljoin(url, form.action) if form.action else url
        if form.method == "post":
            response = self.client.post(target, _as_dict(data))
        else:
            parts = urlsplit(target)
            response = self.client.get(parts.path, dict(parse_qsl(parts.query)) | _as_dict(data))
        self.forms_sent += 1
        if response.status_code >= 500:
            self.problems.append(f"{response.status_code} sending the dated form of {url} to {target}")
            return
        if response.status_code in (301, 302, 303):
            return  # saved
        if response.status_code != 200:
            self.problems.append(f"{response.status_code} sending the dated form of {url} unchanged to {target}")
            return
        invalid = parse(response.content.decode(response.charset or "utf-8")).invalid_fields
        for name in filled:
            if name in invalid:
                self.problems.append(f"the date {name} of the form on {url}, sent back unchanged, is refused")

    @property
    def patterns(self) -> set[str]:
        return {key.rstrip("?") for key in self.opened}

    def summary(self, label: str) -> str:
        return (f"{label}: {self.pages} pages, {len(self.patterns)} url patterns, {self.date_inputs} date inputs, "
                f"{self.forms_sent} dated forms sent, {self.seconds:.1f} s")


def _as_dict(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return data

