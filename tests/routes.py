"""Every route of the project, read from the URL resolver, and the access actions its view
declares (`@access_action`). Shared by the access-table tests and the never-a-500 test."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from core.access import ACTIONS_ATTR


@dataclass(frozen=True)
class Route:
    pattern: str  # e.g. "cases/<int:case_id>/plan/"
    name: str  # namespaced url name, e.g. "treatment:plan_page"
    actions: dict[str, str]  # HTTP method -> action name; empty if the view declares none

    def fill(self, ids: dict[str, int | str]) -> str:
        """The path with each `<conv:kwarg>` replaced by `ids[kwarg]` (KeyError if missing)."""
        path, rest = "", self.pattern
        while "<" in rest:
            before, _, tail = rest.partition("<")
            inner, _, rest = tail.partition(">")
            path += before + str(ids[inner.split(":")[-1]])
        return "/" + (path + rest).replace("^", "").replace("$", "")

    @property
    def kwargs(self) -> list[str]:
        return [part.split(">")[0].split(":")[-1] for part in self.pattern.split("<")[1:]]


#: URL namespaces whose views check access themselves: the Django admin (its own permission
#: system), and the JSON API and FHIR endpoints, which authenticate tokens inside Django REST
#: framework and take every decision through `api/access.py` with the same actions; their
#: matrix is compared with the pages' in `tests/api/test_access_matrix.py`.
PROGRAM_INTERFACES = frozenset({"admin", "api", "interop"})


def project_routes() -> list[Route]:
    """Every route but the Django admin (its own permission system) and static files."""
    return [r for r in _walk(get_resolver(), "", "") if "<path" not in r.pattern]


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> list[Route]:
    found: list[Route] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name in PROGRAM_INTERFACES:
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            actions = getattr(entry.callback, ACTIONS_ATTR, {})
            found.append(
                Route(prefix + str(entry.pattern), namespace + (entry.name or ""), actions)
            )
    return found
