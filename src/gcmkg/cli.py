"""The gcmkg command line: one verb per pipeline step, the same flags everywhere.

Exit codes: 0 ok, 1 the data does not conform (a violation found), 2 usage or input error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__, describe, docs, export, publish, query, validate
from .errors import InputError, UsageError
from .reason import ENGINES, engine_name


def workers(text: str) -> int:
    """A --jobs value: a positive number of worker processes (0 or less would build nothing)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of worker processes")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gcmkg", description="Knowledge graph of the GCM regional reviews.")
    p.add_argument("--version", action="version", version=f"gcmkg {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = sub.add_parser("build", help="convert review reports (default: graph/sources/*.md) into graph/")
    b.add_argument("reports", nargs="*", type=Path, metavar="REPORT",
                   help="a report as Markdown, Word (.docx) or PDF, the format told by the content")
    b.add_argument("-o", "--out", type=Path, help="output folder (default: graph/)")
    b.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
    b.add_argument("--allow-invalid", action="store_true",
                   help="write graphs that do not conform to the shapes (they are refused by default)")
    b.add_argument("--reasoner", choices=ENGINES,
                   help="OWL RL engine: gcmkg's compiled rules, or owlrl, the reference implementation; both give "
                        "the same bytes (default: $GCMKG_REASONER, else rules)")
    b.add_argument("--jobs", type=workers, metavar="N",
                   help="worker processes, one report each at a time (default: $GCMKG_JOBS, else one per core)")
    b.add_argument("--shacl", choices=validate.ENGINES,
                   help="SHACL engine: rudof (fast) or pyshacl (the reference); the same results "
                        "(default: $GCMKG_SHACL, else rudof)")

    v = sub.add_parser("validate", help="validate graph files against the SHACL shapes and *-violation.rq queries")
    validate.add_arguments(v)

    query.add_query_arguments(sub.add_parser("query", help="run a canned query (see `gcmkg queries`) or a .rq file"))
    query.add_queries_arguments(sub.add_parser("queries", help="list the canned queries"))
    x = sub.add_parser("export", help="write the whole graph in one RDF syntax (TriG/N-Quads: one named graph per source)")
    export.add_arguments(x)
    d = sub.add_parser("describe", help="write the DCAT/VoID description of the graph (as in graph/void.ttl)")
    describe.add_arguments(d)
    o = sub.add_parser("docs", help="write the HTML documentation of the ontology (graph/docs/)")
    docs.add_arguments(o)
    u = sub.add_parser("publish", help="upload the graph to a SPARQL 1.1 Graph Store, one named graph per source")
    publish.add_arguments(u)

    from . import serve, site  # light: the web stack (Starlette, Jinja2) is imported by `run`
    serve.add_arguments(sub.add_parser("serve", help="serve the graph: linked-data pages, charts, SPARQL endpoint"))
    site.add_arguments(sub.add_parser("site", help="write the pages and RDF documents as a static site, with w3id "
                                                   "redirect rules"))

    c = sub.add_parser("check", help="check the ontology and the reference graph")
    c.add_argument("--format", choices=["text", "json"], default="text")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["query"] and {"-h", "--help"} & set(argv):  # `gcmkg query NAME --help`: the query's own help
        named = [a for a in argv[1:] if not a.startswith("-")]
        if named:
            try:
                sys.stdout.write(query.query_help(query.find_query(named[0])))
            except query.UsageError:
                pass
    args = parser().parse_args(argv)
    try:
        if args.command == "build":
            from .build import NotConforming, build
            for variable, check, value in (("GCMKG_REASONER", engine_name, args.reasoner),
                                           ("GCMKG_SHACL", validate.engine_name, args.shacl)):
                try:
                    check(value)
                except ValueError as err:  # the flags are checked by argparse: only the environment can be wrong
                    print(f"error: {variable}: {err}", file=sys.stderr)
                    return 2
            try:
                build(args.reports, args.out, quiet=args.quiet, allow_invalid=args.allow_invalid,
                      jobs=args.jobs, reasoner=args.reasoner, engine=args.shacl)
            except NotConforming as failure:
                for source, report in failure.reports:
                    print(f"error: {source}: the graph does not conform; nothing written "
                          "(see below, or build with --allow-invalid)", file=sys.stderr)
                    print(report.text("en"), file=sys.stderr)
                return 1
            return 0
        if args.command == "validate":
            return validate.run(args)
        if args.command == "query":
            return query.run_query(args)
        if args.command == "queries":
            return query.run_queries(args)
        if args.command == "export":
            return export.run(args)
        if args.command == "describe":
            return describe.run(args)
        if args.command == "docs":
            return docs.run(args)
        if args.command == "publish":
            return publish.run(args)
        if args.command == "serve":
            from .serve import run as serve_run
            return serve_run(args)
        if args.command == "site":
            from .site import run as site_run
            return site_run(args)
        if args.command == "check":
            from .check import run
            return run(args.format)
    except (InputError, UsageError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except FileNotFoundError as err:
        print(f"error: {err.filename}: no such file", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())
