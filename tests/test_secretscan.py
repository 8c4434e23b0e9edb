"""secretscan: credentials in commands, links, metrics and bodies, found, placed and redacted."""

from __future__ import annotations

import json
import random
import socket
import string
from typing import TYPE_CHECKING, Any

import pytest

from changetrail import secretscan
from changetrail.errors import RecordError, format_errors
from changetrail.loader import ArticlePage, Record, load_article_text, load_text
from changetrail.secretscan import file_reader, gates, scan_secrets

if TYPE_CHECKING:
    from pathlib import Path

# Generated, not detect-secrets' documented examples: those could be allowlisted some day.
_rng = random.Random(20240304)
AWS_KEY = "AKIA" + "".join(_rng.choices(string.ascii_uppercase + "234567", k=16))
URL_PASSWORD = "".join(_rng.choices(string.ascii_letters + string.digits, k=14))
# Twenty different characters: entropy log2(20) = 4.3 in detect-secrets' base64 measure.
CLI_PASSWORD = "".join(_rng.sample(string.ascii_letters + string.digits, 20))
SHA = "3f2a9c1e5b7d9f0a1c3e5b7d9f0a1c3e5b7d9f0a"

RECORD = f"""\
---
title: Rotate the deploy credentials
date: 2024-03-04
owner: alice
status: shipped
reason: The deploy key was pasted in a chat.
expected_result: Only the new key works.
files_touched: [deploy/keys.tf]
commit: {SHA}
commands:
  - make migrate
  - psql -f x.sql
  - git revert {SHA}
  - aws configure set aws_access_key_id {AWS_KEY}
metrics:
  - {{name: p95 latency, before: 820, after: 95, unit: ms, better: lower}}
links:
  - title: Grafana
    url: https://admin:{URL_PASSWORD}@grafana.example.com/d/orders
rollback:
  note: Restore the old key from the vault.
  command: mysql --password={CLI_PASSWORD} -e "select 1"
  tested: true
---

The old key, for the record (commit {SHA}):

-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEA7bq
-----END RSA PRIVATE KEY-----
"""
PATH = "changes/2024-03-04-rotate.md"


def load(text: str = RECORD, path: str = PATH) -> Record:
    result = load_text(text, path, path.rsplit("/", 1)[-1][:-3])
    assert isinstance(result, Record), result
    return result


def scan(text: str = RECORD, *, source: bool = True) -> list[RecordError]:
    sources = {PATH: text}
    errors = scan_secrets([load(text)], read_source=sources.get if source else None)
    return sorted(errors, key=RecordError.sort_key)


def where(text: str, needle: str) -> tuple[int, int]:
    """The 1-based line and column of the first ``needle`` in ``text``."""
    for number, line in enumerate(text.split("\n"), start=1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(needle)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the secrets scan must not use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_each_secret_is_reported_once_at_its_value() -> None:
    errors = scan()
    got = [(e.code, e.field, e.line, e.column) for e in errors]
    assert got == [
        ("secret.aws_access_key", "commands[3]", *where(RECORD, AWS_KEY)),
        ("secret.url_password", "links[0].url", *where(RECORD, URL_PASSWORD)),
        ("secret.assignment", "rollback.command", *where(RECORD, CLI_PASSWORD)),
        ("secret.private_key", None, *where(RECORD, "BEGIN RSA PRIVATE KEY")),
    ]
    assert [e.line for e in errors] == [14, 19, 22, 28]
    assert all(e.severity == "error" and e.file == PATH for e in errors)


def test_messages_name_the_detector_and_say_how_to_fix() -> None:
    aws = scan()[0]
    assert aws.message == (
        "looks like an AWS access key (detect-secrets AWSKeyDetector); "
        "credentials must not be published"
    )
    assert aws.got == "'AKIA…' (20 characters)"
    assert aws.hint == (
        "if it is real, rotate it now (it may already be in git history), then remove it and "
        "write a placeholder such as $AWS_ACCESS_KEY_ID; if it is not a secret, end line 14 "
        "with '  # changetrail: allow-secret'"
    )
    body = scan()[-1]
    assert body.hint is not None
    assert body.hint.endswith("add '<!-- changetrail: allow-secret -->' to line 28")
    assignment = scan()[2]
    assert assignment.message.startswith("looks like a secret assigned to '--password'")
    assert "$PASSWORD" in (assignment.hint or "")


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_no_output_format_shows_a_whole_secret(fmt: str) -> None:
    report = format_errors(scan(), fmt)
    for secret in (AWS_KEY, URL_PASSWORD, CLI_PASSWORD):
        assert secret not in report
        assert secret[:5] not in report
    assert report.count("secret.") == 4 or fmt == "text"
    if fmt == "json":
        assert json.loads(report)[0]["got"] == "'AKIA…' (20 characters)"
    if fmt == "github":
        assert report.splitlines()[0].startswith(
            f"::error file={PATH},line=14,col={where(RECORD, AWS_KEY)[1]},"
            "title=changetrail secret.aws_access_key (commands[3])::"
        )


def test_ordinary_commands_hashes_and_the_commit_field_pass() -> None:
    clean = RECORD.split("  - aws configure")[0] + RECORD.split(AWS_KEY)[1]
    clean = clean.replace(f"admin:{URL_PASSWORD}@", "").replace(CLI_PASSWORD, "$DB_PASSWORD")
    clean = clean.split("-----BEGIN")[0]
    assert scan(clean) == []


@pytest.mark.parametrize(
    ("line", "marked"),
    [
        (f"  - aws configure set aws_access_key_id {AWS_KEY}", "  # changetrail: allow-secret"),
        (f"  - aws configure set aws_access_key_id {AWS_KEY}", "  # pragma: allowlist secret"),
        (
            f"    url: https://admin:{URL_PASSWORD}@grafana.example.com/d/orders",
            "  # changetrail: allow-secret",
        ),
        (
            f'  command: mysql --password={CLI_PASSWORD} -e "select 1"',
            "  # CHANGETRAIL: allow-secret (a test database)",
        ),
        ("-----BEGIN RSA PRIVATE KEY-----", " <!-- changetrail: allow-secret -->"),
        ("-----BEGIN RSA PRIVATE KEY-----", " <!-- pragma: allowlist secret -->"),
    ],
)
def test_an_allow_marker_silences_its_line_only(line: str, marked: str) -> None:
    text = RECORD.replace(line + "\n", line + marked + "\n")
    assert text != RECORD
    errors = scan(text)
    assert len(errors) == 3
    assert where(text, line.strip())[0] not in {e.line for e in errors}


def test_a_yaml_comment_marker_needs_the_file_but_a_body_marker_does_not() -> None:
    text = RECORD.replace(AWS_KEY + "\n", AWS_KEY + "  # changetrail: allow-secret\n").replace(
        "KEY-----\nMIIE", "KEY----- <!-- changetrail: allow-secret -->\nMIIE"
    )
    assert len(scan(text)) == 2
    # Without the file, the YAML comment is invisible (YAML drops it); the body is the file.
    assert [e.code for e in scan(text, source=False)] == [
        "secret.aws_access_key",
        "secret.url_password",
        "secret.assignment",
    ]


def test_without_the_file_one_line_values_are_placed_exactly() -> None:
    with_file = [(e.line, e.column) for e in scan()]
    assert [(e.line, e.column) for e in scan(source=False)] == with_file


def test_secrets_inside_multi_line_values_are_placed_on_their_line() -> None:
    text = RECORD.replace(
        "reason: The deploy key was pasted in a chat.\n",
        f'reason: |\n  The deploy key was pasted in a chat:\n  "{AWS_KEY}" and more.\n',
    )
    errors = [e for e in scan(text) if e.field == "reason"]
    assert [(e.code, e.line, e.column) for e in errors] == [
        ("secret.aws_access_key", *where(text, AWS_KEY))
    ]
    assert errors[0].line == 8


@pytest.mark.parametrize(
    "command",
    [
        "export DB_PASSWORD=Tr0ub4dor3xK9mQ",
        "curl -H 'Authorization: Bearer a8F3kQ9zLm2xP7vR4tYw' https://api.example.com",
        "curl -u deploy:Tr0ub4dor3xK9mQ https://example.com/hook",
        "gh auth login --with-token <<< ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
        "stripe login --api-key sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
        "curl -X POST -d token=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "vault login -method=userpass username=ops password=Tr0ub4dor3xK9mQ",
    ],
)
def test_tokens_and_assigned_secrets_in_commands(command: str) -> None:
    text = RECORD.replace("  - make migrate\n", f"  - {json.dumps(command)}\n")
    errors = [e for e in scan(text) if e.field == "commands[0]"]
    assert len(errors) == 1, errors
    assert errors[0].line == 11


@pytest.mark.parametrize(
    "command",
    [
        "docker run -e POSTGRES_PASSWORD=$POSTGRES_PASSWORD postgres:16",
        "kubectl create secret generic db --from-literal=password=${DB_PASSWORD}",
        "vault kv get -field=password secret/db",
        "ansible-playbook site.yml --vault-password-file ~/.vault_pass",
        "aws ssm get-parameter --name /prod/db/password --with-decryption",
        "helm upgrade api ./chart --set image.tag=3f2a9c1e --set auth.existingSecret=db-creds",
        "docker pull nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
        'sha256sum -c <<< "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  x"',
        "psql postgresql://app:${DB_PASSWORD}@db:5432/orders -c 'select 1'",
        "curl -fsS https://grafana.example.com/d/abc123XYZ/orders?orgId=1&from=now-6h",
        "ssh -p 2222 deploy@203.0.113.7 'sudo systemctl restart api'",
        "mysql -u root -p orders < dump.sql",
        "The password policy: rotate every 90 days.",
    ],
)
def test_ordinary_operations_are_not_flagged(command: str) -> None:
    text = RECORD.replace("  - make migrate\n", f"  - {json.dumps(command)}\n")
    assert [e for e in scan(text) if e.field == "commands[0]"] == []


def test_metric_names_and_link_titles_are_scanned() -> None:
    text = RECORD.replace("{name: p95 latency,", f"{{name: 'key {AWS_KEY}',").replace(
        "title: Grafana", f"title: Grafana {AWS_KEY}"
    )
    fields = [e.field for e in scan(text) if e.code == "secret.aws_access_key"]
    assert fields == ["commands[3]", "metrics[0].name", "links[0].title"]


def test_articles_are_scanned_too_including_free_form_fields() -> None:
    text = (
        "---\nkind: article\ntitle: Deploying\n"
        f"notes:\n  - 'old key {AWS_KEY}'\nextra:\n  api_token: {CLI_PASSWORD}\n"
        "---\n\n# Deploying\n\nexport GITHUB_TOKEN=ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8\n"
    )
    page = load_article_text(text, "docs/deploying.md", "deploying.md")
    assert isinstance(page, ArticlePage), page
    errors = scan_secrets([page], read_source={"docs/deploying.md": text}.get)
    got = sorted((e.line, e.code, e.field) for e in errors)
    assert got == [
        (5, "secret.aws_access_key", "notes[0]"),
        (7, "secret.assignment", "extra.api_token"),
        (12, "secret.github_token", None),
    ]


def test_the_whole_text_gate_finds_what_a_line_by_line_scan_finds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The speed-up (search the whole text, then scan the lines it matched) loses nothing."""
    text = RECORD.replace(
        "The old key,",
        "token: xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx\n"
        'api_key = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg"\n'
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
        "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U\nThe old key,",
    )
    gated = scan(text)
    _every_line(monkeypatch)
    assert scan(text) == gated
    assert len(gated) == 7


def _every_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the scanner run every detector and the assignment rule on every line."""
    load_detectors = secretscan._load_detectors

    def every_line() -> Any:
        found = load_detectors()
        found.gates[:] = [(plugin, None) for plugin, _ in found.gates]
        return found

    monkeypatch.setattr(secretscan, "_load_detectors", every_line)
    monkeypatch.setattr(secretscan, "ASSIGNMENT_GATES", (gates.Gate.of("^"),))


def test_every_gate_stands_for_a_pattern_of_the_installed_detect_secrets() -> None:
    """A gate whose pattern changed in a new release is silently unused: say so here."""
    from detect_secrets.plugins.base import RegexBasedDetector
    from detect_secrets.settings import default_settings, get_plugins

    with default_settings():
        patterns = {
            p.pattern
            for plugin in get_plugins()
            if isinstance(plugin, RegexBasedDetector)
            for p in plugin.denylist
        }
    assert set(gates._TABLE) <= patterns


# Values that each detector reports, in the line shapes the gates must let through.
_SAMPLES = [
    "export IBM_CLOUD_API_KEY='" + "aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5zA7bC9dE'",
    "cloudant_password: " + "qwertzuiopasdfghjklyxcvb",
    "clou-apikey=" + "0123456789abcdef" * 4,
    "see https://u:" + "0123456789abcdef" * 4 + "@acct.cloudant.com",
    "IBM_COS_HMAC_SECRET_ACCESS_KEY = " + "0123456789abcdef" * 3,
    "SOFTLAYER_API_KEY: " + "a1b2c3d4" * 8,
    "https://api.softlayer.com/soap/v3.1/" + "a1b2c3d4" * 8,
    "token AKCp8" + "kq3rT5vW7yZ9bD1" + " more",
    "key: AP6" + "xY7zQ2wE4rT" + " end",
    'aws_secret = "' + "aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5zA7b" + '"',
    "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gh1jKl.abcdefghijklmnopqrstuvwxyzA",
    "mc " + "0123456789abcdef" * 2 + "-us12",
    "//registry.npmjs.org/:_authToken=npm_" + "a" * 36,
    "sk-" + "a" * 20 + "T3BlbkFJ" + "b" * 20,
    "xoxp-1234-5678-abcdef",
    "https://hooks.slack.com/services/T0000/B0000/XXXXabcd",
    "sk_live_" + "a1B2c3D4e5F6g7H8i9J0k1L2",
    "bot 123456789:" + "AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQr",
    "--db-password Zx9Qw8Er7Ty6",
    "-u admin:Zx9Qw8Er7Ty6Ui5",
    "curl --user admin:Zx9Qw8Er7Ty6Ui5 https://x",
    'MY_SECRET="Zx9Qw8Er7Ty6Ui5Op4"',
]


@pytest.mark.parametrize("line", _SAMPLES)
def test_the_gates_pass_every_line_a_detector_reports(
    line: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = RECORD.replace("The old key,", f"{line}\n\n{line.upper()}\n\nThe old key,")
    gated = scan(text)
    _every_line(monkeypatch)
    assert scan(text) == gated


def test_file_reader_reads_from_the_project_root(tmp_path: Path) -> None:
    (tmp_path / "changes").mkdir()
    (tmp_path / PATH).write_text(RECORD, encoding="utf-8")
    read = file_reader(tmp_path)
    assert read(PATH) == RECORD
    assert read("changes/missing.md") is None
