"""Tests for typedsignals.typecompat: accepts(annotation, value_type) and show(tp)."""

# The tables spell types the old way (typing.List, Optional) on purpose: both must work.
# ruff: noqa: UP006, UP007, UP045

from __future__ import annotations

import collections
import collections.abc as cabc
import dataclasses
import enum
import sys
import typing
from typing import Any, NamedTuple, Optional, Union

import pytest
import typing_extensions as te
from hypothesis import given, settings
from hypothesis import strategies as st

from typedsignals import typecompat
from typedsignals.typecompat import accepts, show


def judge(annotation: object, value_type: object) -> bool | None:
    """accepts() without its exception net, so that internal errors fail the test."""
    strict = typecompat._accepts(annotation, value_type)
    assert accepts(annotation, value_type) is strict
    return strict


# -- fixtures: classes and types used in the tables ----------------------------------


class Base: ...


class Derived(Base): ...


class Other: ...


class Color(enum.Enum):
    RED = 1
    GREEN = 2


class Perm(enum.Flag):
    R = 1
    W = 2


UserId = te.NewType("UserId", int)
AdminId = te.NewType("AdminId", UserId)
OrderId = typing.NewType("OrderId", int)

T = typing.TypeVar("T")
TB = typing.TypeVar("TB", bound=Base)
TC = typing.TypeVar("TC", int, str)
TE = te.TypeVar("TE", bound=int)
T_co = typing.TypeVar("T_co", covariant=True)


class Box(typing.Generic[T]): ...


class ROBox(typing.Generic[T_co]): ...


class IntList(list[int]): ...


class MyIntList(IntList): ...


class Pair(typing.Generic[T], dict[str, T]): ...


class Point(NamedTuple):
    x: int
    y: int


@te.runtime_checkable
class Closeable(te.Protocol):
    def close(self) -> None: ...


@typing.runtime_checkable
class Named(typing.Protocol):
    name: str

    def rename(self, new: str) -> None: ...


class NotRuntime(te.Protocol):
    def close(self) -> None: ...


class File:
    def close(self) -> None: ...


class Person:
    name: str

    def rename(self, new: str) -> None: ...


class Ghost:
    def rename(self, new: str) -> None: ...  # name set in __init__, say


class Stone:
    name = "stone"


class Explicit(NotRuntime):
    def close(self) -> None: ...


class Movie(typing.TypedDict):
    title: str
    year: int


class MovieTE(te.TypedDict):
    title: str
    year: int


class MovieMore(te.TypedDict):
    title: str
    year: int
    rating: float


class MovieBool(typing.TypedDict):
    title: str
    year: bool


class MovieMaybe(te.TypedDict):
    title: str
    year: te.NotRequired[int]


class MovieRO(te.TypedDict):
    title: te.ReadOnly[str]
    year: te.ReadOnly[float]


class Node(te.TypedDict):
    name: str
    children: list[Node]


class Tree(te.TypedDict):
    name: str
    children: list[Tree]


class Forest(te.TypedDict):
    name: str
    children: list[Node]
    parent: Tree


class Meta(type): ...


class WithMeta(metaclass=Meta): ...


class CallMe:
    def __call__(self) -> int:
        return 1


@dataclasses.dataclass
class Config:
    debug: bool = False


class HostileEq:
    def __eq__(self, other: object) -> bool:
        raise RuntimeError("no")

    __hash__ = object.__hash__


# -- tables ---------------------------------------------------------------------------

CLASSES = [
    (int, int, True),
    (float, int, True),  # PEP 484 numeric tower
    (complex, float, True),
    (complex, int, True),
    (float, bool, True),
    (int, float, False),
    (str, int, False),
    (int, bool, True),
    (bool, int, False),
    (Base, Derived, True),
    (Derived, Base, False),
    (Base, Other, False),
    (bytes, bytearray, True),
    (object, Other, True),
    (object, None, True),
    (cabc.Hashable, int, True),
    (typing.Hashable, list, False),
    (cabc.Sized, list, True),
    (typing.Sized, int, False),
]

SPECIAL = [
    (Any, int, True),
    (int, Any, True),
    (te.Any, list[str], True),
    (Any, None, True),
    (None, None, True),
    (type(None), None, True),
    (None, type(None), True),
    (None, int, False),
    (int, None, False),
    (te.Never, int, False),
    (int, te.Never, True),
    (int, typing.NoReturn, True),
    (te.LiteralString, te.Literal["a"], True),
    (te.LiteralString, int, False),
    (te.LiteralString, str, None),
    (str, te.LiteralString, True),
]

UNIONS = [
    (Optional[int], int, True),
    (Optional[int], None, True),
    (int | None, None, True),
    (Optional[int], str, False),
    (Union[int, str], str, True),
    (int | str, int | str, True),
    (int | str, Union[str, int], True),
    (int | str | None, Optional[int], True),
    (int, Optional[int], False),
    (int, int | str, False),
    (float, int | bool, True),
    (int | str, bytes | int, False),
    (Base | None, Derived | None, True),
    (int | str, int | typing.Callable[[], None], None),  # one member undecided
    (int | typing.Callable[[], None], str, None),
    (tuple[int] | tuple[str], tuple[int | str], None),  # fits, though no member alone
    (tuple[int] | tuple[str], tuple[bytes], False),
]

TYPES = [
    (type[Base], type[Derived], True),
    (typing.Type[Base], type[Derived], True),
    (type[Derived], type[Base], False),
    (type[Base], Base, False),  # a Base instance is not a class
    (type[Base], Derived, False),
    (type[Base], type[Base | Derived], True),
    (type[Base], type[Base | Other], False),
    (type, type[Base], True),
    (type, Base, False),
    (type[Base], type, True),  # bare type is type[Any], as in mypy
    (type[Any], type[int], True),
    (type[object], type[int], True),
    (type[int], int, False),
    (type[WithMeta], Meta, None),  # a Meta instance is some class: which one?
    (Meta, type[WithMeta], True),
    (type[Base], list[int], False),
    (typing.Type, type[int], True),
    (Base, type[Base], False),
    (cabc.Hashable, type[Base], True),
    (cabc.Iterable, type[Color], True),  # Enum classes iterate (EnumMeta)
]

GENERICS = [
    (list[int], list[int], True),
    (list[str], list[int], False),
    (typing.List[int], list[int], True),
    (list[int], typing.List[int], True),
    (cabc.Sequence[int], list[int], True),
    (typing.Sequence[float], list[int], True),  # covariant
    (cabc.Sequence[int], list[float], False),
    (cabc.Sequence[int], list[str], False),
    (list[float], list[int], False),  # invariant: the receiver might append a float
    (list[Base], list[Derived], False),
    (list[object], list[int], False),
    (list[Any], list[int], True),
    (list[int], list[Any], True),
    (list[list[Any]], list[list[int]], True),
    (list[list[int]], list[list[str]], False),
    (list, list[int], True),
    (list[int], list, True),
    (typing.List, list[int], True),
    (list[int], tuple[int], False),
    (cabc.MutableSequence[float], list[int], False),
    (cabc.MutableSequence[int], list[int], True),
    (cabc.Iterable[int], list[int], True),
    (cabc.Iterable[float], set[bool], True),
    (cabc.Collection[int], frozenset[int], True),
    (frozenset[float], frozenset[int], True),
    (set[float], set[int], False),
    (cabc.Set[float], set[int], True),
    (set[int], frozenset[int], False),
    (dict[str, int], dict[str, int], True),
    (dict[str, float], dict[str, int], False),
    (dict[str, int], dict[bytes, int], False),
    (typing.Dict[str, Any], dict[str, list[int]], True),
    (cabc.Mapping[str, float], dict[str, int], True),
    (typing.Mapping[str, float], typing.Dict[str, bool], True),
    (cabc.Mapping[str, int], dict[str, str], False),
    (cabc.Mapping[float, int], dict[int, int], False),  # keys are invariant in typeshed
    (cabc.MutableMapping[str, float], dict[str, int], False),
    (cabc.Mapping[str, int], collections.Counter[str], True),
    (cabc.Mapping[str, str], collections.Counter[str], False),
    (dict[str, int], collections.defaultdict[str, int], True),
    (cabc.Iterable[str], dict[str, int], True),
    (cabc.Iterable[int], dict[str, int], False),
    (cabc.Sequence[str], str, True),
    (cabc.Sequence[int], str, False),
    (cabc.Iterable[int], bytes, True),
    (cabc.Sequence[int], IntList, True),
    (list[int], MyIntList, True),
    (list[str], MyIntList, False),
    (cabc.Mapping[str, int], Pair[int], True),
    (cabc.Mapping[str, int], Pair[str], False),
    (cabc.Mapping[str, int], Pair, True),
    (Box[int], Box[int], True),
    (Box[float], Box[int], False),  # T is invariant
    (ROBox[float], ROBox[int], True),  # T_co is covariant
    (Box[int], Box, True),
    (cabc.Iterator[int], cabc.Generator[int, None, None], True),
    (cabc.Iterator[str], cabc.Generator[int, None, None], False),
    (cabc.Awaitable[int], cabc.Coroutine[Any, Any, int], True),
    (cabc.Awaitable[str], cabc.Coroutine[Any, Any, int], False),
    (cabc.Generator[int, int, None], cabc.Generator[int, float, None], True),  # send: contra
    (cabc.Generator[int, float, None], cabc.Generator[int, int, None], False),
]

TUPLES = [
    (tuple[int, ...], tuple[int, int], True),
    (tuple[int, ...], tuple[()], True),
    (tuple[float, ...], tuple[int, bool], True),
    (tuple[int, ...], tuple[int, str], False),
    (tuple[int, int], tuple[int, int], True),
    (tuple[int, str], tuple[int, int], False),
    (tuple[int, int], tuple[int], False),
    (tuple[int, int], tuple[int, ...], False),  # any length
    (tuple[int, int], tuple[Any, ...], True),
    (tuple[()], tuple[()], True),
    (tuple[()], tuple[int], False),
    (typing.Tuple[int, ...], typing.Tuple[int, int], True),
    (tuple, tuple[int, str], True),
    (tuple[int, str], tuple, True),
    (tuple[Base, ...], tuple[Derived, ...], True),
    (cabc.Sequence[float], tuple[int, bool], True),
    (cabc.Sequence[int], tuple[int, str], False),
    (cabc.Iterable[int], tuple[()], True),
    (tuple[int, int], Point, True),
    (tuple[int, str], Point, False),
    (tuple[int, ...], Point, True),
    (Point, tuple[int, int], False),
    (tuple[int, te.Unpack[tuple[str, ...]]], tuple[int, str], True),  # not judged: lenient
]

LITERALS = [
    (te.Literal["a", "b"], te.Literal["a"], True),
    (typing.Literal["a", "b"], te.Literal["b", "a"], True),
    (te.Literal["a", "b"], te.Literal["c"], False),
    (te.Literal["a", "b"], te.Literal["a", "c"], False),
    (te.Literal["a"], str, False),  # str is wider
    (str, te.Literal["a"], True),
    (str, te.Literal["a", "b"], True),
    (str, te.Literal[1], False),
    (int, te.Literal[True], True),
    (bool, te.Literal[1], False),
    (te.Literal[1], te.Literal[True], False),  # True == 1, yet not the same literal
    (te.Literal[True], te.Literal[1], False),
    (te.Literal[True, False], bool, True),
    (te.Literal[True], bool, False),
    (te.Literal[True] | te.Literal[False], bool, True),
    (te.Literal[1, 2], int, False),
    (te.Literal[Color.RED, Color.GREEN], Color, True),
    (te.Literal[Color.RED], Color, False),
    (Color, te.Literal[Color.RED], True),
    (te.Literal[Perm.R, Perm.W], Perm, None),  # flags combine
    (te.Literal[Perm.R], Perm, False),
    (te.Literal["a", None], None, True),
    (te.Literal["a"], None, False),
    (te.Literal["a"] | None, te.Literal["a"] | None, True),
    (te.Literal["a"] | int, te.Literal["a", 3], True),
    (te.Literal["a"], UserId, False),
    (float, te.Literal[1], True),
    (te.Literal["a"], typing.Callable[[], str], False),
]

NEWTYPES = [
    (int, UserId, True),
    (float, UserId, True),
    (UserId, int, False),
    (UserId, UserId, True),
    (UserId, AdminId, True),
    (AdminId, UserId, False),
    (UserId, OrderId, False),
    (int, AdminId, True),
    (OrderId, OrderId, True),
    (UserId | None, UserId, True),
    (UserId, te.Literal[1], False),
    (str, UserId, False),
]

TYPEVARS = [
    (T, int, True),
    (T, list[str], True),
    (TB, Derived, True),
    (TB, Other, False),
    (TC, int, True),
    (TC, bool, True),
    (TC, bytes, False),
    (TE, bool, True),
    (TE, str, False),
    (Base, TB, True),
    (Derived, TB, False),
    (int, TC, False),  # TC may be str
    (int | str, TC, True),
    (int, T, None),
    (object, T, True),
    (T, T, True),
    (list[T], list[int], True),  # T is solved to int
    (Box[T], Box[int], True),
]

ANNOTATED_AND_WRAPPERS = [
    (te.Annotated[int, "meta"], int, True),
    (int, typing.Annotated[int, "meta"], True),
    (te.Annotated[str, 1], int, False),
    (list[te.Annotated[int, "x"]], list[int], True),
    (te.Required[int], int, True),
    (int, te.NotRequired[str], False),
    (te.ReadOnly[float], int, True),
    (typing.ClassVar[int], bool, True),
    (typing.Final[str], int, False),
    (te.Annotated[te.Optional[int], "x"], None, True),
]

PROTOCOLS = [
    (Closeable, File, True),
    (Closeable, Other, False),
    (Closeable, Closeable, True),
    (Closeable, NotRuntime, True),  # structurally the same
    (Named, Person, True),
    (Named, Ghost, None),  # a data member may be set in __init__
    (Named, Stone, False),  # rename is missing
    (NotRuntime, File, None),
    (NotRuntime, Explicit, True),  # nominal subclass
    (NotRuntime, NotRuntime, True),
    (typing.SupportsInt, float, True),
    (typing.SupportsInt, str, False),
    (typing.SupportsInt, None, False),
    (Closeable, type[File], None),
    (File, Closeable, False),  # a Closeable is not necessarily a File
]

TYPEDDICTS = [
    (Movie, Movie, True),
    (Movie, MovieTE, True),
    (MovieTE, Movie, True),
    (Movie, MovieMore, True),
    (MovieMore, Movie, False),  # rating is missing
    (Movie, MovieBool, False),  # TypedDict values are invariant
    (MovieMaybe, Movie, False),  # the receiver may delete year
    (Movie, MovieMaybe, False),  # year may be absent
    (MovieMaybe, MovieMaybe, True),
    (MovieRO, Movie, True),  # read-only: covariant, and not deleted
    (Movie, MovieRO, False),
    (Node, Node, True),
    (Node, Tree, True),  # recursive, structurally equal
    (Tree, Forest, True),
    (Node, dict, False),
    (Movie, dict[str, Any], False),
    (Movie, cabc.Mapping[str, object], False),
    (dict, Movie, None),  # mypy refuses; we stay lenient
    (dict[str, Any], Movie, None),
    (cabc.MutableMapping[str, Any], Movie, None),
    (cabc.Mapping[str, object], Movie, True),
    (typing.Mapping[str, Any], MovieTE, True),
    (cabc.Mapping, Movie, True),
    (cabc.Mapping[str, int], Movie, None),
    (cabc.Mapping[int, Any], Movie, False),
    (cabc.Iterable[str], Movie, True),
    (cabc.Iterable[int], Movie, False),
    (cabc.Sized, Movie, True),
    (int, Movie, False),
    (Movie | None, MovieMore, True),
]

CALLABLES = [
    (typing.Callable[[int], str], typing.Callable[[int], str], True),
    (cabc.Callable[[int], str], typing.Callable[[int], str], True),
    (typing.Callable[[int], str], typing.Callable[[str], str], None),
    (typing.Callable, typing.Callable[[int], str], True),
    (typing.Callable[..., Any], cabc.Callable[[int], str], True),
    (cabc.Callable, CallMe, True),
    (cabc.Callable[..., object], type[Base], True),
    (typing.Callable[[], int], CallMe, None),
    (cabc.Callable, int, None),
    (int, typing.Callable[[], int], None),
]

ODD = [
    (3, int, None),
    (int, 3, None),
    ("int", int, None),
    (int, "int", None),
    (typing.ForwardRef("int"), int, None),
    (list[typing.ForwardRef("X")], list[int], None),
    (Config(), int, None),
    (te.TypeGuard[int], bool, None),
    (bool, te.TypeGuard[int], None),
    (te.ParamSpec("P"), int, None),
    (te.Self, Base, None),
    (te.Unpack[tuple[int]], int, None),
    (typing.Final, int, None),
    (HostileEq(), int, None),
    (int, HostileEq(), None),
    (typing.Generic, int, None),
]

ALIASES = [
    (te.TypeAliasType("IntList", list[int]), list[int], True),
    (list[float], te.TypeAliasType("IntList", list[int]), False),
    (te.TypeAliasType("Ints", "list[int]"), list[int], None),  # a string is not resolved
]


def _cases(table: list[tuple[object, object, bool | None]]) -> Any:
    return pytest.mark.parametrize(
        ("annotation", "value_type", "expected"),
        table,
        ids=[f"{show(a)} <- {show(t)}" for a, t, _ in table],
    )


@_cases(CLASSES)
def test_classes(annotation: object, value_type: object, expected: bool | None) -> None:
    assert judge(annotation, value_type) is expected


@_cases(SPECIAL)
def test_special_forms(annotation: object, value_type: object, expected: bool | None) -> None:
    assert judge(annotation, value_type) is expected


@_cases(UNIONS)
def test_unions(annotation: object, value_type: object, expected: bool | None) -> None:
    assert judge(annotation, value_type) is expected


@_cases(TYPES)
def test_type_of(annotation: object, value_type: object, expected: bool | None) -> None:
    assert judge(annotation, value_type) is expected


@_cases(GENERICS)
def test_generics(annotation: object, value_type: object, expected: bool | None) -> None:
    assert judge(annotation, value_type) is expected


@_cases(TUPLES)
def test_tuples(annotation: object, value_type: object, expected: bool | None) -> None:
    assert judge(annotation, value_type) is expected


@_cases(LITERALS)
def test_literals(annotation: object, value_type: object, expected: bool | None) -> None:
    assert judge(annotation, value_type) is expected


@_cases(NEWTYPES)
def test_newtypes(annotation: object, value_type: object, expected: bool | None) -> None:
    assert judge(annotation, value_type) is expected


@_cases(TYPEVARS)
def test_typevars(annotation: object, value_type: object, expected: bool | None) -> None:
    assert judge(annotation, value_type) is expected


@_cases(ANNOTATED_AND_WRAPPERS)
def test_wrappers(annotation: object, value_type: object, expected: bool | None) -> None:
    assert judge(annotation, value_type) is expected


@_cases(PROTOCOLS)
def test_protocols(annotation: object, value_type: object, expected: bool | None) -> None:
    assert judge(annotation, value_type) is expected


@_cases(TYPEDDICTS)
def test_typeddicts(annotation: object, value_type: object, expected: bool | None) -> None:
    assert judge(annotation, value_type) is expected


@_cases(CALLABLES)
def test_callables(annotation: object, value_type: object, expected: bool | None) -> None:
    assert judge(annotation, value_type) is expected


@_cases(ALIASES)
def test_type_aliases(annotation: object, value_type: object, expected: bool | None) -> None:
    assert judge(annotation, value_type) is expected


@_cases(ODD)
def test_odd_forms_are_undecided(
    annotation: object, value_type: object, expected: bool | None
) -> None:
    assert accepts(annotation, value_type) is expected


def test_hostile_objects_never_raise() -> None:
    assert judge(list[int], HostileEq()) is None
    assert judge(HostileEq(), list[int]) is None
    assert judge(list[int], list[HostileEq()]) is None  # type: ignore[misc]
    assert judge(list[HostileEq()], list[int]) is None  # type: ignore[misc]
    with pytest.raises(RuntimeError):
        HostileEq() == 1  # noqa: B015


def test_recursion_terminates_on_self_referencing_dicts() -> None:
    # Deeply self-referential generic nesting: bounded by the depth guard.
    deep: object = int
    for _ in range(200):
        deep = list[deep]  # type: ignore[valid-type]
    assert accepts(deep, deep) is True
    shallower = deep
    assert accepts(typing.get_args(deep)[0], shallower) is None  # too deep to judge
    assert accepts(Forest, Tree) is False  # parent is missing: recursion still ends


SHOW = [
    (int, "int"),
    (None, "None"),
    (type(None), "None"),
    (list[str], "list[str]"),
    (typing.List[str], "List[str]"),
    (dict[str, list[int]], "dict[str, list[int]]"),
    (type[Base], "type[Base]"),
    (typing.Type[Base], "Type[Base]"),
    (int | None, "int | None"),
    (Optional[int], "int | None"),
    (Union[int, str], "int | str"),
    (te.Literal["a"], "Literal['a']"),
    (te.Literal[1, True, None], "Literal[1, True, None]"),
    (te.Literal[Color.RED], "Literal[Color.RED]"),
    (Movie, "Movie"),
    (Closeable, "Closeable"),
    (Any, "Any"),
    (te.Any, "Any"),
    (UserId, "UserId"),
    (T, "T"),
    (tuple[int, ...], "tuple[int, ...]"),
    (tuple[()], "tuple[()]"),
    (typing.Tuple, "Tuple"),
    (typing.Callable[[int], str], "Callable[[int], str]"),
    (cabc.Callable[..., int], "Callable[..., int]"),
    (cabc.Sequence[float], "Sequence[float]"),
    (te.Annotated[int, "meta"], "Annotated[int, 'meta']"),
    (te.NotRequired[int], "NotRequired[int]"),
    (te.Never, "Never"),
    (typing.ForwardRef("Book"), "Book"),
    ("Book", "Book"),
    (Box[int], "Box[int]"),
]


@pytest.mark.parametrize(("tp", "expected"), SHOW, ids=[e for _, e in SHOW])
def test_show(tp: object, expected: str) -> None:
    assert show(tp) == expected


def test_show_local_class_and_oddities() -> None:
    class Book: ...

    assert show(Book) == "Book"
    assert show(type[Book]) == "type[Book]"
    assert show(3) == "3"
    assert isinstance(show(HostileEq()), str)


# -- property-based: random nested typing constructs ---------------------------------

# A type is drawn as a tree, then rendered in two spellings: modern (list[int], X | Y)
# and legacy (typing.List[int], Union[X, Y], Optional[X]). Both denote the same type.

_LEAVES = st.sampled_from(["int", "str", "float", "bool", "None", "Base", "Derived"])
_LITERAL_VALUES = st.sampled_from([1, 0, "a", "b", True, False, None])


def _trees(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves | st.tuples(st.just("Literal"), st.lists(_LITERAL_VALUES, min_size=1, max_size=3)),
        lambda inner: st.one_of(
            st.tuples(st.just("list"), inner),
            st.tuples(st.just("dict"), inner, inner),
            st.tuples(st.just("tuple..."), inner),
            st.tuples(st.just("tuple"), st.lists(inner, max_size=3)),
            st.tuples(st.just("Union"), st.lists(inner, min_size=1, max_size=3)),
            st.tuples(st.just("Optional"), inner),
            st.tuples(st.just("type"), st.sampled_from(["int", "str", "Base", "Derived"])),
            st.tuples(st.just("Sequence"), inner),
            st.tuples(st.just("Mapping"), inner, inner),
        ),
        max_leaves=8,
    )


_CLASSES: dict[str, object] = {
    "int": int,
    "str": str,
    "float": float,
    "bool": bool,
    "None": None,
    "Base": Base,
    "Derived": Derived,
}


def _build(tree: Any, legacy: bool) -> object:
    if isinstance(tree, str):
        return _CLASSES[tree]
    kind, *rest = tree
    if kind == "Literal":
        return te.Literal[tuple(rest[0])]
    if kind == "type":
        return (typing.Type if legacy else type)[_CLASSES[rest[0]]]
    if kind in ("tuple", "Union"):
        items = tuple(_build(x, legacy) for x in rest[0])
        if kind == "tuple":
            return (typing.Tuple if legacy else tuple)[items or ()]
        if legacy:
            return Union[items]
        result = items[0]
        for m in items[1:]:
            result = result | m  # type: ignore[operator]
        return result
    parts = [_build(x, legacy) for x in rest]
    if kind == "Optional":
        return Optional[parts[0]] if legacy else parts[0] | None  # type: ignore[operator]
    if kind == "tuple...":
        return (typing.Tuple if legacy else tuple)[parts[0], ...]
    generic = {
        "list": (typing.List, list),
        "dict": (typing.Dict, dict),
        "Sequence": (typing.Sequence, cabc.Sequence),
        "Mapping": (typing.Mapping, cabc.Mapping),
    }[kind][0 if legacy else 1]
    return generic[tuple(parts)] if len(parts) > 1 else generic[parts[0]]


def _buildable(tree: Any) -> tuple[object, object] | None:
    try:
        return _build(tree, False), _build(tree, True)
    except TypeError:  # e.g. `None | None` or `Literal | Literal` quirks at run time
        return None


@settings(max_examples=400, deadline=None)
@given(_trees(_LEAVES), _trees(_LEAVES))
def test_random_constructs_never_raise(first: Any, second: Any) -> None:
    a, b = _buildable(first), _buildable(second)
    if a is None or b is None:
        return
    for x in (*a, *b):
        for y in (*a, *b):
            assert typecompat._accepts(x, y) in (True, False, None)
            assert accepts(x, y) in (True, False, None)


@settings(max_examples=400, deadline=None)
@given(_trees(_LEAVES))
def test_reflexive_across_spellings(tree: Any) -> None:
    built = _buildable(tree)
    if built is None:
        return
    modern, legacy = built
    assert judge(modern, modern) is not False
    assert judge(modern, legacy) is not False, (show(modern), show(legacy))
    assert judge(legacy, modern) is not False, (show(legacy), show(modern))


@settings(max_examples=300, deadline=None)
@given(_trees(_LEAVES), _trees(_LEAVES))
def test_union_member_is_accepted(first: Any, second: Any) -> None:
    a, b = _buildable(first), _buildable(second)
    if a is None or b is None:
        return
    assert judge(Union[a[0], b[0]], a[1]) is not False
    assert judge(object, a[0]) is True
    if judge(a[0], b[0]) is True:  # widening the annotation keeps it accepted
        assert judge(Optional[a[0]], b[1]) is True
    if judge(a[0], b[0]) is False:  # widening the value type keeps it refused
        assert judge(a[1], Union[b[0], a[0]]) is False


_PEP695 = """\
from typedsignals.typecompat import _accepts as judge, show

space = {}
exec(
    "type Ints = list[int]\\n"
    "from collections.abc import Sequence\\n"
    "type Tree = Sequence[Tree] | int\\n"
    "type Tree2 = Sequence[Tree2] | int\\n"
    "class Inferred[T]: ...\\n",
    space,
)
ints, tree, tree2, inferred = (space[k] for k in ("Ints", "Tree", "Tree2", "Inferred"))
assert judge(ints, list[int]) is True
assert judge(list[str], ints) is False
assert judge(tree, tree2) is True  # recursive aliases: coinduction ends it
assert judge(tree, list[list[int]]) is True  # Sequence is covariant
assert judge(tree, list[list[float]]) is False
assert judge(tree, str) is True  # str is a Sequence[str]: a Tree, coinductively
assert judge(tree, float) is False
assert judge(inferred[int], inferred[int]) is True
assert judge(inferred[float], inferred[int]) is None  # inferred variance: undecided
assert show(ints) == "Ints"
"""


def test_pep695_aliases_and_generics() -> None:
    """PEP 695 syntax needs Python 3.12: run here if this is one, else in a 3.12 venv."""
    if sys.version_info >= (3, 12):
        exec(_PEP695, {})
        return
    import subprocess

    from support.venvs import python_in, venv

    python = python_in(venv("3.12", [], name="typecompat"))
    done = subprocess.run(
        [str(python), "-c", _PEP695], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
