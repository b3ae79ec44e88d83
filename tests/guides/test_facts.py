"""The facts around the checklists: SLA rows, environment variables, health endpoints, hosts and
backup hints."""

from __future__ import annotations

from golive.guides.parse import parse_guide
from golive.guides.sla import class_name

SLA_TABLE = """\
### API Response Time SLA

| Endpoint Type | Target (p95) | Alert Threshold |
|---------------|-------------|-----------------|
| List endpoints | 200ms | > 300ms |
| Write endpoints | 0.25 s | > 375ms |
"""


def test_an_sla_table_gives_a_class_and_a_p95_target_per_row() -> None:
    rows = parse_guide(SLA_TABLE, "g.md").sla
    assert [(r.line, r.klass, r.percentile, r.target, r.usable) for r in rows] == [
        (5, "list", "p95", "200ms", True),
        (6, "write", "p95", "250ms", True),
    ]


def test_a_table_without_times_is_not_an_sla() -> None:
    table = "| Severity | Response Time |\n|---|---|\n| P1 | 15 minutes |\n| P0 | Immediate |\n"
    assert parse_guide(table, "g.md").sla == []


def test_sla_rows_in_a_list_under_a_response_time_item() -> None:
    guide = "- [ ] API response times\n  - List endpoints: < 200ms p95\n  - Read endpoints: < 150ms p95\n"
    rows = parse_guide(guide, "g.md").sla
    assert [(r.klass, r.target, r.source) for r in rows] == [
        ("list", "200ms", "list"),
        ("read", "150ms", "list"),
    ]


def test_an_average_or_a_target_without_percentile_is_found_but_not_usable() -> None:
    guide = """\
### Response Time SLAs
- **Dashboard Load**: < 2 seconds (95th percentile)
- **Database Queries**: < 100ms (average)
- **File Uploads**: < 5 seconds (10MB files)
"""
    rows = parse_guide(guide, "g.md").sla
    assert (rows[0].klass, rows[0].percentile, rows[0].target) == ("dashboard", "p95", "2s")
    assert [r.reason.split(";")[0] for r in rows[1:]] == [
        "an average, not a percentile",
        "no percentile stated",
    ]


def test_browser_metrics_are_not_endpoint_slas() -> None:
    guide = "- [ ] Web Vitals targets met\n  - LCP: < 2.5s\n  - FID: < 100ms\n"
    assert parse_guide(guide, "g.md").sla == []


def test_class_names_drop_filler_words() -> None:
    assert class_name("List endpoints") == "list"
    assert class_name("Dashboard Load") == "dashboard"
    assert class_name("API Endpoints") == "api"


def test_the_error_rate_target_is_the_first_that_is_not_an_alert() -> None:
    guide = "- Error rate > 1%: Alert\n- **Error Rate**: <0.1% error rate\n"
    assert parse_guide(guide, "g.md").error_rate == (2, "0.1%")


ENV_BLOCKS = """\
#### Required Environment Variables
```bash
# Application
NODE_ENV=production
NEXTAUTH_SECRET=super-secure-32-character-secret-key
DEBUG=False
```

#### Optional Environment Variables
```bash
LOG_LEVEL=info
CACHE_TTL=300
```
"""


def test_env_blocks_give_required_and_optional_variables() -> None:
    env = parse_guide(ENV_BLOCKS, "g.md").env
    assert [(v.name, v.line, v.required) for v in env] == [
        ("NODE_ENV", 4, True),
        ("NEXTAUTH_SECRET", 5, True),
        ("DEBUG", 6, True),
        ("LOG_LEVEL", 11, False),
        ("CACHE_TTL", 12, False),
    ]


def test_values_hint_at_rules_but_are_never_kept() -> None:
    env = {v.name: v for v in parse_guide(ENV_BLOCKS, "g.md").env}
    assert env["NEXTAUTH_SECRET"].min_length == 32
    assert env["DEBUG"].forbid == ("1", "true", "True")
    assert env["NODE_ENV"].forbid == ("development", "dev", "test")
    assert "super-secure" not in repr(env)


def test_a_script_that_sets_a_few_variables_is_not_an_env_block() -> None:
    script = """\
```bash
DB_HOST="your-database-host"
DB_NAME="stamford_parking"
pg_dump -h $DB_HOST -d $DB_NAME > backup.sql
gzip backup.sql
aws s3 cp backup.sql.gz s3://bucket/
echo done
```
"""
    assert parse_guide(script, "g.md").env == []


def test_a_table_of_variables_with_a_required_column() -> None:
    table = "| Variable | Required |\n|---|---|\n| `DATABASE_URL` | yes |\n| `LOG_LEVEL` | no |\n"
    env = parse_guide(table, "g.md").env
    assert [(v.name, v.required) for v in env] == [("DATABASE_URL", True), ("LOG_LEVEL", False)]


def test_variables_listed_under_an_env_checklist_line_and_what_is_not_a_name() -> None:
    guide = (
        "- [ ] Environment variables configured\n  - `DATABASE_URL`\n  - All other required vars\n"
    )
    parsed = parse_guide(guide, "g.md")
    assert [v.name for v in parsed.env] == ["DATABASE_URL"]
    assert [(u.line, u.text) for u in parsed.unused] == [(3, "All other required vars")]


def test_health_endpoints_from_urls_paths_and_sentences() -> None:
    guide = """\
- Health checks on /admin/login/

```bash
curl -f https://parking.example.org/api/health
```

```nginx
location /healthz {
```

**File**: `src/app/api/health/route.ts`
"""
    health = parse_guide(guide, "g.md").health
    assert [(h.path, h.line, h.host) for h in health] == [
        ("/admin/login/", 1, None),
        ("/api/health", 4, "parking.example.org"),
        ("/healthz", 8, None),
    ]


def test_the_guides_site_is_the_first_host_that_is_not_a_placeholder() -> None:
    guide = """\
```bash
curl https://staging-your-app.vercel.app/api/health
NEXTAUTH_URL=https://parking.stamford.gov
```
See https://js.stripe.com for payments.
"""
    parsed = parse_guide(guide, "g.md")
    assert parsed.app_host is not None and parsed.app_host.host == "parking.stamford.gov"
    assert [(h.host, h.placeholder) for h in parsed.hosts] == [
        ("staging-your-app.vercel.app", True),
        ("parking.stamford.gov", False),
        ("js.stripe.com", False),
    ]


def test_a_guide_with_only_placeholder_sites_has_no_site() -> None:
    assert parse_guide("curl https://your-app.com/api/health\n", "g.md").app_host is None


def test_backup_hints_come_from_lines_and_headings_about_backups() -> None:
    guide = """\
PostgreSQL on RDS.

### Backup Procedures
- **Frequency**: Every 6 hours

- **RTO** (Recovery Time Objective): 4 hours
- **RPO** (Recovery Point Objective): 15 minutes
"""
    hints = parse_guide(guide, "g.md").backup
    assert (hints.postgres, hints.every, hints.rto, hints.rpo) == (True, "6h", "4h", "15m")


def test_retention_lines_about_backups_become_how_many_to_keep() -> None:
    guide = """\
### Backup Strategy
- **Frequency**: Every 6 hours
- **Retention**: 30 days for daily, 12 months for weekly

### Logging
- Log retention: 90 days
"""
    hints = parse_guide(guide, "g.md").backup
    assert hints.retention == (("daily", 30), ("weekly", 52))


def test_a_local_and_a_remote_retention_keep_the_local_one() -> None:
    guide = "## Database Backups\n```bash\n# Retention: 30 days local, 90 days S3\n```\n"
    assert parse_guide(guide, "g.md").backup.retention == (("daily", 30),)
    script = "## Backup and Recovery\nRETENTION_DAYS=90\n"
    assert parse_guide(script, "g.md").backup.retention == (("daily", 90),)
