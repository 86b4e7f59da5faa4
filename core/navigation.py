"""Where each person starts after signing in. Core knows no other app's URLs: the app that owns
the start page registers a function that answers for the users it serves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

StartPage = Callable[[Any], "str | None"]

_start_pages: dict[str, StartPage] = {}


def register_start_page(key: str, start_page: StartPage) -> None:
    """`start_page(user)` returns a URL for users it serves, or None."""
    _start_pages[key] = start_page


def start_page_for(user: Any) -> str | None:
    for start_page in _start_pages.values():
        url = start_page(user)
        if url:
            return url
    return None


NavLink = Callable[[Any], "tuple[str, str] | None"]
_nav_links: dict[str, tuple[int, NavLink]] = {}


def register_nav_link(key: str, order: int, link: NavLink) -> None:
    """`link(user)` returns (label, url) for the users it serves, or None; the header shows
    them in `order` (lower first)."""
    _nav_links[key] = (order, link)


def nav_links_for(user: Any) -> list[tuple[str, str]]:
    links = []
    for _, link in sorted(_nav_links.values(), key=lambda entry: entry[0]):
        found = link(user)
        if found:
            links.append(found)
    return links
