"""envmon: one front door to every stage (DESIGN.md, "CLI")."""

from __future__ import annotations

import typer

from envmon_cli import cmd_crawl, cmd_data, cmd_doctor, cmd_flows, cmd_nlp, cmd_search, cmd_web

app = typer.Typer(
    name="envmon",
    help="Watch what Vietnamese news, forums and public posts say about local environmental issues.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="rich",
)

for module in (cmd_data, cmd_doctor, cmd_nlp, cmd_search, cmd_crawl, cmd_web, cmd_flows):
    module.register(app)


if __name__ == "__main__":
    app()
