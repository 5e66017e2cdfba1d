"""`c360 profile --email E | --customer-id C | --record SOURCE:ID` and `c360 profile serve`."""

from __future__ import annotations

import argparse
import sys

import duckdb

from c360.settings import Settings
from c360.warehouse_lock import exclusive_warehouse
from profiles.lookup import ProfileNotFound, Warehouse, find_customer, load_profile
from profiles.text import render_text


def add_profile_parser(sub: argparse._SubParsersAction) -> None:
    profile = sub.add_parser(
        "profile", help="print one customer's profile, or serve the profile web page (`c360 profile serve`)"
    )
    profile.add_argument("action", nargs="?", choices=["serve"], help="serve the read-only profile web page")
    who = profile.add_mutually_exclusive_group()
    who.add_argument("--email", help="any email address of the customer")
    who.add_argument("--customer-id", help="a customer_id (a retired id is followed to its successor)")
    who.add_argument("--record", help="a source record as SOURCE:ID, e.g. crm_contact:10006511760")
    profile.add_argument("--host", default="127.0.0.1", help="serve: interface to listen on")
    profile.add_argument("--port", type=int, default=8360, help="serve: port to listen on")
    profile.set_defaults(func=run_profile_command)


def run_profile_command(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if args.action == "serve":
        from profiles.web import serve

        serve(settings, host=args.host, port=args.port)
        return 0
    if not (args.email or args.customer_id or args.record):
        print("c360 profile: give --email, --customer-id or --record SOURCE:ID (or `serve`)", file=sys.stderr)
        return 2
    if not settings.warehouse.exists():
        print(f"c360 profile: no warehouse at {settings.warehouse}; run `c360 run` first", file=sys.stderr)
        return 2
    # The live warehouse, so an erasure or a finished run shows at once; waits for a writing step.
    with exclusive_warehouse(settings.warehouse), duckdb.connect(str(settings.warehouse), read_only=True) as con:
        warehouse = Warehouse(con)
        try:
            customer_id, asked_for = find_customer(
                warehouse, email=args.email, customer_id=args.customer_id, record=args.record
            )
        except ProfileNotFound as exc:
            print(f"c360 profile: {exc}", file=sys.stderr)
            return 2
        print(render_text(load_profile(warehouse, customer_id, asked_for)))
    return 0
