"""Who can open the database file: a team's shared set-up (``smallcrm init-shared``), the
single-owner default, and the warning when every user of the machine can read the file.

The set-up is checked under umask 077, the strictest a team member may have: the -wal and -shm
files SQLite makes must still come out group-writable.
"""

from __future__ import annotations

import grp
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smallcrm.cli import app
from smallcrm.store import team as shared
from smallcrm.store.contacts import create_contact
from smallcrm.store.db import open_database, sqlite_path
from smallcrm.store.team import SharedSetupError, exposure_warning, init_shared

pytestmark = pytest.mark.sqlite_only

# Opens the database in another process, writes, and reports the three files while they exist
# (SQLite removes -wal and -shm when the last connection closes).
WRITER = """
import os, stat, sys
from smallcrm.store.contacts import create_contact
from smallcrm.store.db import open_database
path = sys.argv[1]
db = open_database(path)
create_contact(db, allow_duplicate=True, name="Written by a team member")
for suffix in ("", "-wal", "-shm"):
    st = os.stat(path + suffix)
    print(suffix or "db", oct(stat.S_IMODE(st.st_mode)), st.st_gid)
db.close()
"""


@pytest.fixture
def strict_umask() -> Iterator[None]:
    """umask 077 for this test (restored after): new files get no group or other bits."""
    old = os.umask(0o077)
    yield
    os.umask(old)


@pytest.fixture
def group() -> str:
    """A group the test user belongs to: their primary group."""
    return grp.getgrgid(os.getgid()).gr_name


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def write_in_subprocess(database: Path) -> dict[str, tuple[int, int]]:
    """Write from another process with umask 077; the mode and group id of each file."""
    done = subprocess.run(
        [sys.executable, "-c", WRITER, str(database)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        umask=0o077,
    )
    files = {}
    for line in done.stdout.split("\n"):
        if line:
            name, octal, gid = line.split()
            files[name] = (int(octal, 8), int(gid))
    return files


# --- init-shared ---------------------------------------------------------------------------------


def test_shared_database_stays_group_writable_under_umask_077(
    tmp_path: Path, group: str, strict_umask: None
) -> None:
    result = init_shared(tmp_path / "team", group)

    gid = grp.getgrnam(group).gr_gid
    directory, database = tmp_path / "team", tmp_path / "team" / "smallcrm.db"
    assert result.database == database
    assert result.created == ["directory", "database"]
    assert mode(directory) == 0o2770 and directory.stat().st_gid == gid
    assert mode(database) == 0o660 and database.stat().st_gid == gid
    files = write_in_subprocess(database)
    assert files == {"db": (0o660, gid), "-wal": (0o660, gid), "-shm": (0o660, gid)}
    check = open_database(database)
    with check.read() as tx:
        assert tx.scalar("SELECT count(*) FROM contact") == 1
    check.close()


def test_a_db_file_path_names_the_file_and_its_directory(tmp_path: Path, group: str) -> None:
    result = init_shared(tmp_path / "crm" / "sales.db", group)

    assert result.database == tmp_path / "crm" / "sales.db"
    assert mode(tmp_path / "crm") == 0o2770
    assert mode(tmp_path / "crm" / "sales.db") == 0o660
    assert shared.database_path(tmp_path / "crm") == tmp_path / "crm" / "smallcrm.db"


def test_running_it_again_checks_and_changes_nothing(tmp_path: Path, group: str) -> None:
    init_shared(tmp_path / "team", group)
    again = init_shared(tmp_path / "team", group)

    assert again.created == [] and again.fixed == []
    assert mode(tmp_path / "team") == 0o2770


def test_missing_group_is_refused_before_anything_is_made(tmp_path: Path) -> None:
    with pytest.raises(SharedSetupError, match="no group 'no-such-team-x' .*groupadd"):
        init_shared(tmp_path / "team", "no-such-team-x")
    assert not (tmp_path / "team").exists()


def test_group_name_typo_gets_a_suggestion(tmp_path: Path, group: str) -> None:
    with pytest.raises(SharedSetupError, match=f"Did you mean: .*{group}"):
        init_shared(tmp_path / "team", group + "x")


def test_user_outside_the_group_is_told_how_to_join(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = grp.getgrgid(os.getgid())
    monkeypatch.setattr(os, "geteuid", lambda: 4242)
    monkeypatch.setattr(os, "getegid", lambda: 4242)
    monkeypatch.setattr(os, "getgroups", lambda: [4242])
    monkeypatch.setattr(shared, "_login", lambda: "mia")
    with pytest.raises(SharedSetupError, match=f"not in group {outside.gr_name}.*usermod"):
        init_shared(tmp_path / "team", outside.gr_name)

    member = grp.struct_group((outside.gr_name, "x", outside.gr_gid, ["mia"]))
    monkeypatch.setattr(grp, "getgrgid", lambda gid: member)
    with pytest.raises(SharedSetupError, match="log out and back in .*newgrp"):
        init_shared(tmp_path / "team", outside.gr_name)
    assert not (tmp_path / "team").exists()


def test_permission_denied_is_explained_and_nothing_is_left(
    tmp_path: Path, group: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: object, *args: object) -> None:
        raise PermissionError(1, "Operation not permitted", str(path))

    monkeypatch.setattr(os, "fchown", refuse)
    with pytest.raises(SharedSetupError, match="Operation not permitted. Choose a place"):
        init_shared(tmp_path / "team", group)
    assert not (tmp_path / "team").exists()


def test_existing_directory_with_looser_permissions_needs_fix(tmp_path: Path, group: str) -> None:
    team = tmp_path / "team"
    team.mkdir()
    team.chmod(0o755)

    with pytest.raises(SharedSetupError, match="other users can enter it.*--fix"):
        init_shared(team, group)
    assert mode(team) == 0o755 and not (team / "smallcrm.db").exists()

    result = init_shared(team, group, fix=True)
    assert result.fixed == [team]
    assert mode(team) == 0o2770 and mode(team / "smallcrm.db") == 0o660


def test_existing_world_readable_database_is_fixed_only_with_fix(
    tmp_path: Path, group: str
) -> None:
    init_shared(tmp_path / "team", group)
    database = tmp_path / "team" / "smallcrm.db"
    database.chmod(0o644)

    with pytest.raises(SharedSetupError, match="other users can read it"):
        init_shared(tmp_path / "team", group)
    assert mode(database) == 0o644
    init_shared(tmp_path / "team", group, fix=True)
    assert mode(database) == 0o660


def test_fix_refuses_a_directory_holding_other_files(tmp_path: Path, group: str) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    (home / "notes.txt").write_text("private")

    with pytest.raises(SharedSetupError, match=r"holds other files too \(notes.txt\)"):
        init_shared(home / "crm.db", group, fix=True)
    assert mode(home) == 0o755 and not (home / "crm.db").exists()


def test_warns_when_members_cannot_pass_a_parent_directory(tmp_path: Path, group: str) -> None:
    private = tmp_path / "private"
    private.mkdir(mode=0o700)  # no x for the group or others: nobody else gets through

    result = init_shared(private / "team", group)
    assert any(f"{private} is drwx------" in w for w in result.warnings)


def test_cli_init_shared_prints_what_to_tell_the_team(tmp_path: Path, group: str) -> None:
    result = CliRunner().invoke(app, ["init-shared", str(tmp_path / "team"), "--group", group])

    assert result.exit_code == 0, result.output
    database = tmp_path / "team" / "smallcrm.db"
    assert f"Created the directory {tmp_path / 'team'} and the database {database}." in (
        result.stdout
    )
    assert f"export SMALLCRM_DB={database}" in result.stdout
    assert f"newgrp {group}" in result.stdout


def test_cli_init_shared_missing_group_exits_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["init-shared", str(tmp_path / "t"), "-g", "nogroup-zz9"])

    assert result.exit_code == 1
    assert "Error: there is no group 'nogroup-zz9'" in result.stderr
    assert "Traceback" not in result.output


# --- single owner ----------------------------------------------------------------------------


def test_single_owner_database_and_its_wal_and_shm_are_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask would give 0644 to a file made without care
    try:
        database = open_database(tmp_path / "solo.db")
        create_contact(database, allow_duplicate=True, name="Jana Novak")
        path = tmp_path / "solo.db"
        modes = {s: mode(Path(f"{path}{s}")) for s in ("", "-wal", "-shm")}
        database.close()
    finally:
        os.umask(old)
    assert modes == {"": 0o600, "-wal": 0o600, "-shm": 0o600}


# --- the warning -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file_mode", "fix"),
    [(0o644, "chmod 600"), (0o604, "chmod 600"), (0o664, "chmod 660"), (0o666, "chmod 660")],
)
def test_warning_for_files_every_user_can_read(db_path: Path, file_mode: int, fix: str) -> None:
    path = db_path
    path.chmod(file_mode)

    warning = exposure_warning(path)
    assert warning is not None
    assert f"{fix} {path}" in warning and stat.filemode(path.stat().st_mode) in warning


@pytest.mark.parametrize("file_mode", [0o600, 0o660, 0o640])
def test_no_warning_for_private_or_group_files(db_path: Path, file_mode: int) -> None:
    path = db_path
    path.chmod(file_mode)

    assert exposure_warning(path) is None


def test_no_warning_for_postgresql_memory_or_missing_files(tmp_path: Path) -> None:
    assert exposure_warning(sqlite_path("postgresql+psycopg://crm@localhost/crm")) is None
    assert exposure_warning(sqlite_path("sqlite:///:memory:")) is None
    assert exposure_warning(tmp_path / "gone.db") is None


def test_shell_commands_warn_on_stderr_once(db_path: Path) -> None:
    path = db_path
    runner = CliRunner()

    quiet = runner.invoke(app, ["--db", str(path), "list", "contacts"])
    path.chmod(0o644)
    loud = runner.invoke(app, ["--db", str(path), "list", "contacts"])

    assert quiet.exit_code == 0 and "Warning" not in quiet.stderr
    assert loud.exit_code == 0
    assert loud.stderr.count("Warning: every user of this machine can read") == 1
    assert f"chmod 600 {path}" in loud.stderr
    assert "Warning" not in loud.stdout


def test_quick_search_warns_too(db_path: Path) -> None:
    path = db_path
    path.chmod(0o644)

    done = subprocess.run(
        [sys.executable, "-m", "smallcrm.cli", "--db", str(path), "search", "jana"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Warning: every user of this machine can read" in done.stderr


async def test_the_app_shows_the_warning_as_a_notification(db_path: Path) -> None:
    from smallcrm.app import make_app

    path = db_path
    database = open_database(path)
    path.chmod(0o644)
    app_under_test = make_app(database)
    async with app_under_test.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        messages = [n.message for n in app_under_test._notifications]
    database.close()
    assert any("chmod 600" in m for m in messages)
