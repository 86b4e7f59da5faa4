from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from planning.pathway.graph import transition_edges


class Command(BaseCommand):
    help = "Print the case state machine as a Mermaid state diagram (default) or Graphviz DOT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["mermaid", "dot"], default="mermaid")

    def handle(self, *args: Any, **options: Any) -> None:
        edges = transition_edges()
        if options["format"] == "dot":
            lines = ["digraph case {", "  rankdir=LR;"]
            lines += [f'  "{a}" -> "{b}" [label="{t}"];' for a, b, t in edges]
            lines.append("}")
        else:
            lines = ["stateDiagram-v2", "    [*] --> consultation"]
            lines += [f"    {a} --> {b}: {t}" for a, b, t in edges]
            lines += [f"    {s} --> [*]" for s in ("completed", "withdrawn", "ineligible")]
        self.stdout.write("\n".join(lines))
