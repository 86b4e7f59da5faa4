"""The state machine's edges, read from the django-fsm declarations themselves."""

from __future__ import annotations

from planning.pathway.models import Case


def transition_edges() -> list[tuple[str, str, str]]:
    """(source, target, transition) for every declared edge; `resume` fans out to its targets."""
    edges: set[tuple[str, str, str]] = set()
    field = Case._meta.get_field("state")
    for transition in field.get_all_transitions(Case):
        targets = getattr(transition.target, "allowed_states", None) or [transition.target]
        for target in targets:
            edges.add((str(transition.source), str(target), transition.name))
    return sorted(edges, key=_order)


def _order(edge: tuple[str, str, str]) -> tuple[int, str, str]:
    from planning.pathway.states import BOARD_ORDER

    position = {state.value: i for i, state in enumerate(BOARD_ORDER)}
    return (position.get(edge[0], 99), edge[2], edge[1])
