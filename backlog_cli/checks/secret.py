"""secret: a value looks like a credential (API key, token, password, private key).

A credential committed to the backlog stays in the git history: everyone who can read the
repository, its forks, CI logs and backups can use it until it is rotated. Every string in
every item file is scanned, at any depth: `description`, prompt templates, `spec`, `x-*`
fields, list elements, and mapping keys. Two kinds of findings:

- provider credentials by their shape: OpenAI (`sk-`, `sk-proj-`, `sk-svcacct-`), Anthropic
  (`sk-ant-`), AWS access key ids (`AKIA`, `ASIA`) and the secret access key beside one,
  GitHub (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`), Slack tokens (`xoxb-`, ...)
  and webhook URLs, Google API keys (`AIza`), Stripe live keys (`sk_live_`, `rk_live_`),
  Hugging Face tokens (`hf_`), PEM private key blocks, JSON Web Tokens, and passwords in
  URLs (`postgres://app:<password>@db`);
- random-looking values under a secret-ish name: a mapping key, or a `name=value` /
  `name: value` inside a string, whose name has a word `password`, `passwd`, `pwd`,
  `secret`, `token`, `auth`, `authorization`, `api_key`/`apiKey`, `access_key` or
  `private_key`, when the value has 12 or more characters, mixes letters, digits or symbols,
  and has high entropy (a hex digest or a UUID under such a name counts).

Placeholders and references are not secrets: `<your-key>`, `${OPENAI_API_KEY}`,
`$OPENAI_API_KEY`, `{{ api_key }}`, `changeme`, `xxxx`, `***`, `env:...`, `vault:...`,
`secret://...`, a variable name such as `OPENAI_API_KEY`. Numbers never are
(`max_tokens: 4096`). One finding per secret, at its value (for a multi-line string, where
the string starts); the message shows at most the first and last four characters.

Failing:

    spec:
      parameters:
        api_key: sk-proj-...        # the whole key, pasted from the provider's console
    x-db:
      url: postgres://app:...@db.internal:5432/tickets    # the real password in the URL
      password: ...                 # 12+ random characters

Passing:

    spec:
      parameters:
        api_key_env: OPENAI_API_KEY # the name of the variable that holds the key
    x-db:
      url: postgres://app:${DB_PASSWORD}@db.internal:5432/tickets
      password: ${DB_PASSWORD}
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from backlog_cli.diagnostic import Finding, Severity
from backlog_cli.project import as_item

if TYPE_CHECKING:
    from backlog_cli.engine import Context
    from backlog_cli.loader import Document
    from backlog_cli.vocab import Pointer

ID = "secret"
SEVERITY: Severity = "error"

Hit = tuple[str, str]  # (what it looks like, the secret itself)

HINT = (
    "remove it and rotate it (it is in the git history now); refer to it by the name of an "
    "environment variable or secret-manager entry instead, e.g. `api_key_env: OPENAI_API_KEY`"
)

# The pre-filter: every finding contains a match of one of these needles, searched first in
# the whole file, then, in a file with a hit, in each of its strings. Each pattern starts with
# a literal (and, where it can, rare) character, which `re` scans for at C speed; a single
# alternation of them all would look at every character and be ten times slower. Names are
# looked for in lowercased text. `tokens` is left out on purpose: `max_tokens` and "800 tokens
# per chunk" are everywhere in a GenAI backlog. (A needle spelled with YAML escapes,
# `"\x73k-..."`, is not looked for: that is obfuscation, not an accident.)
_LOWERED_NEEDLES = tuple(
    re.compile(pattern)
    for pattern in (
        r"k(?:(?<=sk)-|_live_|(?<=tok)en(?!s(?![a-z]))|ey)",  # sk-, [sr]k_live_, token, key
        r"_(?:(?<=gh[pousr]_)|(?<=hf_)|pat_(?<=github_pat_))",  # ghp_ ..., hf_, github_pat_
        r"w(?:(?<=passw)|d(?<=pwd))",  # password, passwd, pwd
        "secret",
        r"h(?<=auth)",
        "xox",
    )
)
_CASED_NEEDLES = tuple(
    re.compile(pattern)
    for pattern in (
        r"A(?:KIA|SIA|Iza)",
        r"J(?<=eyJ)",
        r"B(?<=-----B)EGIN",
        r"://(?:[^\s/?#@]*@|hooks\.slack\.com/)",
    )
)
Needles = tuple[list[re.Pattern[str]], list[re.Pattern[str]]]  # (lowered, cased) that hit


_ALL_NEEDLES: Needles = (list(_LOWERED_NEEDLES), list(_CASED_NEEDLES))


def _has_needle(text: str, needles: Needles) -> bool:
    lowered_needles, cased_needles = needles
    for needle in cased_needles:
        if needle.search(text):
            return True
    if lowered_needles:
        lowered = text.lower()
        for needle in lowered_needles:
            if needle.search(lowered):
                return True
    return False


def _needles_in(text: str) -> Needles:
    lowered = text.lower()
    return (
        [needle for needle in _LOWERED_NEEDLES if needle.search(lowered)],
        [needle for needle in _CASED_NEEDLES if needle.search(text)],
    )


_PROVIDERS = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"(?P<anthropic>sk-ant-[A-Za-z0-9_-]{20,})"
    r"|(?P<openai>sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{20,}))"
    r"|(?P<stripe>[sr]k_live_[A-Za-z0-9]{16,})"
    r"|(?P<github>gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{82,})"
    r"|(?P<slack>xox[bpars]-[0-9]+-[0-9]+-[A-Za-z0-9-]{8,})"
    r"|(?P<slack_webhook>https://hooks\.slack\.com/services/T[A-Za-z0-9_]{4,}/B[A-Za-z0-9_]{4,}"
    r"/[A-Za-z0-9_]{8,})"
    r"|(?P<google>AIza[A-Za-z0-9_-]{35})"
    r"|(?P<huggingface>hf_[A-Za-z]{34,})"
    r"|(?P<aws>(?:AKIA|ASIA)[A-Z0-9]{16})"
    r"|(?P<jwt>eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"
    r")(?![A-Za-z0-9])"
    r"|(?P<pem>-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]{0,300}?"
    r"(?P<pem_body>[A-Za-z0-9+/=]{32,}))"
    r"|(?<![A-Za-z0-9+.-])(?P<url>[A-Za-z][A-Za-z0-9+.-]*://"
    r"(?P<user>[^\s/?#@:]*):(?P<password>[^\s/?#@]+)@(?P<host>[^\s/?#@:]+))"
)
_LABELS = {
    "anthropic": "Anthropic API key",
    "openai": "OpenAI API key",
    "stripe": "Stripe live key",
    "github": "GitHub token",
    "slack": "Slack token",
    "slack_webhook": "Slack webhook URL",
    "google": "Google API key",
    "huggingface": "Hugging Face token",
    "aws": "AWS access key id",
    "jwt": "JSON Web Token",
    "pem": "private key",
    "url": "password in a URL",
}
_AWS_SECRET_LABEL = "AWS secret access key"
# Where the random part of a prefixed key starts (the prefix itself is not evidence).
_BODY = re.compile(
    r"(?:sk-ant-|sk-(?:proj-|svcacct-|admin-)?|[sr]k_live_|gh[pousr]_|github_pat_"
    r"|xox[bpars]-|AIza|hf_|AKIA|ASIA)"
)
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")

# `name=value`, `name: value`, `"name": "value"`, `Authorization: Bearer value` in a string.
_ASSIGNMENT = re.compile(
    r"(?<![A-Za-z0-9_.-])(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)[\"']?[ \t]*(?:=|:(?!//))[ \t]*"
    r"[\"']?(?:(?i:bearer|basic|token)[ \t]+)?(?P<value>[^\s\"'`,;&<>(){}\[\]]+)"
)
_AUTH_SCHEME = re.compile(r"(?i)(?:bearer|basic|token)[ \t]+(?=\S+\Z)")

_PLACEHOLDER = re.compile(
    r"(?i)\A<.*>\Z|\A\$|\$\{|\{\{|\{%|%\(|x{4,}|\*{3,}|\.{3}|\u2026|(.)\1{5,}"
    r"|change[-_]?me|replace[-_]?me|your[-_ ]|example|dummy|redacted|placeholder|sample"
    r"|insert[-_ ]|\A(?:todo|tbd|none|null|n/a)\Z"
)
# References to where a secret lives, not the secret.
_REFERENCE = re.compile(
    r"(?i)\A(?:[a-z][a-z0-9+.-]*://|arn:|projects/[^/]+/secrets/|(?:\.{0,2}|~)/"
    r"|(?:env|vault|secrets?|ssm|aws-sm|gcp-sm|azure-kv|keyring|op|file|sm):)"
)
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]+")
_NAME_CHARS = re.compile(r"[A-Za-z0-9_./:@+-]+")
_NAME_PARTS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_URL_DUMMY_PASSWORDS = frozenset(
    {"password", "passwd", "pass", "pwd", "pw", "secret", "token", "changeme", "admin"}
)
_EXAMPLE_HOST = re.compile(r"(?i)(?:\A|\.)(?:example(?:\.(?:com|org|net))?|invalid|test)\Z")

# Words of a name (split at `_`, `-`, `.` and camelCase) that make it secret-ish. Each one
# contains a needle, so that the pre-filter never hides one.
_PASSWORD_WORDS = frozenset({"password", "passwords", "passwd", "pwd"})
_SECRET_WORDS = frozenset(
    [
        "secret",
        "secrets",
        "token",
        "auth",
        "authorization",
        "apikey",
        "accesskey",
        "privatekey",
        "secretkey",
    ]
)
_KEY_QUALIFIERS = frozenset({"api", "access", "private", "secret", "signing", "encryption"})
# A last word that says the value names or describes the secret rather than holding it.
_DESCRIPTIVE = frozenset(
    [
        "env",
        "var",
        "variable",
        "ref",
        "reference",
        "name",
        "names",
        "file",
        "path",
        "url",
        "uri",
        "endpoint",
        "arn",
        "type",
        "method",
        "mode",
        "scheme",
        "provider",
        "store",
        "manager",
        "source",
        "location",
        "policy",
        "rotation",
        "ttl",
        "expiry",
        "expires",
        "length",
        "len",
        "count",
        "limit",
        "budget",
        "format",
        "field",
        "hint",
        "description",
        "required",
        "enabled",
    ]
)


def _words(name: str) -> list[str]:
    return [part.lower() for part in _NAME_PARTS.findall(name)]


@lru_cache(maxsize=4096)
def _name_kind(name: str) -> str | None:
    """`password`, `aws`, `secret` or None: whether a value under `name` is meant to be secret."""
    parts = _words(name)
    if not parts or parts[-1] in _DESCRIPTIVE:
        return None
    kind = None
    for index, part in enumerate(parts):
        if part in _PASSWORD_WORDS:
            return "password"
        if part in _SECRET_WORDS or (
            part == "key" and index and parts[index - 1] in _KEY_QUALIFIERS
        ):
            kind = "secret"
    if kind and ("aws" in parts or {"secret", "access"} <= set(parts)):
        return "aws"
    return kind


def _classes(text: str) -> int:
    return (
        any(c.islower() for c in text)
        + any(c.isupper() for c in text)
        + any(c.isdigit() for c in text)
        + any(not c.isalnum() for c in text)
    )


def _entropy(text: str) -> float:
    size = len(text)
    return -sum(n / size * math.log2(n / size) for n in Counter(text).values())


def _random_enough(value: str, kind: str, *, in_text: bool = False) -> bool:
    """Whether a value under a secret-ish name looks machine-made (or like a real password).

    `in_text`: the value follows a `name=` inside a string, where code and prose are common
    (`password = self.password`), so even a password must not be made of words."""
    value = _AUTH_SCHEME.sub("", value.strip(), count=1)
    size = len(value)
    if size < 12 or any(c.isspace() for c in value):
        return False
    if _PLACEHOLDER.search(value) or _REFERENCE.match(value) or _ENV_NAME.fullmatch(value):
        return False
    # people choose passwords from words; tokens and keys are never made of words
    if (kind != "password" or in_text) and _is_name(value):
        return False
    if _classes(value) < 2:
        return False
    # a random string of n characters has at most log2(n) bits per character
    return _entropy(value) >= min(3.5, math.log2(size) - 0.5)


def _is_name(value: str) -> bool:
    """Ids, slugs, paths and CamelCase names (`support-triage-v2`, `prod/openai`) are made of
    words; a random string falls apart into short pieces (`Zx8Lm2` -> Zx, 8, Lm, 2)."""
    if not _NAME_CHARS.fullmatch(value):
        return False
    words = [part for part in _NAME_PARTS.findall(value) if not part.isdigit()]
    return bool(words) and sum(map(len, words)) >= 3 * len(words)


def _is_jwt(token: str) -> bool:
    head = token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, binascii.Error):
        return False
    return isinstance(header, dict) and "alg" in header


def _provider_match(match: re.Match[str]) -> tuple[str, str] | None:
    """(label, the secret) for a provider-shaped match, or None when it is a placeholder."""
    kind = match.lastgroup or ""
    found = match.group()
    if kind == "url":
        password, user, host = match.group("password", "user", "host")
        if (
            password.lower() in _URL_DUMMY_PASSWORDS
            or password == user
            or _PLACEHOLDER.search(password)
            or password.startswith(("$", "%", "{", "<", "["))
            or _EXAMPLE_HOST.search(host)
        ):
            return None
        return _LABELS[kind], password
    if _PLACEHOLDER.search(found):
        return None
    if kind == "jwt":
        return (_LABELS[kind], found) if _is_jwt(found) else None
    if kind == "pem":  # the key material, not the header, is what must not be shown
        return _LABELS[kind], match.group("pem_body")
    if kind == "slack_webhook":
        return _LABELS[kind], found
    body = found[len(prefix.group()) :] if (prefix := _BODY.match(found)) else found
    # generated keys mix cases and digits; words and slugs after a prefix do not
    lower, upper = any(c.islower() for c in body), any(c.isupper() for c in body)
    digit = any(c.isdigit() for c in body)
    if kind == "huggingface":  # letters only
        ok = lower and upper
    elif kind in ("aws", "slack"):  # upper case only; digits only in places
        ok = digit
    else:
        ok = lower and upper and digit
    return (_LABELS[kind], found) if ok else None


def _aws_secrets(text: str) -> Iterator[str]:
    for match in _AWS_SECRET.finditer(text):
        found = match.group()
        if (
            any(c.islower() for c in found)
            and any(c.isupper() for c in found)
            and any(c.isdigit() for c in found)
            and _entropy(found) >= 4.0
        ):
            yield found


def _scan(value: str, kind: str | None, needles: Needles) -> list[Hit]:
    """(label, secret) for each credential in a string; `kind` is its name's `_name_kind`."""
    if not (kind or _has_needle(value, needles)):
        return []
    found: list[Hit] = []
    spans: list[tuple[int, int]] = []
    aws_id = False
    for match in _PROVIDERS.finditer(value):
        hit = _provider_match(match)
        if hit is not None:
            found.append(hit)
            spans.append(match.span())
            aws_id = aws_id or match.lastgroup == "aws"
    if aws_id:
        found.extend((_AWS_SECRET_LABEL, s) for s in _aws_secrets(value))
    if kind and not found and _random_enough(value, kind):
        candidate = _AUTH_SCHEME.sub("", value.strip(), count=1)
        found.append((_assigned_label(kind, None, candidate), candidate))
    elif "=" in value or ":" in value:
        for match in _ASSIGNMENT.finditer(value):
            name, candidate = match.group("name", "value")
            inner = _name_kind(name)
            start, end = match.span("value")
            if (
                inner
                and value[end : end + 1] not in ("(", "[")  # a call or an index: code
                and not any(s < end and start < e for s, e in spans)
                and _random_enough(candidate, inner, in_text=True)
            ):
                found.append((_assigned_label(inner, name, candidate), candidate))
    return found


def _assigned_label(kind: str, name: str | None, value: str) -> str:
    if kind == "aws" and _AWS_SECRET.fullmatch(value):
        return _AWS_SECRET_LABEL
    label = "hard-coded password" if kind == "password" else "hard-coded secret"
    return f"{label} (`{name}`)" if name else label


def _mask(secret: str) -> str:
    """Enough of a secret to find it again, never enough to use it."""
    if len(secret) < 16:
        return secret[:2] + "\u2026"
    return secret[:4] + "\u2026" + secret[-4:]


def _where(pointer: Pointer) -> str:
    """`spec.headers[0].value`, with any secret used as a key masked as well."""
    out = ""
    for part in pointer:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        for _, secret in _scan(part, None, _ALL_NEEDLES):
            part = part.replace(secret, _mask(secret))
        out += f".{part}" if out else part
    return out or "(top level)"


@dataclass
class _Memo:
    """What one run has learnt about strings: their hits, and for keys also their `_name_kind`.

    A string's hits do not depend on the file it is in (its needles, if any, are in that
    file's text too), and a backlog repeats most of its strings many times.
    """

    hits: dict[str, list[Hit]] = field(default_factory=dict)
    keys: dict[str, tuple[list[Hit], str | None]] = field(default_factory=dict)


def _found(doc: Document, memo: _Memo) -> dict[tuple[Pointer, bool, str], str]:
    """Each secret in a document: (where, whether it is the key, the secret) -> its label."""
    needles = _needles_in(doc.text)
    if not (needles[0] or needles[1]):
        return {}
    known_hits, known_keys = memo.hits, memo.keys
    found: dict[tuple[Pointer, bool, str], str] = {}
    # (where, the `_name_kind` of the key it is under, the node)
    stack: list[tuple[Pointer, str | None, Any]] = [((), None, doc.data)]
    while stack:
        pointer, kind, node = stack.pop()
        pairs: Iterable[tuple[str | int, Any]] = (
            node.items() if type(node) is dict else enumerate(node)
        )
        aws_id_here = False
        for key, value in pairs:
            if type(key) is str:  # a list's elements keep the kind of the list's key
                key_info = known_keys.get(key)
                if key_info is None:
                    key_info = known_keys[key] = (_scan(key, None, needles), _name_kind(key))
                key_hits, kind = key_info
                for label, secret in key_hits:
                    found.setdefault(((*pointer, key), True, secret), label)
            value_type = type(value)
            if value_type is str:
                hits = _scan(value, kind, needles) if kind else known_hits.get(value)
                if hits is None:
                    hits = known_hits[value] = _scan(value, None, needles)
                for label, secret in hits:
                    found.setdefault(((*pointer, key), False, secret), label)
                    aws_id_here = aws_id_here or label == _LABELS["aws"]
            elif value_type is dict or value_type is list:
                stack.append(((*pointer, key), kind, value))
        if aws_id_here:
            # the secret access key of an access key id usually sits right beside it
            siblings = node.items() if type(node) is dict else enumerate(node)
            for key, value in siblings:
                if type(value) is str:
                    for secret in _aws_secrets(value):
                        found.setdefault(((*pointer, key), False, secret), _AWS_SECRET_LABEL)
    return found


def _document(doc: Document, memo: _Memo) -> Iterator[Finding]:
    found = _found(doc, memo)
    if not found:
        return
    item = as_item(doc)
    item_key = item.key if item is not None else None
    for (pointer, at_key, secret), label in found.items():
        line, column = doc.locate(pointer, at_key=at_key)
        yield Finding(
            path=doc.rel,
            line=line,
            column=column,
            item=item_key,
            message=f"possible {label} in `{_where(pointer)}`: `{_mask(secret)}`",
            hint=HINT,
        )


def check(context: Context) -> Iterator[Finding]:
    memo = _Memo()
    for doc in context.documents():
        yield from sorted(_document(doc, memo))


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with `secrets`, and anything shaped like a provider credential, masked.

    Other rules quote values in their messages (`version` is `...`, unknown key `...`); a
    credential there would reach the terminal, CI logs and uploaded reports in full."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, _mask(secret))
    needles = _needles_in(text)
    if needles[0] or needles[1]:
        for _, secret in _scan(text, None, needles):
            text = text.replace(secret, _mask(secret))
    return text


def secrets_in(doc: Document) -> set[str]:
    """Every secret the rule would report in `doc`, whether or not the rule runs."""
    return {secret for _, _, secret in _found(doc, _Memo())}
