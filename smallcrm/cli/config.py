"""``smallcrm config``: show and change the business's settings (store/settings.py).

``config show`` lists every setting with its value and where the value comes from (a variable,
a file, the default); ``config set KEY VALUE`` checks the value and writes the user's settings
file (``--site`` the file every user of this machine reads); ``config unset KEY`` goes back to
the default.
"""

from __future__ import annotations

from datetime import time
from typing import Annotated, Any

import typer

from smallcrm.cli.context import CliError, guarded

app = typer.Typer(
    help="Show and change settings: phone region, currency, time zone, working hours, ...",
    invoke_without_command=True,
)

KeyArgument = Annotated[
    str, typer.Argument(metavar="KEY", help="A setting, as config show lists them.")
]
SiteOption = Annotated[
    bool,
    typer.Option("--site", help="The file every user of this machine reads (a team's settings)."),
]


@app.callback()
def config(ctx: typer.Context) -> None:
    """Show and change settings (without a subcommand: show them)."""
    if ctx.invoked_subcommand is None:
        show(as_json=False)


def _shown(key: str, value: Any) -> str:
    """A setting's value as ``config show`` writes it."""
    from smallcrm.store import clock
    from smallcrm.store.case_targets import CaseTargets
    from smallcrm.store.setting_values import WorkingHours

    if isinstance(value, WorkingHours | CaseTargets):
        return value.text()
    if key == "reminder_command":
        import shlex

        return shlex.join(value) if value else "(print to standard output)"
    if key == "closed_days":
        return ", ".join(value) if value else "(none)"
    if key == "timezone":
        return value or f"(this machine's: {clock.zone_name()})"
    if key == "phone_region":
        return value or "(not set: numbers need their +country code)"
    if key == "follow_up_time":
        return f"{value:%H:%M}"
    if key == "slot_interval" and value is None:
        return "auto (the meeting's length, up to an hour)"
    if key.startswith("slot_"):
        from smallcrm.store.setting_values import canonical_text

        return canonical_text(value)
    return str(value)


def _json_value(value: Any) -> Any:
    from datetime import timedelta

    from smallcrm.store.case_targets import CaseTargets
    from smallcrm.store.setting_values import WorkingHours, canonical_text

    if isinstance(value, WorkingHours | CaseTargets):
        return value.text()
    if isinstance(value, timedelta) or (
        isinstance(value, tuple) and value and isinstance(value[0], timedelta)
    ):
        return canonical_text(value)
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, time):
        return f"{value:%H:%M}"
    return value


@app.command("show")
@guarded
def show(
    as_json: Annotated[bool, typer.Option("--json", help="Write one JSON object.")] = False,
) -> None:
    """List every setting, its value and where the value comes from."""
    from smallcrm.store import settings

    rows = settings.describe()
    if as_json:
        from smallcrm.cli.output import write_json

        write_json(
            {s.key: {"value": _json_value(v), "source": src, "help": s.help} for s, v, src in rows}
        )
        return
    from smallcrm.cli.output import write_fields

    write_fields(
        f"Settings (your file: {settings.user_file()})",
        [(s.key, f"{_shown(s.key, v)}   [{src}]") for s, v, src in rows],
    )
    print("\nChange one with: smallcrm config set KEY VALUE   (smallcrm config set --help)")


ValueArgument = Annotated[str, typer.Argument(metavar="VALUE", help="The new value.")]


@app.command("set", no_args_is_help=True)
@guarded
def set_value(key: KeyArgument, value: ValueArgument, site: SiteOption = False) -> None:
    """Change a setting: smallcrm config set working_hours "mon-fri 08:00-16:30" """
    from smallcrm.store import settings

    setting = _setting(key)
    try:
        checked = settings.check(setting.key, value)
    except settings.SettingsError as exc:
        raise CliError(f"{setting.key}: {exc.message}") from None
    path = settings.save({setting.key: value}, _target(site))
    print(f"{setting.key} = {_shown(setting.key, checked)}   (saved in {path})")
    variable = setting.variable
    import os

    if variable in os.environ:
        print(f"Note: {variable} is set in your environment and wins over the file.")


@app.command("unset", no_args_is_help=True)
@guarded
def unset_value(key: KeyArgument, site: SiteOption = False) -> None:
    """Go back to a setting's default: smallcrm config unset currency"""
    from smallcrm.store import settings

    setting = _setting(key)
    path = settings.save({setting.key: None}, _target(site))
    print(f"{setting.key} is back to its default (removed from {path})")


def _setting(key: str) -> Any:
    """The setting KEY names, or a CliError saying which ones there are."""
    from smallcrm.store import settings

    try:
        return settings.lookup(key)
    except settings.SettingsError as exc:
        raise CliError(f"KEY: {exc.message}") from None


def _target(site: bool) -> Any:
    from smallcrm.store import settings

    if not site:
        return None
    path = settings.site_file()
    if path is None:
        raise CliError("--site: SMALLCRM_CONFIG names the one settings file in use; unset it first")
    return path


def _help() -> str:
    from smallcrm.store.setting_values import SETTINGS

    lines = ["Change a setting; the settings and examples:", ""]
    lines += [f"  {s.key}: {s.help} (e.g. {s.example})" for s in SETTINGS.values()]
    return "\n".join(lines)


set_value.__doc__ = _help()
