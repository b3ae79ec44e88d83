"""Gate: readiness items → GO / NO-GO from fresh evidence, built-in checks (headers, TLS, rate
limits, env, notifications), sign-offs, and JSON / JUnit / Markdown reports."""
