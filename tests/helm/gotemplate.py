"""A renderer of the subset of Go templates (text/template + the Sprig functions Helm adds) that helm/dms uses, so
that the chart can be rendered and its manifests validated where no helm binary exists.

It covers: {{- -}} trimming, comments, define/include/template, if/else if/else, with (+ else), range over lists and
maps (with `$i, $v :=`), variables (`:=` and `=`), pipelines with parentheses, and the functions of FUNCTIONS. An
unknown function or syntax is an error, never a silent empty string: a template using more than this subset fails
the test (tests/helm/test_chart.py) instead of passing unrendered. It is not Helm: toYaml is PyYAML's (sorted keys,
as Helm's), and numbers are Python's; the test parses what it renders, so formatting differences do not matter.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import yaml

ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.S)
TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")|(`[^`]*`)|(\()|(\))|(\|)|(:=|=(?!=))|(,)'
                   r'|(\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)|(\.(?:[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)?)'
                   r'|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*))')


class TemplateError(Exception):
    pass


class Fail(TemplateError):
    """`required` / `fail`: the chart refuses these values."""


# --- parsing ------------------------------------------------------------------------------------------------------

def _lex(text: str) -> list[tuple[str, str]]:
    """[("text", s) | ("action", s)] with Go's trim markers applied."""
    parts: list[tuple[str, str]] = []
    position = 0
    for match in ACTION.finditer(text):
        chunk = text[position:match.start()]
        if match.group(1):
            chunk = chunk.rstrip()
        parts.append(("text", chunk))
        parts.append(("action", match.group(2).strip()))
        position = match.end()
        if match.group(3):
            rest = text[position:]
            position += len(rest) - len(rest.lstrip())
    parts.append(("text", text[position:]))
    return parts


def _parse(parts, index=0, stop=("end",)):
    """Nodes until one of `stop` keywords; returns (nodes, index of the stopping action, its keyword)."""
    nodes = []
    while index < len(parts):
        kind, value = parts[index]
        if kind == "text":
            if value:
                nodes.append(("text", value))
            index += 1
            continue
        if value.startswith("/*"):
            index += 1
            continue
        word = value.split(None, 1)[0] if value else ""
        if word in stop or (word == "else" and "else" in stop):
            return nodes, index, word
        if word in ("if", "with", "range"):
            body, index, ended = _parse(parts, index + 1, stop=("end", "else"))
            node = [word, value[len(word):].strip(), body, None]
            nodes.append(node)
            while ended == "else":
                rest = parts[index][1][4:].strip()
                if rest.startswith("if "):  # else if: a nested if as the else branch
                    inner_body, index, ended = _parse(parts, index + 1, stop=("end", "else"))
                    inner = ["if", rest[3:].strip(), inner_body, None]
                    node[3] = [inner]
                    node = inner
                else:
                    else_body, index, ended = _parse(parts, index + 1, stop=("end",))
                    node[3] = else_body
            index += 1
            continue
        if word == "define":
            name = _literal(value[len("define"):].strip())
            body, index, _ended = _parse(parts, index + 1, stop=("end",))
            nodes.append(("define", name, body))
            index += 1
            continue
        nodes.append(("action", value))
        index += 1
    if stop != ("end",) or index < len(parts):
        raise TemplateError(f"unclosed block, wanted {stop}")
    return nodes, index, None


def _literal(text: str) -> str:
    if text.startswith('"'):
        return bytes(text[1:-1], "utf-8").decode("unicode_escape")
    if text.startswith("`"):
        return text[1:-1]
    raise TemplateError(f"not a string: {text}")


def _tokens(text: str) -> list[tuple[str, str]]:
    names = ("string", "raw", "(", ")", "|", "assign", ",", "var", "field", "number", "ident")
    out, position = [], 0
    text = text.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match or match.end() == position:
            raise TemplateError(f"cannot read {text[position:]!r}")
        position = match.end()
        for name, group in zip(names, match.groups(), strict=True):
            if group is not None:
                out.append((name, group))
                break
    return out


# --- evaluation ---------------------------------------------------------------------------------------------------

def truthy(value) -> bool:
    return value not in (None, False, 0, "") and not (isinstance(value, dict | list | tuple) and not value)


def to_yaml(value) -> str:
    if value is None or value == {} and not isinstance(value, dict):
        return "null"
    return yaml.safe_dump(value, default_flow_style=False, sort_keys=True, allow_unicode=True).rstrip("\n")


def _indent(width, text):
    return "\n".join(" " * int(width) + line for line in str(text).split("\n"))


def _go_str(value) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _printf(fmt, *args):
    converted = re.sub(r"%v|%s|%d", "%s", fmt)
    return converted % tuple(_go_str(arg) for arg in args)


def _default(default, value=None):
    return value if truthy(value) else default


def _required(message, value=None):
    if not truthy(value):
        raise Fail(message)
    return value


def _set(mapping, key, value):
    mapping[key] = value
    return mapping


def _merge(destination, *sources):
    """Sprig's merge: keys of the destination win, then those of each source in turn (deep for maps)."""
    for source in sources:
        for key, value in (source or {}).items():
            if isinstance(value, dict) and isinstance(destination.get(key), dict):
                _merge(destination[key], value)
            else:
                destination.setdefault(key, value)
    return destination


def _uniq(items):
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


FUNCTIONS = {
    "default": _default, "required": _required, "quote": lambda v: '"' + _go_str(v).replace('"', '\\"') + '"',
    "toYaml": to_yaml, "nindent": lambda w, t: "\n" + _indent(w, t), "indent": _indent,
    "trunc": lambda n, s: str(s)[:int(n)], "trimSuffix": lambda suffix, s: s[:-len(suffix)] if suffix and
    s.endswith(suffix) else s, "trimPrefix": lambda prefix, s: s[len(prefix):] if s.startswith(prefix) else s,
    "trim": lambda s: str(s).strip(), "replace": lambda old, new, s: str(s).replace(old, new),
    "contains": lambda part, s: part in str(s), "printf": _printf, "toString": _go_str,
    "lower": lambda s: str(s).lower(), "upper": lambda s: str(s).upper(),
    "dict": lambda *kv: dict(zip(kv[::2], kv[1::2], strict=True)), "list": lambda *items: list(items),
    "append": lambda items, item: [*items, item], "splitList": lambda sep, s: str(s).split(sep),
    "join": lambda sep, items: sep.join(_go_str(i) for i in items), "uniq": _uniq, "set": _set, "merge": _merge,
    "b64enc": lambda s: base64.b64encode(_go_str(s).encode()).decode(),
    "sha256sum": lambda s: hashlib.sha256(str(s).encode()).hexdigest(),
    "not": lambda v: not truthy(v), "and": lambda *v: next((x for x in v if not truthy(x)), v[-1]),
    "or": lambda *v: next((x for x in v if truthy(x)), v[-1]), "eq": lambda a, *b: any(a == x for x in b),
    "ne": lambda a, b: a != b, "gt": lambda a, b: a > b, "lt": lambda a, b: a < b, "ge": lambda a, b: a >= b,
    "le": lambda a, b: a <= b, "int": lambda v: int(v or 0), "empty": lambda v: not truthy(v),
    "hasKey": lambda m, k: k in m, "fail": lambda message: _required(message, None),
    "semverCompare": None,  # not supported: a template that needs it fails loudly
}


class Renderer:
    def __init__(self, templates: dict[str, str]):
        self.defines: dict[str, list] = {}
        self.trees: dict[str, list] = {}
        for name, text in templates.items():
            nodes, _index, _word = _parse(_lex(text))
            self.trees[name] = nodes
            self._collect(nodes)

    def _collect(self, nodes):
        for node in nodes:
            if node[0] == "define":
                self.defines[node[1]] = node[2]

    def render(self, name: str, context: dict) -> str:
        return self._run(self.trees[name], context, [{"$": context}])

    def include(self, name: str, dot) -> str:
        if name not in self.defines:
            raise TemplateError(f"no template {name!r}")
        return self._run(self.defines[name], dot, [{"$": dot}])

    # nodes
    def _run(self, nodes, dot, scopes) -> str:
        out = []
        for node in nodes:
            kind = node[0]
            if kind == "text":
                out.append(node[1])
            elif kind == "define":
                continue
            elif kind == "action":
                value = self._pipeline(node[1], dot, scopes)
                if value is not _NOTHING:
                    out.append(_go_str(value))
            elif kind in ("if", "with"):
                value = self._pipeline(node[1], dot, scopes)
                if truthy(value):
                    out.append(self._run(node[2], value if kind == "with" else dot, [*scopes, {}]))
                elif node[3] is not None:
                    out.append(self._run(node[3], dot, [*scopes, {}]))
            elif kind == "range":
                out.append(self._range(node, dot, scopes))
        return "".join(out)

    def _range(self, node, dot, scopes) -> str:
        header = node[1]
        names: list[str] = []
        declared = re.match(r"^(\$\w+)\s*(?:,\s*(\$\w+))?\s*:=\s*(.*)$", header, re.S)
        if declared:
            names = [n for n in declared.groups()[:2] if n]
            header = declared.group(3)
        value = self._pipeline(header, dot, scopes)
        items = sorted(value.items()) if isinstance(value, dict) else list(enumerate(value or []))
        if not items:
            return self._run(node[3], dot, [*scopes, {}]) if node[3] else ""
        out = []
        for key, item in items:
            scope = {}
            if len(names) == 2:
                scope = {names[0]: key, names[1]: item}
            elif names:
                scope = {names[0]: item}
            out.append(self._run(node[2], item, [*scopes, scope]))
        return "".join(out)

    # expressions
    def _pipeline(self, text, dot, scopes):
        tokens = _tokens(text)
        if len(tokens) >= 2 and tokens[0][0] == "var" and tokens[1][0] == "assign":
            value = self._evaluate(tokens[2:], dot, scopes)
            name = tokens[0][1]
            if tokens[1][1] == ":=":
                scopes[-1][name] = value
            else:
                for scope in reversed(scopes):
                    if name in scope:
                        scope[name] = value
                        break
                else:
                    raise TemplateError(f"{name} assigned before it is declared")
            return _NOTHING
        return self._evaluate(tokens, dot, scopes)

    def _evaluate(self, tokens, dot, scopes):
        commands, depth, current = [], 0, []
        for token in tokens:
            if token[0] == "(":
                depth += 1
            elif token[0] == ")":
                depth -= 1
            if token[0] == "|" and depth == 0:
                commands.append(current)
                current = []
            else:
                current.append(token)
        commands.append(current)
        value = _NOTHING
        for command in commands:
            value = self._command(command, dot, scopes, value)
        return value

    def _command(self, tokens, dot, scopes, piped):
        operands, index = [], 0
        while index < len(tokens):
            kind, text = tokens[index]
            if kind == "(":
                depth, end = 1, index + 1
                while depth:
                    depth += {"(": 1, ")": -1}.get(tokens[end][0], 0)
                    end += 1
                operands.append(("value", self._evaluate(tokens[index + 1:end - 1], dot, scopes)))
                index = end
                continue
            operands.append((kind, text))
            index += 1
        head_kind, head = operands[0]
        if head_kind == "ident" and head not in ("true", "false", "nil"):
            args = [self._operand(op, dot, scopes) for op in operands[1:]]
            if piped is not _NOTHING:
                args.append(piped)
            if head in ("include", "template"):
                return self.include(args[0], args[1] if len(args) > 1 else None)
            function = FUNCTIONS.get(head)
            if function is None:
                raise TemplateError(f"function {head!r} is outside the supported subset")
            return function(*args)
        if len(operands) != 1 or piped is not _NOTHING:
            raise TemplateError(f"cannot apply {operands}")
        return self._operand(operands[0], dot, scopes)

    def _operand(self, operand, dot, scopes):
        kind, text = operand
        if kind == "value":
            return text
        if kind in ("string", "raw"):
            return _literal(text)
        if kind == "number":
            return float(text) if "." in text else int(text)
        if kind == "ident":
            return {"true": True, "false": False, "nil": None}[text] if text in ("true", "false", "nil") else \
                FUNCTIONS[text]()
        if kind == "field":
            return _walk(dot, text.strip(".").split(".") if text != "." else [])
        if kind == "var":
            name, *path = text.split(".")
            for scope in reversed(scopes):
                if name in scope:
                    return _walk(scope[name], path)
            raise TemplateError(f"undefined variable {name}")
        raise TemplateError(f"unexpected {text!r}")


def _walk(value, path):
    for key in path:
        if value is None:
            return None
        if isinstance(value, dict):
            value = value.get(key)
        else:
            value = getattr(value, key, None)
    return value


_NOTHING = object()  # an assignment prints nothing


def deep_merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
