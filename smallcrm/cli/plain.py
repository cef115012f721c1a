"""Plain command lines of the everyday commands, parsed from their own Typer declarations.

Building a Typer command converts every parameter through pydantic: about 80 ms of each run,
which a do-nothing Typer command pays too. Adding a contact, listing and ``today`` are what the
shell is used for all day (the quick-add from any prompt above all), and with that cost they took
1.4-3 times the do-nothing command. So when a line of one of ``COMMANDS`` is plain, it is parsed
here from the command function's own ``typer.Option`` and ``typer.Argument`` declarations, and the
very function Typer would call runs with the same values. Typer stays the one definition of the
command line: nothing here names an option.

A line is plain when each token is an option the command declares, the value of one (not
starting with ``-``), or a positional word, and integers are ASCII digits within the declared
range. Anything else (help, completion, ``--opt=value``, ``--``, bundled short options, an
unknown option, a missing or extra argument, a number out of range) goes to Typer, which
answers with its usual help and usage errors. A declaration this parser does not know (a
callback, an environment variable, a prompt, a type other than text, whole numbers, switches
and lists of text) makes the whole command go to Typer.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any, NamedTuple, Union, get_args, get_origin

# (command, subcommand or "") -> (module in smallcrm.cli, function). Each function uses its
# context only through ``state(ctx)``, which is all the stand-in context below offers.
COMMANDS: dict[tuple[str, str], tuple[str, str]] = {
    ("add", "contact"): ("add", "add_contact"),
    ("add", "account"): ("add", "add_account"),
    ("list", "contacts"): ("find", "list_contacts"),
    ("list", "accounts"): ("find", "list_accounts"),
    ("list", "deals"): ("find", "list_deals"),
    ("list", "interactions"): ("find", "list_interactions"),
    ("list", "appointments"): ("find", "list_appointments"),
    ("today", ""): ("agenda", "today"),
    ("log", ""): ("log", "log"),
}

# Settings that change how Typer reads a parameter, at the values that change nothing: a
# declaration with any other value makes its command go to Typer.
_UNSET: dict[str, Any] = {
    "callback": None, "envvar": None, "parser": None, "click_type": None, "is_eager": False,
    "expose_value": True, "default_factory": None, "prompt": False, "count": False,
    "is_flag": None, "flag_value": None, "clamp": False, "allow_from_autoenv": True,
    "confirmation_prompt": False, "hide_input": False,
}  # fmt: skip


class Param(NamedTuple):
    """One parameter of a command, as Typer reads its declaration."""

    name: str
    shape: str  # "flag", "text", "number", "texts" (a repeatable option), "word", "words"
    on: tuple[str, ...] = ()  # the option strings that set it (a flag's True)
    off: tuple[str, ...] = ()  # a flag's False (``--asc`` of ``--desc/--asc``)
    default: Any = None
    required: bool = False
    low: int | None = None
    high: int | None = None


def command_params(func: Callable[..., Any]) -> list[Param] | None:
    """The parameters of a Typer command function, or None if one is not plain."""
    from typer.models import ArgumentInfo, OptionInfo, ParameterInfo

    params = []
    for parameter in inspect.signature(func, eval_str=True).parameters.values():
        annotation = parameter.annotation
        if inspect.isclass(annotation) and annotation.__name__ == "Context":
            continue
        if get_origin(annotation) is not Annotated:
            return None
        base, *extras = get_args(annotation)
        infos = [extra for extra in extras if isinstance(extra, ParameterInfo)]
        if len(infos) != 1 or not _plain_info(infos[0]):
            return None
        info = infos[0]
        required = parameter.default is inspect.Parameter.empty
        default = None if required else parameter.default
        shape = _shape(base, isinstance(info, ArgumentInfo))
        if shape is None or (isinstance(info, OptionInfo) and required):
            return None
        strings = _option_strings(parameter.name, info, shape)
        if strings is None:
            return None
        on, off = strings
        low, high = (_whole(getattr(info, end, None)) for end in ("min", "max"))
        params.append(Param(parameter.name, shape, on, off, default, required, low, high))
    arguments = [param.shape for param in params if param.shape in ("word", "words")]
    if "words" in arguments[:-1]:
        return None  # words shared between a list and later arguments: click's rules, not here
    return params


def _whole(bound: float | None) -> int | None:
    return None if bound is None else int(bound)


def _plain_info(info: Any) -> bool:
    for setting, unset in _UNSET.items():
        value = getattr(info, setting, unset)
        if value is not None and value != unset:
            return False
    return True


def _shape(base: Any, argument: bool) -> str | None:
    optional = get_origin(base) in (Union, _union_type()) and type(None) in get_args(base)
    if optional:
        rest = [arg for arg in get_args(base) if arg is not type(None)]
        if len(rest) != 1:
            return None
        base = rest[0]
    if get_origin(base) is list and get_args(base) == (str,):
        return "words" if argument else "texts"
    if argument:
        return "word" if base is str else None
    return {str: "text", int: "number", bool: "flag"}.get(base)


def _union_type() -> Any:
    import types

    return types.UnionType


def _option_strings(
    name: str, info: Any, shape: str
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    from typer.models import ArgumentInfo

    if isinstance(info, ArgumentInfo):
        return (), ()
    flag_name = name.replace("_", "-")
    # Inside ``Annotated``, Typer reads the first positional argument of ``typer.Option`` (its
    # ``default`` slot) as the first option string.
    first = [] if info.default is ... else [info.default]
    declared = [*first, *(info.param_decls or ())]
    if not declared:
        declared = [f"--{flag_name}/--no-{flag_name}" if shape == "flag" else f"--{flag_name}"]
    on: list[str] = []
    off: list[str] = []
    for declaration in declared:
        first, slash, second = declaration.partition("/")
        strings = [first.strip()] + ([second.strip()] if slash else [])
        if not all(text.startswith("-") and len(text) > 1 for text in strings):
            return None
        if slash and shape != "flag":
            return None
        on.append(strings[0])
        off.extend(strings[1:])
    return tuple(on), tuple(off)


def parse(params: list[Param], tokens: list[str]) -> dict[str, Any] | None:
    """The values the command function gets for ``tokens``, or None if the line is not plain."""
    options: dict[str, tuple[Param, bool]] = {}
    for param in params:
        options.update(dict.fromkeys(param.on, (param, True)))
        options.update(dict.fromkeys(param.off, (param, False)))
    given: dict[str, Any] = {}
    words: list[str] = []
    rest = list(tokens)
    while rest:
        token = rest.pop(0)
        if not token.startswith("-"):
            words.append(token)
            continue
        if token not in options:
            return None
        param, setting = options[token]
        if param.shape == "flag":
            given[param.name] = setting
            continue
        if not rest or rest[0].startswith("-"):
            return None
        value = _value(param, rest.pop(0))
        if value is None:
            return None
        if param.shape == "texts":
            given.setdefault(param.name, []).append(value)
        else:
            given[param.name] = value
    return _with_arguments(params, given, words)


def _value(param: Param, text: str) -> Any:
    if param.shape != "number":
        return text
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    too_low = param.low is not None and number < param.low
    too_high = param.high is not None and number > param.high
    return None if too_low or too_high else number


def _with_arguments(
    params: list[Param], given: dict[str, Any], words: list[str]
) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    for param in params:
        if param.shape == "words":
            if not words:
                return None
            values[param.name], words = words, []
        elif param.shape == "word":
            # An argument left out (even one that may be) or given empty: Typer says what
            # follows (``log`` without its subject names the missing argument).
            if not words or not words[0]:
                return None
            values[param.name], words = words[0], words[1:]
        else:
            values[param.name] = given.get(param.name, param.default)
    return None if words else values


class _Context:
    """What the commands of ``COMMANDS`` ask of Typer's context: its root, holding the state."""

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def find_root(self) -> _Context:
        return self


def plain_call(argv: list[str]) -> tuple[str | None, Callable[[], Any]] | None:
    """The database named by ``--db`` and the call that runs ``argv``; None: Typer runs it."""
    from smallcrm.cli.quick import split_target

    split = split_target(argv)
    if split is None or not split[1]:
        return None
    target, tokens = split
    place = COMMANDS.get((tokens[0], tokens[1] if len(tokens) > 1 else ""))
    words = 2
    if place is None:
        place, words = COMMANDS.get((tokens[0], "")), 1
    if place is None:
        return None
    import importlib

    func = getattr(importlib.import_module(f"smallcrm.cli.{place[0]}"), place[1])
    params = command_params(func)
    values = None if params is None else parse(params, tokens[words:])
    if values is None:
        return None
    return target, lambda: func(**_with_context(func, values, target))


def _with_context(func: Callable[..., Any], values: dict[str, Any], target: str | None) -> Any:
    from smallcrm.cli.core import State

    names = list(inspect.signature(func).parameters)
    context = {name: _Context(State(target)) for name in names if name not in values}
    return {**context, **values}


def run_plain(argv: list[str]) -> int | None:
    """Run a plain line of one of ``COMMANDS`` and return its exit code; None: Typer runs it.

    The command's own guard prints its errors and ends in ``typer.Exit``, as under Typer."""
    call = plain_call(argv)
    if call is None:
        return None
    import sys

    import typer

    # Typer bundles click and exports only some of its errors; the rest sit beside BadParameter.
    errors: Any = sys.modules[typer.BadParameter.__module__]
    try:
        call[1]()
    except typer.Exit as done:
        return int(done.exit_code)
    except errors.ClickException as problem:
        problem.show()
        return int(problem.exit_code)
    return 0
