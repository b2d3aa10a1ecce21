"""Check that every string shown to users is marked for translation and has a zh-Hans translation.

Pure Python (Django's template lexer and templatize, Babel's extractor, the standard library's ast and
HTMLParser); no GNU gettext. Run by tests/platform/test_translations.py (so by `make test`), or by hand:

    .venv/bin/python scripts/check_translations.py

Three findings, each with file:line and the string:
- missing: a marked msgid with no non-empty, non-fuzzy msgstr in locale/zh_Hans/LC_MESSAGES/django.po, or
  whose msgstr is the English msgid copied ("Webhook" -> "Webhook"), or names other placeholders than the
  msgid; and any msgid in Chinese (msgids are English, or English pages show Chinese);
- unmarked template text: letters (Latin or CJK) outside {% translate %}/{% blocktranslate %}, in text or in a
  user-visible attribute (placeholder, title, aria-label, alt, data-label, data-confirm, a button's value),
  and literals in {{ x|default:"..." }} or {% include ... with label="..." %};
- unmarked Python literal at a user-facing call site: messages.*(request, "..."), ValidationError("..."),
  domain errors (DomainError and its subclasses, found by name), form.add_error(field, "..."), form/model/
  serializer field label=, help_text=, verbose_name=, empty_label=, choices=, error_messages=, Meta
  verbose_name, TextChoices labels, *_CHOICES lists, widget attrs such as {"placeholder": "..."}.
What it cannot see: text built at run time from data or codes (a status code rendered raw); those are shown
through display helpers (get_FOO_display, *_label properties) and checked by page tests.

Accepted tokens (brand-agnostic terms shown as they are) are listed in ALLOWED_TOKENS below; keep it short.
"""

from __future__ import annotations

import ast
import io
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("tenants", "onboarding", "billing_saas", "shared_apps", "tenant_apps", "platform")
SKIPPED_DIRS = {"tests", "migrations", "static", "__pycache__", ".venv", "node_modules"}
PO_PATH = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# Tokens that may appear in templates untranslated: units, currency, brand-agnostic abbreviations.
# "x" is the multiplication sign of the quick-order syntax ("RB-250 x 48"), TXT a DNS record type.
ALLOWED_TOKENS = frozenset({"API", "SKU", "CSV", "URL", "ID", "PDF", "HTTP", "HTTPS", "JSON", "TXT", "x"})
# Texts shown as they are in every language: each language's own name in the language switch.
ALLOWED_TEXTS = frozenset({"简体中文", "English"})

USER_VISIBLE_ATTRIBUTES = frozenset(
    {
        "placeholder",
        "title",
        "aria-label",
        "alt",
        "data-label",
        "data-confirm",
        "hx-confirm",
        "aria-description",
    }
)
BUTTON_INPUT_TYPES = frozenset({"submit", "button", "reset"})

# A private-use character stands for each template tag/variable when the HTML is parsed.
TAG_MARK = "\ue000"
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# String literals inside tags that end up on the page: {{ x|default:"None" }}, {% include ... with label="Name" %}.
TAG_LITERAL = re.compile(
    r"""(?:\|default(?:_if_none)?:|\b(?:label|title|text|placeholder|hint|help|message|empty|heading)=)"""
    r"""(?P<q>["'])(?P<text>[^"']*)(?P=q)"""
)
DOMAIN_OR_EMAIL = re.compile(r"^[\w.+-]+(@[\w-]+)?(\.[a-z]{2,})+$")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfi]|\{\w+\}")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

GETTEXT_FUNCS = {
    # name: (index of the singular msgid, index of the context or None, index of the plural or None)
    "gettext": (0, None, None),
    "gettext_lazy": (0, None, None),
    "gettext_noop": (0, None, None),
    "ngettext": (0, None, 1),
    "ngettext_lazy": (0, None, 1),
    "pgettext": (1, 0, None),
    "pgettext_lazy": (1, 0, None),
    "npgettext": (1, 0, 2),
    "npgettext_lazy": (1, 0, 2),
}
MESSAGE_LEVELS = {"success", "error", "info", "warning", "debug", "add_message"}
LABEL_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label"}
CHOICES_BASES = {"TextChoices", "IntegerChoices", "Choices"}


@dataclass(frozen=True)
class Finding:
    kind: str  # "missing", "unmarked-template", "unmarked-python"
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


@dataclass(frozen=True)
class Msg:
    msgid: str
    context: str | None
    plural: str | None
    path: str
    line: int


# --------------------------------------------------------------------------------------------------- files


def source_files(root: Path, apps: Iterable[str] = APPS) -> Iterator[Path]:
    for app in apps:
        base = root / app
        if not base.exists():
            continue
        for path in sorted(base.rglob("*")):
            if not path.is_file() or SKIPPED_DIRS.intersection(path.relative_to(root).parts):
                continue
            if path.suffix == ".py" or (path.suffix in {".html", ".txt"} and "templates" in path.parts):
                yield path


# ------------------------------------------------------------------------------------------------ catalogue


def translated_keys(po_path: Path) -> set[tuple[str, str | None]]:
    """(msgid, context) of every entry with a complete, non-fuzzy translation."""
    from babel.messages.pofile import read_po

    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)
    done = set()
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        # An English word copied unchanged ("Webhook" -> "Webhook") is not a translation; SKU, CSV... may be.
        copied = strings[0] == key and not CJK.search(key) and _words_needing_translation(key)
        # A translation naming a placeholder the msgid lacks breaks the page (KeyError); one that drops a
        # placeholder loses the value.
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        placeholders_differ = any(
            _placeholders(s) not in {_placeholders(i) for i in ids} for s in strings if s
        )
        if strings and all(s and s.strip() for s in strings) and not copied and not placeholders_differ:
            done.add((key, message.context))
    return done


def _placeholders(text: str) -> frozenset[str]:
    return frozenset(PLACEHOLDER.findall(text))


# ------------------------------------------------------------------------------------------------ templates


def template_messages(path: Path, rel: str, source: str) -> list[Msg]:
    """Msgids exactly as makemessages sees them: Django's templatize, then Babel's Python extractor."""
    from babel.messages.extract import extract
    from django.utils.translation.template import templatize

    # Babel's tokenizer wants Python's indentation rules; templatize's output keeps the template's.
    code = "\n".join(line.lstrip() for line in templatize(source, origin=str(path)).splitlines())
    keywords = {"gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3)}
    keywords["_"] = None
    found = []
    for lineno, message, _comments, context in extract(
        "python", io.BytesIO(code.encode()), keywords=keywords, comment_tags=(), strip_comment_tags=True
    ):
        msgid, plural = (message[0], message[1]) if isinstance(message, tuple) else (message, None)
        if msgid:
            found.append(Msg(msgid, context, plural, rel, lineno))
    return found


class _TextCollector(HTMLParser):
    """Collects (line, text) for text nodes and user-visible attribute values, outside <script>/<style>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._raw_depth = 0

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        attributes = dict(attrs)
        for name, value in attrs:
            if value is None:
                continue
            visible = name in USER_VISIBLE_ATTRIBUTES or (
                name == "value"
                and tag == "input"
                and (attributes.get("type") or "").lower() in BUTTON_INPUT_TYPES
            )
            if visible:
                self.found.append((line, value))
        if tag in {"script", "style"}:
            self._raw_depth += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in {"script", "style"}:
            self._raw_depth -= 1

    def handle_endtag(self, tag):
        if tag in {"script", "style"} and self._raw_depth:
            self._raw_depth -= 1

    def handle_data(self, data):
        if not self._raw_depth:
            leading = data[: len(data) - len(data.lstrip(TAG_MARK + " \t\r\n"))]
            self.found.append((self.getpos()[0] + leading.count("\n"), data))


def _words_needing_translation(text: str) -> list[str]:
    text = " ".join(
        word
        for word in text.replace(TAG_MARK, " ").split()
        if word not in ALLOWED_TEXTS and "://" not in word and not word.endswith((".html", ".txt"))
    )
    if CJK.search(text):
        return [text]
    return [w for w in LATIN_WORD.findall(text) if w not in ALLOWED_TOKENS]


def template_unmarked(rel: str, source: str) -> list[Finding]:
    """Text with letters outside translate tags, in text nodes and user-visible attributes."""
    from django.template.base import Lexer, TokenType

    pieces: list[str] = []
    skip_until: str | None = None
    findings = []
    for token in Lexer(source).tokenize():
        raw = token.contents
        if token.token_type in (TokenType.VAR, TokenType.BLOCK) and not skip_until:
            for match in TAG_LITERAL.finditer(raw):
                if _words_needing_translation(match.group("text")):
                    findings.append(Finding("unmarked-template", rel, token.lineno, match.group("text")))
        if token.token_type == TokenType.BLOCK:
            name = raw.split(maxsplit=1)[0] if raw.strip() else ""
            if skip_until:
                if name == skip_until:
                    skip_until = None
                pieces.append(TAG_MARK)
                continue
            if name in {"blocktranslate", "blocktrans"}:
                skip_until = "end" + name
            elif name in {"comment", "verbatim"}:
                skip_until = "end" + name
            pieces.append(TAG_MARK)
        elif token.token_type == TokenType.TEXT and not skip_until:
            pieces.append(raw)
        elif token.token_type == TokenType.TEXT:
            pieces.append("\n" * raw.count("\n"))
        else:
            pieces.append(TAG_MARK)
        # Keep line numbers: tags spanning lines keep their newlines.
        if token.token_type != TokenType.TEXT and "\n" in raw:
            pieces.append("\n" * raw.count("\n"))
    collector = _TextCollector()
    collector.feed("".join(pieces))
    collector.close()
    for line, text in collector.found:
        words = _words_needing_translation(text)
        if words:
            shown = re.sub(f"[{TAG_MARK}\\s]*{TAG_MARK}[{TAG_MARK}\\s]*", " {…} ", text)
            findings.append(Finding("unmarked-template", rel, line, " ".join(shown.split())))
    return findings


# --------------------------------------------------------------------------------------------------- python


def _gettext_aliases(tree: ast.Module) -> dict[str, str]:
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for alias in node.names:
                if alias.name in GETTEXT_FUNCS:
                    aliases[alias.asname or alias.name] = alias.name
    return aliases


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _literal(node: ast.AST | None) -> str | None:
    """The text of a plain (untranslated) string expression: "..", f"..", ".." % x, "..".format(x)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{…}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return _literal(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _literal(node.func.value)
    return None


def _has_letters(text: str) -> bool:
    if text in ALLOWED_TEXTS or DOMAIN_OR_EMAIL.match(text):  # an example host name is not words
        return False
    return bool(CJK.search(text) or re.search(r"[A-Za-z]{2,}", text))


def domain_error_names(trees: Iterable[ast.Module]) -> set[str]:
    """DomainError and every class that inherits from it (by name, across the project)."""
    parents: dict[str, set[str]] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                parents.setdefault(node.name, set()).update(
                    b.id if isinstance(b, ast.Name) else b.attr
                    for b in node.bases
                    if isinstance(b, ast.Name | ast.Attribute)
                )
    names = {"DomainError", "ValidationError"}
    grew = True
    while grew:
        grew = False
        for name, bases in parents.items():
            if name not in names and bases & names:
                names.add(name)
                grew = True
    return names


def _constant_arg(call: ast.Call, index: int | None) -> str | None:
    if index is None or index >= len(call.args):
        return None
    arg = call.args[index]
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


def python_messages(tree: ast.Module, rel: str) -> list[Msg]:
    aliases = _gettext_aliases(tree)
    found = []
    for node in ast.walk(tree):
        if (
            not isinstance(node, ast.Call)
            or not isinstance(node.func, ast.Name)
            or node.func.id not in aliases
        ):
            continue
        msg_i, ctx_i, plural_i = GETTEXT_FUNCS[aliases[node.func.id]]

        msgid = _constant_arg(node, msg_i)
        if msgid:
            found.append(
                Msg(msgid, _constant_arg(node, ctx_i), _constant_arg(node, plural_i), rel, node.lineno)
            )
    return found


def python_unmarked(tree: ast.Module, rel: str, error_names: set[str]) -> list[Finding]:
    findings: list[Finding] = []

    def flag(node: ast.AST | None, line: int | None = None):
        text = _literal(node)
        if text is not None and _has_letters(text):
            findings.append(Finding("unmarked-python", rel, line or node.lineno, text))

    def flag_choices(node: ast.AST):
        if isinstance(node, ast.List | ast.Tuple):
            for item in node.elts:
                if isinstance(item, ast.Tuple) and len(item.elts) == 2:
                    if isinstance(item.elts[1], ast.List | ast.Tuple):
                        flag(item.elts[0])  # an optgroup: (label, [(value, label), ...])
                        flag_choices(item.elts[1])
                    else:
                        flag(item.elts[1])

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if (
                name in MESSAGE_LEVELS
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "messages"
            ):
                flag(
                    node.args[2]
                    if name == "add_message" and len(node.args) > 2
                    else node.args[1]
                    if name != "add_message" and len(node.args) > 1
                    else None
                )
                for kw in node.keywords:
                    if kw.arg == "message":
                        flag(kw.value)
            elif name == "add_error" and len(node.args) > 1:  # form.add_error("field", "...")
                flag(node.args[1])
            elif name in error_names:
                if node.args:
                    flag(node.args[0])
                    if isinstance(node.args[0], ast.Dict):
                        for value in node.args[0].values:
                            flag(value)
                            if isinstance(value, ast.List | ast.Tuple):
                                for item in value.elts:
                                    flag(item)
                for kw in node.keywords:
                    if kw.arg in {"detail", "message"}:
                        flag(kw.value)
                    elif kw.arg == "fields" and isinstance(kw.value, ast.Dict):
                        for value in kw.value.values:
                            flag(value)
                            if isinstance(value, ast.List | ast.Tuple):
                                for item in value.elts:
                                    flag(item)
            # Form, model and serializer fields (ModelChoiceField, ForeignKey...): not data calls such as
            # address_add(label="Warehouse").
            field_call = bool(name) and name.endswith(("Field", "Key"))
            for kw in node.keywords if field_call else ():
                if kw.arg in LABEL_KEYWORDS:
                    flag(kw.value)
                elif kw.arg == "choices":
                    flag_choices(kw.value)
                elif kw.arg == "error_messages" and isinstance(kw.value, ast.Dict):
                    for value in kw.value.values:
                        flag(value)
        elif isinstance(node, ast.Dict):  # widget attrs={"placeholder": "..."}
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in USER_VISIBLE_ATTRIBUTES:
                    flag(value)
        elif isinstance(node, ast.ClassDef):
            bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
            if node.name == "Meta":
                for stmt in node.body:
                    if isinstance(stmt, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id in {"verbose_name", "verbose_name_plural"}
                        for t in stmt.targets
                    ):
                        flag(stmt.value)
            if bases & CHOICES_BASES:
                for stmt in node.body:
                    if (
                        isinstance(stmt, ast.Assign)
                        and isinstance(stmt.value, ast.Tuple)
                        and len(stmt.value.elts) >= 2
                    ):
                        flag(stmt.value.elts[-1])
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id.endswith("CHOICES") for t in node.targets
        ):
            flag_choices(node.value)
    return findings


# ---------------------------------------------------------------------------------------------------- check


@dataclass
class Report:
    missing: list[Finding]
    unmarked_templates: list[Finding]
    unmarked_python: list[Finding]

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unmarked_templates or self.unmarked_python)

    def __str__(self) -> str:
        parts = []
        for title, items in (
            (
                "Marked for translation but with no zh-Hans translation in "
                + str(PO_PATH.relative_to(ROOT))
                + " (add an entry at the end of the file, then scripts/compilemessages.py)",
                self.missing,
            ),
            (
                "Template text shown to users, not inside {% translate %}/{% blocktranslate %}",
                self.unmarked_templates,
            ),
            ("Python string shown to users, not wrapped in gettext/gettext_lazy", self.unmarked_python),
        ):
            if items:
                parts.append(f"{title}: {len(items)}")
                parts.extend(f"  {f}" for f in items)
        return "\n".join(parts) or "All user-visible strings are marked and translated."


def check(root: Path = ROOT, po_path: Path = PO_PATH, apps: Iterable[str] = APPS) -> Report:
    done = translated_keys(po_path)
    messages: list[Msg] = []
    unmarked_templates: list[Finding] = []
    trees: list[tuple[str, ast.Module]] = []
    for path in source_files(root, apps):
        rel = str(path.relative_to(root))
        source = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            trees.append((rel, ast.parse(source, filename=rel)))
        else:
            messages.extend(template_messages(path, rel, source))
            if path.suffix == ".html":
                unmarked_templates.extend(template_unmarked(rel, source))
    error_names = domain_error_names(tree for _rel, tree in trees)
    unmarked_python: list[Finding] = []
    for rel, tree in trees:
        messages.extend(python_messages(tree, rel))
        unmarked_python.extend(python_unmarked(tree, rel, error_names))
    missing = [
        Finding("missing", m.path, m.line, m.msgid if m.context is None else f"{m.context}|{m.msgid}")
        for m in messages
        if (m.msgid, m.context) not in done
    ]
    # Msgids are English: a CJK msgid shows Chinese on English pages.
    missing.extend(
        Finding("missing", m.path, m.line, f"msgid must be English: {m.msgid}")
        for m in messages
        if CJK.search(m.msgid)
    )
    key = lambda f: (f.path, f.line)  # noqa: E731
    return Report(
        sorted(missing, key=key), sorted(unmarked_templates, key=key), sorted(unmarked_python, key=key)
    )


def main() -> int:
    sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dms.settings")
    django.setup()
    report = check()
    print(report)
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
