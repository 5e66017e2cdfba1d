"""The `c360` command: one entry point for every stage."""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from c360.errors import UserError
from c360.logs import configure_logging
from c360.pipeline_config import STAGES
from c360.settings import CONFIG_DIR, SAMPLE_TRUTH, Settings
from c360.warehouse_lock import exclusive_warehouse

DESTINATIONS_FILE = CONFIG_DIR / "destinations.yml"  # activation.destinations' default, without importing it


def _cmd_run(args: argparse.Namespace) -> int:
    # Loading (imports, dbt's manifest, the definitions) makes ~400k objects that live as long as the
    # run and almost no garbage; the runner freezes them and switches the collector back on.
    gc.disable()
    from c360.preflight import preflight
    from c360.runner import run_pipeline_with_summary

    settings = _settings(args)
    checked = preflight(settings)
    for note in checked.notes:
        print(f"c360 run: {note}")
    if checked.problems:
        raise UserError("\n".join(f"c360 run: {problem}" for problem in checked.problems))
    result, summary = run_pipeline_with_summary(settings, args.select or (), verbose=args.verbose)
    print(summary.render())
    print(f"warehouse: {settings.warehouse}\nexports:   {settings.exports}")
    if not result.success:
        print("c360: pipeline failed; the failing step's error is above and in the Dagster UI", file=sys.stderr)
        return 1
    return 0


def _settings(args: argparse.Namespace) -> Settings:
    """Paths from the environment, with the run's own --landing/--warehouse on top."""
    settings = Settings.from_env()
    overrides = {
        name: Path(value).expanduser().resolve()
        for name, value in (("landing", args.landing), ("warehouse", args.warehouse))
        if value
    }
    return dataclasses.replace(settings, **overrides)


def _cmd_ui(args: argparse.Namespace) -> int:
    from c360.ui import serve_ui

    return serve_ui(args.host, args.port)


def _cmd_generate(args: argparse.Namespace) -> int:
    from c360_generator import generate

    counts = generate(Path(args.out), Path(args.truth), n_people=args.people, seed=args.seed, days=args.days)
    for name, rows in counts.items():
        print(f"{name}: {rows}")
    return 0


def _cmd_resolve(args: argparse.Namespace) -> int:
    from identity.cli_commands import parse_mapping, print_resolve_summary
    from identity.dates import check_date_format
    from identity.files import ResolveInputError, ResolveOptions, resolve_files

    try:
        mappings = [parse_mapping(m) for m in args.mapping]
        if len(mappings) not in (1, len(args.inputs)):
            raise ResolveInputError("give one --mapping for all files or one per file")
        options = ResolveOptions(
            threshold=args.threshold,
            link_only=args.link_only,
            one_to_one=args.one_to_one,
            model_path=Path(args.model) if args.model else None,
            date_format=check_date_format(args.date_format),
            truth=Path(args.truth) if args.truth else None,
        )
        summary = resolve_files(
            [Path(p) for p in args.inputs],
            mappings[0] if len(mappings) == 1 else mappings,
            Path(args.out),
            options=options,
        )
    except ValueError as exc:  # ResolveInputError, or an unknown date format
        print(f"c360 resolve: {exc}", file=sys.stderr)
        return 2
    print_resolve_summary(summary)
    print(json.dumps(summary, indent=2, default=str))
    return 0


def _cmd_identity_train(args: argparse.Namespace) -> int:
    from identity.train import train_model

    settings = Settings.from_env()
    with exclusive_warehouse(settings.warehouse):
        print(f"model written to {train_model(settings)}")
    return 0


def _cmd_identity_evaluate(args: argparse.Namespace) -> int:
    from identity.cli_commands import identity_evaluate

    settings = Settings.from_env()
    with exclusive_warehouse(settings.warehouse):
        metrics = identity_evaluate(settings, Path(args.truth), Path(args.reports) if args.reports else None)
    print(json.dumps(metrics, indent=2))
    return 0


def _cmd_identity_explain(args: argparse.Namespace) -> int:
    from identity.config import load_identity_config
    from identity.explain import explain_command

    return explain_command(
        Settings.from_env(),
        load_identity_config(),
        customer_id=args.customer_id,
        record=args.record,
        pair=args.pair,
        reports_dir=Path(args.reports) if args.reports else None,
    )


def _cmd_sync(args: argparse.Namespace) -> int:
    from activation.destinations import DestinationConfigError
    from activation.sync import SyncRefused, sync_destination

    settings = Settings.from_env()
    try:
        report = sync_destination(
            settings,
            args.destination,
            args.segment,
            dry_run=args.dry_run,
            allow_mass_removal=args.allow_mass_removal,
            config_path=Path(args.config),
        )
    except (DestinationConfigError, SyncRefused) as exc:
        print(f"c360 sync: {exc}", file=sys.stderr)
        return 2
    print(f"{args.destination}: {report.status} {json.dumps(report.counts())}")
    if report.error:
        print(f"error: {report.error}", file=sys.stderr)
    return 0 if report.status in ("success", "dry_run") else 1


def _cmd_forget(args: argparse.Namespace) -> int:
    from privacy.forget import forget
    from profiles.snapshot import publish_snapshot, snapshot_path

    settings = Settings.from_env()
    try:  # a bad destinations file is a DestinationConfigError, itself a ValueError
        report = forget(
            settings, email=args.email, customer_id=args.customer_id, now=args.now, config_path=Path(args.config)
        )
    except ValueError as exc:
        print(f"c360 forget: {exc}", file=sys.stderr)
        return 2
    if snapshot_path(settings.warehouse).exists():  # the profile page must not keep serving the person
        publish_snapshot(settings.warehouse)
    print(
        f"erasure {report.erasure_id}: {report.customers} customer id(s), {report.records} source record(s), "
        f"{report.rows_deleted} rows deleted, {report.identities_suppressed} identities suppressed"
    )
    for table, rows in sorted(report.tables_touched.items()):
        print(f"  {table}: {rows}")
    for name in sorted({*report.destinations, *(report.forwarded or {})}):  # forwarded: earlier erasures too
        result = (report.forwarded or {}).get(name)
        state = (
            "not forwardable: remove the person there by hand (see privacy.erasure_forwarding)"
            if result is None
            else "removal confirmed"
            if result.pending == 0
            else f"removal failed, retried on its next sync: {result.error}"
            if result.error
            else "removal waits for the address: run `c360 forget --email <address> --now`"
            if result.needs_email
            else "removal queued for its next sync"
        )
        print(f"  destination {name}: {state}")
    return 0


def _cmd_export_person(args: argparse.Namespace) -> int:
    from privacy.access import export_person

    try:
        summary = export_person(Settings.from_env(), Path(args.out), email=args.email, customer_id=args.customer_id)
    except ValueError as exc:
        print(f"c360 export-person: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}: {summary}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from c360.report import write_report

    settings = Settings.from_env()
    out = write_report(settings.warehouse, Path(args.out) if args.out else settings.reports / "measurement.html")
    print(f"wrote {out}")
    return 0


def _person_arguments(command: argparse.ArgumentParser, customer_id_help: str) -> None:
    """How the privacy commands name a person: exactly one of an email address or a customer id."""
    who = command.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", help="any email address of the person")
    who.add_argument("--customer-id", help=customer_id_help)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="c360", description=__doc__)
    parser.add_argument(
        "--verbose", "-v", action="store_true", help="debug logging, Dagster's event stream, and tracebacks for errors"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the whole pipeline (ingest, identity, dbt, exports) through Dagster")
    run.add_argument(
        "--landing", help="folder holding crm/, web/ and email/ (default: $C360_LANDING, else the bundled sample)"
    )
    run.add_argument("--warehouse", help="DuckDB file to write (default: $C360_WAREHOUSE, else warehouse/c360.duckdb)")
    run.add_argument(
        "--select",
        nargs="+",
        choices=STAGES,
        metavar="STAGE",
        help=f"run only these stages ({', '.join(STAGES)}); default: all",
    )
    run.set_defaults(func=_cmd_run)

    ui = sub.add_parser(
        "ui", help="start the Dagster UI (lineage, runs, checks); Ctrl-C or SIGTERM stops it and its children"
    )
    ui.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    ui.add_argument("--port", type=int, default=3000, help="port (default: 3000)")
    ui.set_defaults(func=_cmd_ui)

    report = sub.add_parser(
        "report",
        help="write the measurement report (segments, funnels, cohorts, attribution) as one self-contained HTML file",
    )
    report.add_argument("--out", help="the HTML file to write (default: <reports>/measurement.html)")
    report.set_defaults(func=_cmd_report)

    gen = sub.add_parser("generate", help="generate a synthetic customer universe with ground truth")
    gen.add_argument("--people", type=int, default=2000, help="people in the universe (default: 2000)")
    gen.add_argument("--seed", type=int, default=42, help="random seed; same seed, same files (default: 42)")
    gen.add_argument("--days", type=int, default=30, help="days of web and email activity (default: 30)")
    gen.add_argument("--out", required=True, help="landing root to write crm/, web/, email/ into")
    gen.add_argument("--truth", required=True, help="truth CSV path (keep it outside --out)")
    gen.set_defaults(func=_cmd_generate)

    res = sub.add_parser("resolve", help="deduplicate one person CSV or link several, with any headers")
    res.add_argument("inputs", nargs="+", help="one CSV to dedupe, or several to link")
    res.add_argument(
        "--mapping",
        action="append",
        required=True,
        help="FIELD=HEADER,... (fields: record_id, first_name, last_name, full_name, email, phone, "
        "dob, street_number, street, address_2, city, postcode, state, country, and any number "
        "of id:NAME, e.g. id:ssn=SSN); once for all files or once per file",
    )
    res.add_argument("--out", required=True, help="folder for clusters.csv, pairs.csv, normalisation_report.csv")
    res.add_argument("--threshold", type=float, help="match probability an edge needs (default: config)")
    res.add_argument("--model", help="score with this saved Splink model instead of estimating one on the input")
    res.add_argument(
        "--date-format",
        help="read every date as YYYY-MM-DD, YYYYMMDD, DD/MM/YYYY, MM/DD/YYYY, "
        "DD.MM.YYYY or excel (default: detected per file)",
    )
    res.add_argument("--link-only", action="store_true", help="join records of different files only")
    res.add_argument(
        "--one-to-one",
        action="store_true",
        help="each record joins at most one record of each other file (implies --link-only)",
    )
    res.add_argument("--truth", help="CSV (record_id, entity_id): also report precision, recall and blocking recall")
    res.set_defaults(func=_cmd_resolve)

    ident = sub.add_parser("identity", help="train or evaluate the identity resolution model")
    ident_sub = ident.add_subparsers(dest="identity_command", required=True)
    train = ident_sub.add_parser("train", help="re-estimate the Splink model from the warehouse (saves JSON)")
    train.set_defaults(func=_cmd_identity_train)
    ev = ident_sub.add_parser("evaluate", help="precision/recall against a truth file, plus Splink charts")
    ev.add_argument("--truth", default=str(SAMPLE_TRUTH))
    ev.add_argument("--reports", help="folder for the charts (default: $C360_REPORTS/identity)")
    ev.set_defaults(func=_cmd_identity_evaluate)
    exp = ident_sub.add_parser("explain", help="why records are one customer (edges, rules, match-weight waterfall)")
    what = exp.add_mutually_exclusive_group(required=True)
    what.add_argument("--customer-id", help="a customer_id of identity.customer_map")
    what.add_argument("--record", help="SOURCE:ID of one record; explains its customer")
    what.add_argument("--pair", nargs=2, metavar=("SOURCE:ID", "SOURCE:ID"), help="two records, merged or not")
    exp.add_argument("--reports", help="folder for the waterfall chart (default: $C360_REPORTS/identity)")
    exp.set_defaults(func=_cmd_identity_explain)

    sync = sub.add_parser("sync", help="send a segment to a destination from config/destinations.yml")
    sync.add_argument("destination")
    sync.add_argument("--segment", help="send this segment instead of the destination's own")
    sync.add_argument("--dry-run", action="store_true", help="compute the changes, send and record nothing")
    sync.add_argument(
        "--allow-mass-removal",
        action="store_true",
        help="go ahead even when more than the destination's max_removal_share of members would leave",
    )
    sync.add_argument("--config", default=str(DESTINATIONS_FILE), help="the destinations file")
    sync.set_defaults(func=_cmd_sync)

    forget = sub.add_parser("forget", help="erase a person everywhere and keep their data out of later loads")
    _person_arguments(forget, "the person's customer_id (a retired id is followed to its successor)")
    forget.add_argument(
        "--now", action="store_true", help="send HTTP destinations their removal now instead of on their next sync"
    )
    forget.add_argument("--config", default=str(DESTINATIONS_FILE), help="the destinations file")
    forget.set_defaults(func=_cmd_forget)

    access = sub.add_parser("export-person", help="write every row the warehouse holds about a person as JSON")
    _person_arguments(access, "the person's customer_id")
    access.add_argument("--out", required=True, help="the JSON file to write")
    access.set_defaults(func=_cmd_export_person)

    from profiles.cli import add_profile_parser

    add_profile_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.verbose)
    try:
        return args.func(args)
    except UserError as exc:
        if args.verbose:
            raise
        print(str(exc) if str(exc).startswith("c360") else f"c360 {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
