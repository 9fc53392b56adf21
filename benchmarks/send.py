"""Sync send scenarios: untyped and typed signals, send_robust, many senders, validated payloads.

Three floors, the least each kind of send can cost in Python:

* untyped (``send/N``): ``[(r, r(signal=s, sender=x, **named)) for r in receivers]``,
  a plain list of receivers and the payload as a dict, as any dispatcher
  of ``**named`` must pass it;
* typed (``send-typed/N``): a tuple of weak references resolved, and each
  receiver called with the payload keys spelled out (``value=value``), as a
  dispatcher that knows the keys can;
* robust (``send_robust/N``): the typed floor with a ``try`` per receiver.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from typing import Any

from typing_extensions import TypedDict

from ._timing import Case, Config, Scenario, sync_loop
from .peers import Peer, Sender, make_positional_receivers, make_receivers

__all__ = ["make_floor", "make_robust_floor", "make_typed_floor", "scenarios"]

SEND_SIZES = (0, 1, 10, 100)
TYPED_SIZES = (1, 10, 100)
SENDERS = 1_000

Pairs = list[tuple[Callable[..., Any], Any]]


def make_floor(receivers: list[Callable[..., Any]], sig: object) -> Callable[..., Any]:
    """The untyped floor: a plain function with the dispatcher's calling convention."""

    def floor(sender: object, **named: Any) -> Pairs:
        return [(r, r(signal=sig, sender=sender, **named)) for r in receivers]

    return floor


def make_typed_floor(receivers: list[Callable[..., Any]], sig: object) -> Callable[..., Any]:
    """The typed floor: weak references resolved, the payload key (``value``) spelled out."""
    refs = tuple(weakref.ref(r) for r in receivers)

    def floor(sender: object, value: Any) -> Pairs:
        return [
            (r, r(signal=sig, sender=sender, value=value))
            for ref in refs
            if (r := ref()) is not None
        ]

    return floor


def make_robust_floor(receivers: list[Callable[..., Any]], sig: object) -> Callable[..., Any]:
    """The robust floor: the typed floor, catching each receiver's Exception."""
    refs = tuple(weakref.ref(r) for r in receivers)

    def floor(sender: object, value: Any) -> Pairs:
        responses = []
        for ref in refs:
            r = ref()
            if r is not None:
                try:
                    response = r(signal=sig, sender=sender, value=value)
                except Exception as err:
                    response = err
                responses.append((r, response))
        return responses

    return floor


def _connected(peer: Peer, n: int, sender: Any = None) -> tuple[Any, list[Callable[..., Any]]]:
    sig = peer.signal()
    receivers = make_positional_receivers(n) if peer.positional else make_receivers(n)
    for r in receivers:
        peer.connect(sig, r, sender)
    return sig, receivers


def _scenario(
    key: str,
    title: str,
    cases: list[Case],
    keep: list[Any],
    baseline: tuple[str, ...],
    config: Config,
    note: str = "",
) -> Scenario:
    def teardown() -> None:
        for item in keep:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], Peer):
                item[0].release(item[1])
        keep.clear()

    return Scenario(key, title, "ns", cases, baseline, config.rounds, note, teardown)


def _peers(peers: dict[str, type[Peer]], *, typed: bool) -> list[Peer]:
    """Each installed peer (Django also cached); typedsignals typed or not."""
    out: list[Peer] = []
    for name, cls in peers.items():
        out.append(cls(typed=typed))
        if name == "django":
            out.append(cls(cached=True))
    return out


def _floor_case(
    label: str, make: Callable[..., Any], n: int, keep: list[Any], config: Config, sender: object
) -> Case:
    receivers = make_receivers(n)
    keep.append(receivers)
    return sync_loop(
        label,
        "floor(sender, value=1)",
        {"floor": make(receivers, object()), "sender": sender},
        config,
    )


def send_scenario(config: Config, peers: dict[str, type[Peer]], n: int) -> Scenario:
    """Untyped signals (Django's kind) against the untyped floor."""
    sender = Sender()
    keep: list[Any] = []
    cases = [_floor_case("floor", make_floor, n, keep, config, sender)]
    for peer in _peers(peers, typed=False):
        sig, receivers = _connected(peer, n)
        keep += [receivers, (peer, sig)]
        stmt, names = peer.send_stmt(sig, sender)
        cases.append(sync_loop(peer.label, stmt, names, config))
    return _scenario(
        f"send/{n}",
        f"send of an untyped signal, {n} receivers",
        cases,
        keep,
        ("floor",),
        config,
        "typedsignals: Signal(); psygnal: emit(sender, 1), positional, returns no responses",
    )


def typed_scenario(config: Config, peers: dict[str, type[Peer]], n: int) -> Scenario:
    """A typed signal (payload keys known) against the typed floor."""
    sender = Sender()
    keep: list[Any] = []
    cases = [_floor_case("floor (typed)", make_typed_floor, n, keep, config, sender)]
    if "typedsignals" in peers:
        peer = peers["typedsignals"](typed=True)
        sig, receivers = _connected(peer, n)
        keep += [receivers, (peer, sig)]
        cases.append(sync_loop(peer.label, *peer.send_stmt(sig, sender), config))
    return _scenario(
        f"send-typed/{n}",
        f"send of a typed signal, {n} receivers",
        cases,
        keep,
        ("floor (typed)",),
        config,
        "typedsignals: Signal[Sender, Payload](); the floor resolves weak references and"
        " spells out value=value",
    )


def robust_scenario(config: Config, peers: dict[str, type[Peer]], n: int) -> Scenario:
    sender = Sender()
    keep: list[Any] = []
    cases = [_floor_case("floor (robust)", make_robust_floor, n, keep, config, sender)]
    for peer in _peers(peers, typed=True):
        sig, receivers = _connected(peer, n)
        keep += [receivers, (peer, sig)]
        robust = peer.robust_stmt(sig, sender)
        if robust is not None:
            cases.append(sync_loop(peer.label, *robust, config))
    return _scenario(
        f"send_robust/{n}",
        f"send_robust of a typed signal, {n} receivers",
        cases,
        keep,
        ("floor (robust)",),
        config,
        "the floor: the typed floor with a try per receiver",
    )


def many_senders_scenario(config: Config, peers: dict[str, type[Peer]]) -> Scenario:
    """One signal, 1,000 senders with one receiver each; send for one of them."""
    count = SENDERS if config.name != "smoke" else 20
    senders = [Sender() for _ in range(count)]
    target = senders[count // 2]
    keep: list[Any] = [senders]
    cases: list[Case] = []
    for peer in _peers(peers, typed=True):
        if not peer.per_sender:
            continue
        sig = peer.signal()
        receivers = make_receivers(count)
        for r, s in zip(receivers, senders, strict=True):
            peer.connect(sig, r, s)
        alone = peer.signal()
        (only,) = make_receivers(1)
        peer.connect(alone, only, target)
        keep += [receivers, only, (peer, sig), (peer, alone)]
        cases.append(sync_loop(f"{peer.label} (1 sender)", *peer.send_stmt(alone, target), config))
        cases.append(sync_loop(f"{peer.label}", *peer.send_stmt(sig, target), config))
    return _scenario(
        f"send/1-of-{count}-senders",
        f"send for 1 of {count} senders (1 receiver each)",
        cases,
        keep,
        ("typedsignals (1 sender)",),
        config,
        "'(1 sender)': the same send on a signal holding only that sender's receiver",
    )


class Order(TypedDict):
    order_id: int
    toppings: list[str]
    price: float


def validated_scenario(config: Config, peers: dict[str, type[Peer]]) -> Scenario | None:
    """A send with ``validate=True`` against pydantic's own validation plus the send."""
    if "typedsignals" not in peers:
        return None
    try:
        import pydantic
    except ImportError:
        return None
    from typedsignals import Signal

    sender = Sender()
    validated = Signal[Sender, Order](validate=True)
    plain = Signal[Sender, Order]()
    receivers = make_receivers(1)
    for sig in (validated, plain):
        sig.connect(receivers[0])
    adapter = pydantic.TypeAdapter(Order)
    toppings = ["cheese", "ham"]
    payload = {"order_id": 1, "toppings": toppings, "price": 9.5}
    stmt = "send(sender, order_id=1, toppings=toppings, price=9.5)"
    cases = [
        sync_loop(
            "pydantic validate_python + send",
            f"validate(payload, strict=True); {stmt}",
            {
                "validate": adapter.validate_python,
                "payload": payload,
                "send": plain.send,
                "sender": sender,
                "toppings": toppings,
            },
            config,
        ),
        sync_loop(
            "typedsignals (validate=True)",
            stmt,
            {"send": validated.send, "sender": sender, "toppings": toppings},
            config,
        ),
        sync_loop(
            "typedsignals (validate=False)",
            stmt,
            {"send": plain.send, "sender": sender, "toppings": toppings},
            config,
        ),
    ]
    return _scenario(
        "send/validated-payload",
        "send of a 3-key payload, 1 receiver",
        cases,
        [receivers],
        ("pydantic validate_python + send",),
        config,
        "pydantic: TypeAdapter(Order).validate_python(payload, strict=True) then an"
        " unvalidated send",
    )


def scenarios(config: Config, peers: dict[str, type[Peer]]) -> Iterator[Scenario]:
    for n in SEND_SIZES:
        yield send_scenario(config, peers, n)
    for n in TYPED_SIZES:
        yield typed_scenario(config, peers, n)
    for n in TYPED_SIZES:
        yield robust_scenario(config, peers, n)
    yield many_senders_scenario(config, peers)
    validated = validated_scenario(config, peers)
    if validated is not None:
        yield validated
