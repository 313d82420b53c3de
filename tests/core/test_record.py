"""`record` declares classes that behave as `dataclass` would make them, without compiling code."""

from __future__ import annotations

import ast
import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import wellbeing_app
from wellbeing_app.core.record import record


def _span(declare: Callable[[type], type]) -> Any:
    """The same class declared by `declare`; qualnames match, so reprs can be compared."""

    class Span:
        start: int
        end: int
        app: str = "unknown"
        tags: list[str] = field(default_factory=list)
        note: str = field(default="", repr=False, kw_only=True)

    return declare(Span)


DATACLASS = _span(dataclass(frozen=True))
RECORD = _span(record)

arguments = st.lists(st.one_of(st.integers(0, 3), st.text(max_size=2)), max_size=6)
keywords = st.dictionaries(
    st.sampled_from(["start", "end", "app", "tags", "note", "other"]), st.integers(0, 3)
)


def _made(cls: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    try:
        return cls(*args, **kwargs)
    except TypeError:
        return TypeError


@given(arguments, keywords)
def test_any_call_makes_what_dataclass_makes_or_is_refused_as_dataclass_refuses(
    args: list[Any], kwargs: dict[str, Any]
) -> None:
    expected = _made(DATACLASS, args, kwargs)
    made = _made(RECORD, args, kwargs)
    if expected is TypeError:
        assert made is TypeError
    else:
        assert dataclasses.asdict(made) == dataclasses.asdict(expected)
        assert repr(made) == repr(expected)


@given(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3), st.integers(0, 3))
def test_equality_and_hash_follow_the_fields(a: int, b: int, c: int, d: int) -> None:
    first, second = RECORD(a, b, str(c)), RECORD(a, b, str(d))
    assert (
        (first == second) == ((a, b, c) == (a, b, d)) == (DATACLASS(a, b, str(c)) == DATACLASS(a, b, str(d)))
    )
    if first == second:
        assert hash(RECORD(a, b, str(c), ())) == hash(RECORD(a, b, str(d), ()))
    assert first != DATACLASS(a, b, str(c)), "another class is never equal"


def test_a_refused_call_says_what_was_wrong() -> None:
    with pytest.raises(TypeError, match=r"missing required argument: 'end'"):
        RECORD(1)
    with pytest.raises(TypeError, match=r"got an unexpected keyword argument 'colour'"):
        RECORD(1, 2, colour="red")
    with pytest.raises(TypeError, match=r"got multiple values for argument 'start'"):
        RECORD(1, 2, start=3)
    with pytest.raises(TypeError, match=r"takes 4 positional arguments but 5 were given"):
        RECORD(1, 2, "a", [], "note")


def test_frozen_refuses_every_change_and_mutable_does_not() -> None:
    span = RECORD(1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.end = 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        del span.start
    assert span.end == 2

    @record(frozen=False)
    class Counter:
        count: int = 0

    counter = Counter()
    counter.count += 1
    assert counter == Counter(1)
    with pytest.raises(TypeError, match="unhashable"):
        hash(counter)


def test_dataclasses_functions_work_on_records() -> None:
    span = RECORD(1, 2, "editor", note="n")
    assert [f.name for f in dataclasses.fields(span)] == ["start", "end", "app", "tags", "note"]
    assert dataclasses.replace(span, end=5) == RECORD(1, 5, "editor", note="n")
    assert dataclasses.is_dataclass(span)
    assert copy.deepcopy(span) == span


def test_each_instance_gets_its_own_default_from_a_factory() -> None:
    first, second = RECORD(1, 2), RECORD(1, 2)
    first.tags.append("a")
    assert second.tags == []


def test_a_subclass_adds_fields_after_its_base_and_post_init_runs() -> None:
    seen: list[Any] = []

    @record
    class Checked(RECORD):  # type: ignore[misc, valid-type]
        weight: int = 1

        def __post_init__(self) -> None:
            seen.append((self.start, self.weight))

    item = Checked(1, 2, "a", [], 7)
    assert (item.app, item.weight) == ("a", 7)
    assert seen == [(1, 7)]
    assert item != RECORD(1, 2, "a", [])


def test_methods_the_class_writes_are_kept() -> None:
    @record
    class Loose:
        value: float

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Loose) and abs(self.value - other.value) < 0.5

        def __repr__(self) -> str:
            return f"about {self.value:.0f}"

    assert Loose(1.0) == Loose(1.2)
    assert repr(Loose(1.0)) == "about 1"
    assert hash(Loose(1.0)) == hash(Loose(1.0)), "frozen with eq: hashed by value, as dataclass does"


def test_a_frozen_record_cannot_write_its_own_setattr() -> None:
    with pytest.raises(TypeError, match="is frozen"):

        @record
        class Sneaky:
            value: int

            def __setattr__(self, name: str, value: Any) -> None:
                object.__setattr__(self, name, value)


def test_every_dataclass_of_the_package_is_declared_with_record() -> None:
    """`@dataclass` compiles its methods at every start (~0.4 ms a class); `record` does not."""
    package = Path(wellbeing_app.__file__).parent
    found = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                for decorator in node.decorator_list:
                    target = decorator.func if isinstance(decorator, ast.Call) else decorator
                    if ast.unparse(target) in {"dataclass", "dataclasses.dataclass"}:
                        found.append(f"{path.relative_to(package)}:{node.lineno} {node.name}")
    assert found == []
