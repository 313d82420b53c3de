"""`record`: dataclasses that compile nothing when they are declared.

`dataclasses.dataclass` writes each class's `__init__`, `__eq__`, `__hash__`, `__repr__` and the
frozen `__setattr__`/`__delattr__` as source text and compiles it when the module is imported; no
`.pyc` file keeps that code, so the ~125 classes of this package cost ~45 ms at every start of
`status`, the tray app, the agent and the guard — a third of `status`.

`record` declares the same classes, and type checkers read it as `dataclass` (PEP 681's
`dataclass_transform`). At run time it lets `dataclasses` find the fields without generating
anything (so `dataclasses.fields`, `replace` and `asdict` work as before), then gives the class
methods made of closures over those fields: functions already compiled, made anew for each class
at the cost of a function object.

What it keeps of `dataclass`: fields in declaration order, inherited fields first; defaults and
`field(default_factory=…, init=False, kw_only=True, repr=False, compare=False, hash=…)`;
`__post_init__`; a method the class writes itself is never replaced; `eq` and `frozen` give the
same `__hash__` as `dataclass` would (by value when both, none when only `eq`); a frozen instance
refuses every assignment with `dataclasses.FrozenInstanceError`. What it leaves out, as nothing
here uses it: `InitVar`, `order`, `unsafe_hash`, `slots`, `match_args=False`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

C = TypeVar("C", bound=type)

_MISSING = dataclasses.MISSING


@overload
@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def record(cls: C, /) -> C: ...


@overload
def record(*, frozen: bool = True, eq: bool = True, repr: bool = True) -> Callable[[C], C]: ...


def record(
    cls: C | None = None, /, *, frozen: bool = True, eq: bool = True, repr: bool = True
) -> C | Callable[[C], C]:
    """Declare a dataclass, frozen unless `frozen=False`: `@record` or `@record(eq=False, …)`."""

    def declare(cls: C) -> C:
        return _declare(cls, frozen=frozen, eq=eq, repr=repr)

    return declare if cls is None else declare(cls)


def _declare(cls: C, *, frozen: bool, eq: bool, repr: bool) -> C:
    if frozen and ("__setattr__" in cls.__dict__ or "__delattr__" in cls.__dict__):
        raise TypeError(f"{cls.__qualname__} is frozen: it cannot write its own __setattr__ or __delattr__")
    if cls.__dict__.get("__doc__") is None:
        cls.__doc__ = cls.__name__  # else dataclasses computes a signature for it (inspect, slow)
    # Fields only: with nothing to generate, dataclasses compiles nothing.
    dataclasses.dataclass(cls, init=False, repr=False, eq=False)
    fields = dataclasses.fields(cls)
    own = cls.__dict__
    if "__init__" not in own:
        cls.__init__ = _init_of(cls, fields)  # type: ignore[misc]
    if repr and "__repr__" not in own:
        cls.__repr__ = _repr_of(tuple(f.name for f in fields if f.repr))  # type: ignore[assignment]
    if eq and "__eq__" not in own:
        cls.__eq__ = _eq_of(_key_of(tuple(f.name for f in fields if f.compare)))  # type: ignore[assignment]
    if eq:
        # As dataclass: a hash is made unless the class writes its own __hash__ (writing __eq__
        # alone sets __hash__ to None in the class, which does not count).
        written = own.get("__hash__", _MISSING)
        if written is _MISSING or (written is None and "__eq__" in own):
            if frozen:
                hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
                cls.__hash__ = _hash_of(_key_of(hashed))  # type: ignore[assignment]
            else:
                cls.__hash__ = None  # type: ignore[assignment]
    if frozen:
        cls.__setattr__ = _frozen_setattr  # type: ignore[assignment]
        cls.__delattr__ = _frozen_delattr  # type: ignore[assignment]
    return cls


def _init_of(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[..., None]:
    """`__init__(self, *positional, **by_name)`, as dataclass would write it for `fields`.

    It runs once for every value made (13 of them in each tick of the engine), so the work is
    done by dict operations written in C: the defaults, the positional and the named arguments
    merged in one step, a count to find what is missing. Only a refused call looks further."""
    name = cls.__qualname__
    order = tuple(f.name for f in fields)
    count = len(order)
    taken = [f for f in fields if f.init]
    positional = tuple(f.name for f in taken if not f.kw_only)
    known = frozenset(f.name for f in taken)
    defaults = {f.name: f.default for f in fields if f.default is not _MISSING}
    factories = tuple((f.name, f.default_factory) for f in fields if f.default_factory is not _MISSING)
    for f in fields:
        if not f.init and f.default is _MISSING and f.default_factory is _MISSING:
            raise TypeError(f"{name}.{f.name} has init=False and no default")
    post_init = hasattr(cls, "__post_init__")
    # Every field given by position, in order: nothing to merge.
    direct = positional == order

    def refused(args: tuple[Any, ...], kwargs: dict[str, Any], values: dict[str, Any]) -> TypeError:
        if len(args) > len(positional):
            return TypeError(
                f"{name}() takes {len(positional)} positional arguments but {len(args)} were given"
            )
        for key in kwargs:
            if key not in known:
                return TypeError(f"{name}() got an unexpected keyword argument {key!r}")
            if key in positional[: len(args)]:
                return TypeError(f"{name}() got multiple values for argument {key!r}")
        missing = next(field_name for field_name in order if field_name not in values)
        return TypeError(f"{name}() missing required argument: {missing!r}")

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if not kwargs and direct and len(args) == count:
            self.__dict__.update(zip(order, args, strict=False))
        else:
            if args:
                values = {**defaults, **dict(zip(positional, args, strict=False)), **kwargs}
                fits = len(args) <= len(positional) and kwargs.keys().isdisjoint(positional[: len(args)])
            else:
                values = {**defaults, **kwargs}
                fits = True
            for field_name, factory in factories:
                if field_name not in values:
                    values[field_name] = factory()
            if not (fits and len(values) == count and kwargs.keys() <= known):
                raise refused(args, kwargs, values)
            self.__dict__.update(values)
        if post_init:
            self.__post_init__()

    __init__.__qualname__ = f"{name}.__init__"
    return __init__


def _key_of(names: tuple[str, ...]) -> Callable[[Any], Any]:
    """The values that make an instance's identity, as one comparable, hashable value."""
    if not names:
        return lambda self: ()
    return attrgetter(*names)


def _eq_of(key: Callable[[Any], Any]) -> Callable[[Any, object], Any]:
    def __eq__(self: Any, other: object) -> Any:
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    return __eq__


def _hash_of(key: Callable[[Any], Any]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(key(self))

    return __hash__


def _repr_of(names: tuple[str, ...]) -> Callable[[Any], str]:
    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{field_name}={getattr(self, field_name)!r}" for field_name in names)
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
