"""Word pools and sentence templates for synthetic pages. Fixed lists: order matters for seeds."""

from __future__ import annotations

__all__ = [
    "AREAS",
    "ARTICLE_TITLES",
    "CHECKLIST",
    "COMMANDS",
    "HEADINGS",
    "LANGUAGES",
    "METRICS",
    "NOTES",
    "OWNERS",
    "PROBLEMS",
    "RECORD_TITLES",
    "SENTENCES",
    "STACKS",
    "TAGS",
    "TOOLS",
]

#: (name, language of its code samples, kind of stack)
STACKS: tuple[tuple[str, str, str], ...] = (
    ("postgres", "sql", "database"),
    ("redis", "bash", "cache"),
    ("next.js", "typescript", "frontend"),
    ("django", "python", "backend"),
    ("kafka", "java", "streaming"),
    ("kubernetes", "yaml", "platform"),
    ("nginx", "nginx", "edge"),
    ("rails", "ruby", "backend"),
    ("react", "typescript", "frontend"),
    ("elasticsearch", "json", "search"),
    ("rabbitmq", "python", "queue"),
    ("terraform", "hcl", "platform"),
    ("graphql", "graphql", "api"),
    ("node.js", "javascript", "backend"),
    ("mysql", "sql", "database"),
    ("celery", "python", "queue"),
    ("fastapi", "python", "api"),
    ("varnish", "vcl", "edge"),
    ("clickhouse", "sql", "analytics"),
    ("spring boot", "java", "backend"),
)
LANGUAGES = tuple(sorted({lang for _, lang, _ in STACKS}))

TOOLS = (
    "grafana",
    "prometheus",
    "pg_stat_statements",
    "k6",
    "sentry",
    "git",
    "datadog",
    "pgbouncer",
    "helm",
    "argo cd",
    "jaeger",
    "opentelemetry",
    "locust",
    "flamegraphs",
    "explain analyze",
    "redis-cli",
    "kubectl",
    "terraform plan",
    "github actions",
    "pagerduty",
)

AREAS = (
    "checkout",
    "search",
    "payments",
    "authentication",
    "admin area",
    "media uploads",
    "notifications",
    "reporting",
    "catalog",
    "onboarding",
    "billing",
    "public api",
)

PROBLEMS = (
    "slow list queries",
    "cache stampedes",
    "background job retries",
    "connection pool exhaustion",
    "memory growth in workers",
    "lock contention during migrations",
    "noisy alerts",
    "cold starts",
    "unbounded queue growth",
    "stale cache entries",
    "timeouts under load",
    "large payloads",
)

TAGS = (
    "performance",
    "reliability",
    "security",
    "database",
    "caching",
    "observability",
    "cost",
    "migration",
    "incident",
    "frontend",
    "infrastructure",
    "developer-experience",
)

OWNERS = ("alice", "bob", "carol", "dmitri", "erin", "farah", "team-platform", "team-data")

#: (name, unit, which way is better, typical "before" value)
METRICS: tuple[tuple[str, str, str, float], ...] = (
    ("p95 latency", "ms", "lower", 850.0),
    ("p99 latency", "ms", "lower", 2400.0),
    ("error rate", "%", "lower", 2.5),
    ("throughput", "req/s", "higher", 420.0),
    ("cache hit ratio", "%", "higher", 61.0),
    ("queue depth", "jobs", "lower", 12000.0),
    ("memory per worker", "MiB", "lower", 910.0),
    ("build time", "s", "lower", 640.0),
    ("monthly cost", "USD", "lower", 5200.0),
    ("time to first byte", "ms", "lower", 380.0),
)

RECORD_TITLES = (
    "Add an index for {problem} in {area}",
    "Move {area} sessions to {stack}",
    "Tune {stack} connection pooling for {area}",
    "Cache {area} responses in {stack}",
    "Split the {area} worker queue",
    "Upgrade {stack} for {area}",
    "Throttle {area} imports to stop {problem}",
    "Replace polling with {stack} events in {area}",
    "Add {tool} dashboards for {area}",
    "Retire the legacy {area} endpoint",
    "Shard {area} data in {stack}",
    "Fix {problem} in {area} with {tool}",
)

ARTICLE_TITLES = (
    "Handling {problem} with {stack}",
    "A field guide to {problem} in {stack}",
    "Measuring {area} performance with {tool}",
    "Running {stack} safely in production",
    "How we debug {problem} in {area}",
    "Rolling back {stack} changes without downtime",
    "Reading {tool} output for {stack}",
    "Designing {area} for {stack}: step by step",
    "Checklists for {stack} migrations",
    "What {problem} taught us about {area}",
)

HEADINGS = (
    "Where we started",
    "Measuring first",
    "Production checks",
    "Why this matters",
    "The practical approach",
    "Rolling out",
    "Security and maintenance notes",
    "What we watch afterwards",
    "Trade-offs",
    "Common mistakes",
    "Final notes",
)

CHECKLIST = (
    "capture the current behavior",
    "create a safe backup",
    "test the smallest change",
    "watch logs after release",
    "write the final note",
    "confirm the rollback command",
    "tell the on-call engineer",
)

NOTES = (
    "Synthetic content for load tests; not reviewed by a person.",
    "Numbers are illustrative and come from a seeded generator.",
    "Links point at other generated pages of the same corpus.",
)

COMMANDS = (
    "make migrate",
    "kubectl rollout restart deploy/{slug}",
    "helm upgrade {slug} ./charts/{slug}",
    "terraform apply -target=module.{slug}",
    "python manage.py migrate {slug}",
    "redis-cli --scan --pattern '{slug}:*'",
    "k6 run load/{slug}.js",
    "git revert --no-edit HEAD",
)

SENTENCES = (
    "The {area} service on {stack} was the first place where {problem} showed up.",
    "We measured {metric} for a full week before touching any code.",
    "Most of the time went into reading {tool} output rather than writing changes.",
    "A small change to {stack} configuration removed about {pct} percent of the slow requests.",
    "{problem_cap} tend to appear when traffic to {area} doubles within an hour.",
    "The rollback plan was written before the first deployment, not after.",
    "Every step was tried on staging with a copy of production data first.",
    "We kept the old code path behind a flag for {days} days.",
    "Alerts from {tool} now page the owner of {area} instead of the whole team.",
    "The query plan showed a sequential scan over {rows} rows.",
    "Adding {stack2} in front of {stack} was tempting but added a second cache to debug.",
    "The fix itself was {lines} lines; the tests and notes were longer.",
    "Nobody noticed the change in {area}, which is exactly what we wanted.",
    "We wrote down the baseline: route, input, slow query and where users noticed.",
    "After the release, {metric} went from {before} to {after}.",
    "Retries were capped at {retries} with jitter so that failures stop piling up.",
    "Timeouts in {stack} were aligned with the load balancer so that requests fail fast.",
    "We used {tool} and {tool2} together to confirm the result from two angles.",
    "Background jobs for {area} became idempotent, so running them twice is harmless.",
    "Dashboards are only useful when the signals are easy to read under pressure.",
    "The migration ran in batches of {batch} rows to keep locks short.",
    "Secrets for {area} moved out of the repository and into the deployment platform.",
    "Cache keys now include the version of the {area} template.",
    "Each change was small enough to revert with a single command.",
    "The team agreed to review this page again after the next {stack} upgrade.",
    "Load tests with {tool} reproduced {problem} at {rps} requests per second.",
    "We removed {count} unused indexes that slowed down writes to {area}.",
    "Logs now carry a request id so that one slow request can be followed end to end.",
    "The worst case was a cold cache right after a deployment of {stack}.",
    "Error messages in {area} now say what failed and whether a retry is safe.",
    "We checked permissions, headers and upload limits for {area} one by one.",
    "On-call engineers got a short runbook with the exact commands to run.",
    "The same pattern later helped with {problem2} in another service.",
    "Capacity was planned for twice the current peak of {area} traffic.",
    "Staging is a rehearsal, so we ran the real deployment command there first.",
    "Connection limits in {stack} were lowered so that {stack2} could not exhaust them.",
    "Feature flags let us turn the new behaviour off for {area} in seconds.",
    "We compared {metric} before and after over the same hours of the week.",
    "The old job scheduler is still documented in case the rollback is needed.",
    "A single owner keeps this change current and answers questions about it.",
)

#: A short code sample per language, with ``{slug}`` and ``{n}`` to fill.
CODE: dict[str, str] = {
    "sql": "EXPLAIN ANALYZE\nSELECT id, created_at\nFROM {slug}\nWHERE created_at > now() - interval '{n} days'\nORDER BY created_at DESC\nLIMIT 50;",
    "bash": "redis-cli --latency-history -i {n}\nredis-cli info stats | grep keyspace",
    "typescript": "export async function load{n}(id: string): Promise<Response> {\n  const res = await fetch(`/api/{slug}/${id}`, { cache: 'no-store' });\n  return res;\n}",
    "python": "def retry_{n}(job, attempts={n}):\n    for attempt in range(attempts):\n        if job.run():\n            return True\n    return False",
    "java": 'props.put("max.poll.records", {n});\nprops.put("enable.auto.commit", false);',
    "yaml": "resources:\n  requests:\n    cpu: {n}00m\n    memory: {n}00Mi\n  limits:\n    memory: {n}00Mi",
    "nginx": "location /{slug}/ {\n    proxy_read_timeout {n}s;\n    proxy_pass http://upstream;\n}",
    "ruby": "{slug}.find_each(batch_size: {n}00) do |row|\n  row.touch\nend",
    "json": '{\n  "query": { "match": { "title": "{slug}" } },\n  "size": {n}\n}',
    "hcl": 'resource "aws_db_instance" "{slug}" {\n  allocated_storage = {n}0\n}',
    "graphql": "query {slug}($first: Int = {n}) {\n  items(first: $first) { id title }\n}",
    "javascript": "const limit = {n};\napp.use('/{slug}', rateLimit({ windowMs: 60000, max: limit }));",
    "vcl": 'sub vcl_recv {\n  if (req.url ~ "^/{slug}") { return (hash); }\n}',
}
