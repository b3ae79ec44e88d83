"""`golive user add|list|remove|passwd` through the CLI runner."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from golive import accounts
from golive.cli.users import users
from golive.store import Store, normalise_url

runner = CliRunner()
cli = typer.Typer()
cli.add_typer(users, name="user")  # as golive.cli registers it
PASSWORD = "correct horse battery staple"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "golive.yaml"
    path.write_text(
        "version: 1\nproject: shop\ncomponents: [{name: API}]\nchecks:\n"
        "  - {name: web, component: API, tcp: {host: 127.0.0.1, port: 1}}\n"
    )
    return path


def db(config: Path) -> Path:
    return config.parent / ".golive" / "golive.db"


def open_store(config: Path) -> Store:
    return Store.open(normalise_url(f"sqlite:///{db(config)}", config.parent))


def test_a_user_is_added_with_the_password_asked_twice(config: Path) -> None:
    result = runner.invoke(
        cli,
        ["user", "add", "ada", "--role", "admin", "-c", str(config)],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "user ada (admin) added" in result.stdout
    assert PASSWORD not in result.output  # never echoed
    stored = sqlite3.connect(db(config)).execute("SELECT name, role, password_hash FROM users")
    ((name, role, password_hash),) = stored.fetchall()
    assert (name, role) == ("ada", "admin")
    assert password_hash.startswith("$argon2id$") and PASSWORD not in password_hash


def test_different_passwords_add_nobody(config: Path) -> None:
    result = runner.invoke(
        cli,
        ["user", "add", "ada", "--role", "admin", "-c", str(config)],
        input=f"{PASSWORD}\n{PASSWORD}x\n",
    )
    assert result.exit_code == 2
    assert "the two passwords differ" in result.output
    listed = runner.invoke(cli, ["user", "list", "--json", "-c", str(config)])
    assert json.loads(listed.stdout) == []


def test_a_password_can_come_from_stdin_and_must_be_long_enough(config: Path) -> None:
    args = ["user", "add", "otto", "--role", "operator", "--password-stdin", "-c", str(config)]
    short = runner.invoke(cli, args, input="hunter2\n")
    assert short.exit_code == 2
    assert "a password is 15 to 1024 characters" in short.output
    added = runner.invoke(cli, args, input=f"{PASSWORD}\n")
    assert added.exit_code == 0, added.output
    store = open_store(config)
    try:
        assert accounts.authenticate(store, "otto", PASSWORD) is not None
    finally:
        store.close()


def test_bad_names_roles_and_duplicates_are_refused(config: Path) -> None:
    stdin = f"{PASSWORD}\n"
    ok = ["user", "add", "ada", "--role", "admin", "--password-stdin", "-c", str(config)]
    assert runner.invoke(cli, ok, input=stdin).exit_code == 0
    again = runner.invoke(cli, ok, input=stdin)
    assert again.exit_code == 2 and "there is a user 'ada' already" in again.output
    role = runner.invoke(
        cli,
        ["user", "add", "bob", "--role", "root", "--password-stdin", "-c", str(config)],
        input=stdin,
    )
    assert role.exit_code == 2 and "unknown role 'root'" in role.output
    name = runner.invoke(
        cli, ["user", "add", "no spaces", "--role", "viewer", "-c", str(config)], input=stdin
    )
    assert name.exit_code == 2 and "a user name is" in name.output


def test_users_are_listed_without_their_passwords(config: Path) -> None:
    for name, role in (("ada", "admin"), ("vera", "viewer")):
        args = ["user", "add", name, "--role", role, "--password-stdin", "-c", str(config)]
        assert runner.invoke(cli, args, input=f"{PASSWORD}\n").exit_code == 0
    listed = runner.invoke(cli, ["user", "list", "--json", "-c", str(config)])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [(r["name"], r["role"], r["removed"]) for r in rows] == [
        ("ada", "admin", None),
        ("vera", "viewer", None),
    ]
    assert "argon2" not in listed.stdout
    table = runner.invoke(cli, ["user", "list", "-c", str(config)])
    assert "vera" in table.stdout and "viewer" in table.stdout


def test_removing_a_user_ends_their_sessions(config: Path) -> None:
    args = ["user", "add", "otto", "--role", "operator", "--password-stdin", "-c", str(config)]
    assert runner.invoke(cli, args, input=f"{PASSWORD}\n").exit_code == 0
    now = datetime.now(UTC)
    store = open_store(config)
    try:
        user = accounts.authenticate(store, "otto", PASSWORD)
        assert user is not None
        issued = accounts.create_session(store, user, now)
    finally:
        store.close()

    removed = runner.invoke(cli, ["user", "remove", "otto", "-c", str(config)])
    assert removed.exit_code == 0, removed.output
    assert "user otto removed; 1 session ended" in removed.stdout
    store = open_store(config)
    try:
        assert accounts.verify_session(store, issued.token, now) is None
        assert accounts.authenticate(store, "otto", PASSWORD) is None
    finally:
        store.close()
    rows = json.loads(runner.invoke(cli, ["user", "list", "--json", "-c", str(config)]).stdout)
    assert rows[0]["removed"] is not None
    unknown = runner.invoke(cli, ["user", "remove", "otto", "-c", str(config)])
    assert unknown.exit_code == 2 and "no user 'otto'" in unknown.output


def test_passwd_changes_the_password_and_ends_the_sessions(config: Path) -> None:
    args = ["user", "add", "otto", "--role", "operator", "--password-stdin", "-c", str(config)]
    assert runner.invoke(cli, args, input=f"{PASSWORD}\n").exit_code == 0
    now = datetime.now(UTC)
    store = open_store(config)
    try:
        user = accounts.authenticate(store, "otto", PASSWORD)
        assert user is not None
        for _ in range(2):
            accounts.create_session(store, user, now)
    finally:
        store.close()

    new = "a completely new passphrase"
    changed = runner.invoke(
        cli, ["user", "passwd", "otto", "-c", str(config)], input=f"{new}\n{new}\n"
    )
    assert changed.exit_code == 0, changed.output
    assert "password of otto changed; 2 sessions ended" in changed.stdout
    store = open_store(config)
    try:
        assert accounts.authenticate(store, "otto", PASSWORD) is None
        assert accounts.authenticate(store, "otto", new) is not None
    finally:
        store.close()
    unknown = runner.invoke(
        cli, ["user", "passwd", "nobody", "--password-stdin", "-c", str(config)], input=f"{new}\n"
    )
    assert unknown.exit_code == 2 and "no user 'nobody'" in unknown.output
