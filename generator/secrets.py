"""A scan of generated files for credentials: the net under the checks that reject inline secrets.

monspec never writes a secret: credentials are read by the consuming tool from a file (`*_file`)
or the environment. Should a target ever copy one from a spec into out/, this scan finds it before
the file is committed or shipped: `monspec scan-secrets out/` (run by `make check`).

Two kinds of rules. Pattern rules recognise a credential by its shape anywhere in a line (Slack
webhook URLs, AWS access keys, PEM private keys, bearer tokens, tokens of well-known services,
passwords inside URLs). The key rule looks at `key: value` / `"key": "value"` / `key = value`
lines whose key names a secret (password, token, api_key, routing_key...) and flags an inline
literal value; file paths, `${ENV}` references and empty values are what such keys should hold.
Findings never print the secret itself, only a redacted hint of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: error [secrets/{self.rule}] {self.message}"


_PATTERNS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    (
        "slack-webhook",
        re.compile(r"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/+-]{8,}"),
        "a Slack webhook URL",
    ),
    (
        "pagerduty-key",
        re.compile(r"events\.pagerduty\.com/(?:integration|generic)/[A-Za-z0-9]{20,}"),
        "a PagerDuty integration URL with its key",
    ),
    ("aws-access-key", re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b"), "an AWS access key id"),
    ("private-key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"), "a PEM private key"),
    ("bearer-token", re.compile(r"\b[Bb]earer\s+[A-Za-z0-9\-._~+/]{16,}=*"), "a bearer token"),
    ("slack-token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), "a Slack token"),
    ("github-token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})"), "a GitHub token"),
    (
        "url-password",
        re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@\"'{}]+:(?!\$\{)[^/\s@\"'{}]+@"),
        "a password inside a URL",
    ),
)

# Keys whose value is a credential. `_file`/`_path` variants name where it is read from instead.
_SECRET_KEY = re.compile(
    r"(?:^|[_.-])(?:password|passwd|pass|secret|token|api[_-]?key|apikey|routing[_-]?key|service[_-]?key"
    r"|integration[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key|credentials|auth[_-]?token"
    r"|bearer[_-]?token)$",
    re.IGNORECASE,
)
_SAFE_KEY_SUFFIX = ("_file", "_path", "_env", "_ref", "_name", "file", "path")
_KEY_VALUE = re.compile(r"""^\s*(?:-\s+)?["']?(?P<key>[A-Za-z0-9_.-]+)["']?\s*(?::|=)\s*(?P<value>.*?)\s*,?\s*$""")
_ENV_REF = re.compile(r"^(?:\$\{[^}]+\}|\$[A-Za-z_][A-Za-z0-9_]*|%\{env\.[^}]+\}|env\([^)]*\)|sys\.env\([^)]*\))$")
_NOT_LITERAL = {"", "null", "~", "none", "true", "false", "{", "[", "|", ">", "|-", ">-", "[]", "{}", "<secret>"}
# Placeholder spellings that document where a secret goes without being one.
_PLACEHOLDER = re.compile(r"^<[^<>]*>$|^\*+$|^(?:redacted|changeme|xxx+)$", re.IGNORECASE)


def _unquote(value: str) -> str:
    value = value.split(" #", 1)[0].strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _inline_secret(key: str, raw: str) -> bool:
    lowered = key.lower()
    if not _SECRET_KEY.search(lowered) or lowered.endswith(_SAFE_KEY_SUFFIX):
        return False
    value = _unquote(raw)
    if value.lower() in _NOT_LITERAL or _PLACEHOLDER.match(value):
        return False
    if _ENV_REF.match(value):
        return False
    if value.startswith(("/", "./", "../", "~/", "file://")):
        return False
    return not re.fullmatch(r"-?[0-9.]+", value)  # a number is a setting (token_ttl: 300), not a secret


def redact(secret: str) -> str:
    shown = secret[:4] if len(secret) > 12 else ""
    return f"{shown}... ({len(secret)} characters)"


def scan_text(text: str, path: str) -> Iterator[Finding]:
    for number, line in enumerate(text.splitlines(), start=1):
        for rule, pattern, what in _PATTERNS:
            m = pattern.search(line)
            if m:
                yield Finding(path, number, rule, f"{what}: {redact(m.group(0))}")
        kv = _KEY_VALUE.match(line)
        if kv and _inline_secret(kv.group("key"), kv.group("value")):
            value = _unquote(kv.group("value"))
            yield Finding(
                path,
                number,
                "inline-value",
                f"'{kv.group('key')}' holds an inline value ({redact(value)}); read it from a file or the environment",
            )


def scan_tree(root: Path) -> list[Finding]:
    """Every finding under root, in path and line order; files that cannot be text are skipped."""
    found: list[Finding] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.stat().st_size > MAX_FILE_BYTES:
            continue
        data = path.read_bytes()
        if b"\x00" in data:
            continue
        found.extend(scan_text(data.decode("utf-8", "replace"), path.as_posix()))
    return found
