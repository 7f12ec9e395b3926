"""secret: credentials anywhere in an item file, never echoed in full.

Every key-shaped value here is assembled at run time from harmless pieces, so that this
repository itself never holds a string that a secret scanner would flag.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.conftest import check, item, run_cli, write_backlog

MIXED = "Zx8Lm2Pq9Rt4Vw7Yk3Hn6Bc5Jd1Gf0"  # letters of both cases and digits, no repeats


def fake(prefix: str, length: int, alphabet: str = MIXED) -> str:
    """`prefix` and `length` characters that look random enough to be a key."""
    return prefix + (alphabet * (length // len(alphabet) + 1))[:length]


def b64url(data: dict[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


JWT = ".".join([b64url({"alg": "HS256", "typ": "JWT"}), b64url({"sub": "42"}), fake("", 43)])
PRIVATE_KEY = (
    "-----BEGIN " + "RSA PRIVATE" + " KEY-----\n" + fake("MIIE", 60) + "\n" + fake("", 64) + "\n"
    "-----END " + "RSA PRIVATE" + " KEY-----\n"
)
AWS_KEY_ID = "AKIA" + "Q7RZ4MNP" * 2
AWS_SECRET = fake("", 20) + "/" + fake("", 19, "aB3dE5fG7hJ9kL1mN3pQ")


def secrets(tmp_path: Path, files: dict[str, str]) -> list[tuple[int, int, str | None, str]]:
    root = write_backlog(tmp_path / "repo", files)
    return [
        (d.line, d.column, d.item, d.message)
        for d in check(root, rules=("secret",)).diagnostics
        if d.rule == "secret"
    ]


def shown(secret: str) -> str:
    return f"{secret[:4]}\u2026{secret[-4:]}" if len(secret) >= 16 else f"{secret[:2]}\u2026"


PROVIDER_KEYS = [
    ("OpenAI API key", "sk-" + "A1b2" * 6),
    ("OpenAI API key", fake("sk-" + "proj-", 64, MIXED + "-_")),
    ("OpenAI API key", fake("sk-" + "svcacct-", 48)),
    ("Anthropic API key", fake("sk-" + "ant-" + "api03-", 80, MIXED + "-_")),
    ("AWS access key id", AWS_KEY_ID),
    ("AWS access key id", "ASIA" + "J5T7Y2RQ" * 2),
    ("GitHub token", fake("ghp" + "_", 36)),
    ("GitHub token", fake("gho" + "_", 36)),
    ("GitHub token", fake("ghs" + "_", 36)),
    ("GitHub token", fake("github_" + "pat_", 82, MIXED + "_")),
    ("Slack token", "xoxb" + "-123456789012-1234567890123-" + fake("", 24)),
    ("Slack token", "xoxp" + "-123456789012-1234567890123-" + fake("", 32)),
    ("Slack webhook URL", "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/" + fake("", 24)),
    ("Google API key", fake("AI" + "za", 35, MIXED + "-_")),
    ("Stripe live key", fake("sk_" + "live_", 24)),
    ("Stripe live key", fake("rk_" + "live_", 24)),
    ("Hugging Face token", fake("hf" + "_", 34, "AbCdEfGhJkLmNpQrStUvWxYz")),
    ("JSON Web Token", JWT),
]


@pytest.mark.parametrize(("label", "secret"), PROVIDER_KEYS, ids=lambda v: v.split()[0][:12])
def test_provider_credentials_are_found(tmp_path: Path, label: str, secret: str) -> None:
    files = {"backlog/p.yaml": item("prompt", "p", extra=f"x-notes: {json.dumps(secret)}")}
    assert secrets(tmp_path, files) == [
        (8, 10, "prompt/p", f"possible {label} in `x-notes`: `{shown(secret)}`")
    ]


def test_found_at_any_depth_in_lists_and_keys(tmp_path: Path) -> None:
    key = "sk-" + "A1b2" * 6
    text = item(
        "tool",
        "t",
        spec=f"""
        headers:
          - name: X-Trace
            values: [plain, "{key}"]
        x-legacy:
          "{key}": {{note: revoked}}
        """,
    )
    found = secrets(tmp_path, {"backlog/t.yaml": text})
    message = "possible OpenAI API key in `{}`: `sk-A\u2026A1b2`"
    # a key that is a secret is masked in the place of the finding too
    assert found == [
        (11, 23, "tool/t", message.format("spec.headers[0].values[1]")),
        (13, 5, "tool/t", message.format("spec.x-legacy.sk-A\u2026A1b2")),
    ]


def test_aws_secret_key_beside_its_key_id(tmp_path: Path) -> None:
    text = item("tool", "t", extra=f"x-aws:\n  id: {AWS_KEY_ID}\n  key: {AWS_SECRET}\n")
    assert secrets(tmp_path, {"backlog/t.yaml": text}) == [
        (9, 7, "tool/t", f"possible AWS access key id in `x-aws.id`: `{shown(AWS_KEY_ID)}`"),
        (10, 8, "tool/t", f"possible AWS secret access key in `x-aws.key`: `{shown(AWS_SECRET)}`"),
    ]


def test_aws_secret_key_by_its_name(tmp_path: Path) -> None:
    text = item("tool", "t", extra=f"x-deploy:\n  aws_secret_access_key: {AWS_SECRET}\n")
    assert secrets(tmp_path, {"backlog/t.yaml": text}) == [
        (
            9,
            26,
            "tool/t",
            "possible AWS secret access key in `x-deploy.aws_secret_access_key`: "
            f"`{shown(AWS_SECRET)}`",
        )
    ]


def test_high_entropy_values_under_secret_names(tmp_path: Path) -> None:
    password = "h7#Qz!pL2@vN9$"
    client_secret = fake("", 32)
    token = fake("", 20)
    text = item(
        "prompt",
        "p",
        extra=f"""
        x-db:
          host: db.internal
          password: "{password}"
        x-oauth: {{client_id: support-copilot, client_secret: {client_secret}}}
        """,
        spec=f"""
        template: |
          Fetch the ticket, then call the API
          with token={token} and summarise.
        """,
    )
    assert secrets(tmp_path, {"backlog/p.yaml": text}) == [
        (10, 13, "prompt/p", "possible hard-coded password in `x-db.password`: `h7\u2026`"),
        (
            11,
            54,
            "prompt/p",
            f"possible hard-coded secret in `x-oauth.client_secret`: `{shown(client_secret)}`",
        ),
        (
            13,
            13,
            "prompt/p",
            f"possible hard-coded secret (`token`) in `spec.template`: `{shown(token)}`",
        ),
    ]


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "passwd",
        "pwd",
        "db_password",
        "secret",
        "client_secret",
        "token",
        "authToken",
        "auth",
        "Authorization",
        "api_key",
        "apiKey",
        "x-api-key",
        "access_key",
        "private_key",
        "signing_key",
        "AWS_SECRET_ACCESS_KEY",
    ],
)
def test_every_secret_ish_name(tmp_path: Path, name: str) -> None:
    text = item("tool", "t", extra=f"x-config:\n  {name}: {fake('', 24)}\n")
    found = secrets(tmp_path, {"backlog/t.yaml": text})
    assert [(line, column) for line, column, _, _ in found] == [(9, len(name) + 5)]
    assert f"in `x-config.{name}`" in found[0][3]


def test_private_key_in_a_block_scalar(tmp_path: Path) -> None:
    block = "\n".join("  " + line for line in PRIVATE_KEY.splitlines())
    text = item("dataset", "d", extra=f"description: |\n  Service account for the export:\n{block}")
    material = PRIVATE_KEY.splitlines()[1]
    assert secrets(tmp_path, {"backlog/d.yaml": text}) == [
        (8, 14, "dataset/d", f"possible private key in `description`: `{shown(material)}`")
    ]


def test_a_jwt_needs_a_json_header_with_alg(tmp_path: Path) -> None:
    not_jwt = ".".join([b64url({"typ": "JWT"}), b64url({"sub": "42"}), fake("", 43)])
    files = {
        "backlog/a.yaml": item("tool", "a", extra=f"x-sample: {not_jwt}"),
        "backlog/b.yaml": item("tool", "b", extra=f"x-sample: Bearer {JWT}"),
    }
    assert secrets(tmp_path, files) == [
        (8, 11, "tool/b", f"possible JSON Web Token in `x-sample`: `{shown(JWT)}`")
    ]


def test_passwords_in_urls(tmp_path: Path) -> None:
    password = "Tr0ub4dor3x"  # shorter than 16: only its first two characters are shown
    long_password = fake("", 20)
    text = item(
        "dataset",
        "d",
        spec=f"""
        source: postgres://app:{password}@db.internal:5432/tickets
        mirror: redis://:{long_password}@cache.internal:6379
        docs: https://user:password@example.com/guide
        replica: postgres://app:${{DB_PASSWORD}}@replica:5432/tickets
        """,
    )
    assert secrets(tmp_path, {"backlog/d.yaml": text}) == [
        (9, 11, "dataset/d", "possible password in a URL in `spec.source`: `Tr\u2026`"),
        (
            10,
            11,
            "dataset/d",
            f"possible password in a URL in `spec.mirror`: `{shown(long_password)}`",
        ),
    ]


def test_one_finding_per_secret(tmp_path: Path) -> None:
    openai, github = "sk-" + "A1b2" * 6, fake("ghp" + "_", 36)
    template = f"Use {openai} or {github}; again: {openai}"
    text = item("prompt", "p", spec=f"template: {json.dumps(template)}")
    found = secrets(tmp_path, {"backlog/p.yaml": text})
    assert [(line, column) for line, column, _, _ in found] == [(9, 13), (9, 13)]
    assert sorted(message.split(":")[0] for *_, message in found) == [
        "possible GitHub token in `spec.template`",
        "possible OpenAI API key in `spec.template`",
    ]


def test_a_file_with_a_bad_kind_is_still_scanned(tmp_path: Path) -> None:
    key = "sk-" + "A1b2" * 6
    text = f"apiVersion: backlog/v1\nkind: promt\nid: p\nx-key: {key}\n"
    assert secrets(tmp_path, {"backlog/p.yaml": text}) == [
        (4, 8, None, "possible OpenAI API key in `x-key`: `sk-A\u2026A1b2`")
    ]


NOT_SECRETS: list[tuple[str, object]] = [
    # prose, ids, references, dates, versions
    ("note", "Classify the ticket and return the routing queue."),
    ("note", "Keep auth tokens out of the summary; never print the password."),
    ("note", "The tool authenticates with OAuth2 client credentials."),
    ("note", "Use at most 800 tokens per chunk."),
    ("note", "Reset your password: open Settings, then Security."),
    ("note", "the sk-learn pipeline and the risk-task-desk checks"),
    ("note", "base64 payloads such as SGVsbG8gV29ybGQ= are decoded first"),
    ("note", "-----BEGIN PRIVATE KEY----- blocks must never be pasted here"),
    ("id", "support-triage-v2"),
    ("flag", "sales-fetch-doc-7881-v2"),
    ("flag", "enable-auth-token-refresh"),
    ("ref", "prompt/support-triage@^1.2"),
    ("ref", "model/support-chat-3@>=1.0.0 <2.0.0"),
    ("date", "2024-08-06"),
    ("version", "1.4.0"),
    ("owner", "@maria"),
    ("pattern", "^ACC-[0-9]{8}$"),
    # URLs, identifiers, digests not under a secret-ish name
    ("endpoint", "https://api.openai.com/v1/chat/completions"),
    ("docs", "https://docs.example.com/guide#auth"),
    ("repo", "git@github.com:acme/backlog.git"),
    ("contact", "mailto:security@acme.com"),
    ("trace_id", "123e4567-e89b-12d3-a456-426614174000"),
    ("commit", "c1f9a8b7e6d5c4b3a2918f7e6d5c4b3a2918f7e6"),
    ("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("control", "nist-ai-rmf:MEASURE-2.7"),
    ("control", "iso-42001:A.7.4"),
    ("snapshot", "gpt-4o-2024-08-06"),
    ("snapshot", "claude-3-5-sonnet-20240620"),
    ("snapshot", "gemini-1.5-pro-002"),
    ("tokenizer", "cl100k_base"),
    # numbers are not secrets
    ("max_tokens", 4096),
    ("tokens_per_minute", 90000),
    ("token_budget", 120000),
    ("password_min_length", 12),
    # placeholders and references under secret-ish names
    ("api_key", "${OPENAI_API_KEY}"),
    ("api_key", "$OPENAI_API_KEY"),
    ("api_key", "{{ api_key }}"),
    ("api_key", "<your-key>"),
    ("api_key", "your-api-key-here"),
    ("api_key", "sk-" + "x" * 24),
    ("api_key", "sk-..."),
    ("api_key", "env:OPENAI_API_KEY"),
    ("api_key", "vault:secret/data/openai#key"),
    ("api_key", "secret://prod/openai/api-key"),
    ("api_key", "OPENAI_API_KEY"),
    ("api_key_env", "OPENAI_API_KEY"),
    ("password", "changeme"),
    ("password", "************"),
    ("password", "[REDACTED]"),
    ("password", "correct horse battery staple"),
    ("token", "x" * 20),
    ("token", "dummy-token-value-123"),
    ("secret", "example-secret-value-123"),
    ("secret", "projects/acme-prod/secrets/openai-key/versions/3"),
    ("secret_name", "prod/openai/api-key"),
    ("secret_arn", "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/openai-AbCdEf"),
    ("token_url", "https://auth.example.com/oauth/token"),
    ("auth", "bearer"),
    ("auth_method", "oauth2-client-credentials"),
    ("auth_user", "SupportCopilotService"),
    ("auth_scopes", "read:tickets write:tickets"),
    ("aws_secret_access_key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY"),
    # templates and strings with assignments
    ("template", "max_tokens: 512, temperature: 0.2"),
    ("template", "Authorization: Bearer {{ token }}"),
    ("template", "Authorization: Bearer ${API_TOKEN}"),
    ("template", "{% if api_key %}use the key{% endif %}"),
    ("template", "{{#token}}{{token}}{{/token}}"),
    ("template", "password: <set in vault>"),
    ("template", "api_key_env: OPENAI_API_KEY"),
    # credentials in URLs that are documentation or references
    ("dsn", "postgres://user:password@localhost:5432/db"),
    ("dsn", "postgres://app:${DB_PASSWORD}@db:5432/app"),
    ("dsn", "https://user:pass@example.com/"),
    ("dsn", "postgres://postgres:postgres@localhost/db"),
    # provider prefixes before words, and provider-shaped placeholders
    ("note", "sk-" + "proj-support-triage-classifier-v2"),
    ("note", "xoxb" + "-2024-plan-review"),
    ("note", "hf" + "_datasets_loader_config"),
    ("aws", "AKIAIOSFODNN7" + "EXAMPLE"),
    ("github", "ghp" + "_" + "x" * 36),
    ("slack", "xoxb" + "-your-token-here"),
    ("slack", "https://hooks.slack.com/services/T00000000/B00000000/" + "X" * 24),
]


@pytest.mark.parametrize(("name", "value"), NOT_SECRETS, ids=[f"{n}={v}" for n, v in NOT_SECRETS])
def test_ordinary_values_do_not_fire(tmp_path: Path, name: str, value: object) -> None:
    text = item("tool", "t", extra=f"x-values:\n  {json.dumps(name)}: {json.dumps(value)}\n")
    assert secrets(tmp_path, {"backlog/t.yaml": text}) == []


def test_never_echoes_a_secret(tmp_path: Path) -> None:
    planted = [value for _, value in PROVIDER_KEYS] + [AWS_SECRET, fake("", 24)]
    files = {
        f"backlog/t{index}.yaml": item(
            "tool", f"t{index}", extra=f"x-config:\n  client_secret: {json.dumps(value)}\n"
        )
        for index, value in enumerate(planted)
    }
    root = write_backlog(tmp_path / "repo", files)
    diagnostics = [d for d in check(root).diagnostics if d.rule == "secret"]
    assert len(diagnostics) == len(planted)
    for diagnostic in diagnostics:
        for value in planted:
            assert value not in diagnostic.message
            assert value not in (diagnostic.hint or "")
    assert "rotate" in (diagnostics[0].hint or "")
    result = run_cli("check", "--format", "json", cwd=root)
    assert result.returncode == 1
    reported = json.loads(result.stdout)["diagnostics"]
    assert [d["rule"] for d in reported].count("secret") == len(planted)
    for value in planted:
        assert value not in result.stdout
        assert value not in result.stderr
