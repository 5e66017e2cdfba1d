"""Access logs as nginx and Apache write and logrotate rotates them: named formats, every line exactly once."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import shutil
from pathlib import Path

import pytest

from ingestion.mapping import MappingError
from ingestion.pipelines import run_ingestion
from tests.test_ingestion_helpers import quarantine, query, settings_for

UTC = dt.UTC


def _line(n: int, path: str = "/p", tail: str = "") -> str:
    """One request in Apache/nginx combined format (https://httpd.apache.org/docs/current/logs.html#combined)."""
    return (
        f'203.0.113.{n % 250} - - [29/Sep/2026:10:{n // 60:02d}:{n % 60:02d} +0000] "GET {path}?n={n} HTTP/1.1" 200 {100 + n}'
        f' "https://ref.test/" "Mozilla/5.0"{tail}\n'
    )


def _accounting(settings) -> list[tuple]:
    """Per load-report row: (file, read, loaded, quarantined, suppressed, already read), checking the sum closes."""
    rows = query(
        settings,
        "SELECT source_file, rows_read, rows_loaded, rows_quarantined, rows_suppressed, rows_already_read"
        " FROM raw_web.load_report WHERE entity = 'access_log' ORDER BY _dlt_load_id, source_file",
    )
    for name, read, loaded, quarantined, suppressed, already in rows:
        assert read == loaded + quarantined + suppressed + already, name
    return rows


def test_nginx_main_format_keeps_forwarded_for_out_of_the_visitor_id(tmp_path, monkeypatch):
    """nginx's default nginx.conf declares `log_format main '$remote_addr - $remote_user [$time_local]
    "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"'`
    (https://nginx.org/en/docs/http/ngx_http_log_module.html, and the nginx.conf shipped by nginx.org packages)."""
    monkeypatch.setenv("SOURCES__WEB__LOG_FORMAT", "main")
    settings = settings_for(tmp_path)
    (settings.landing / "web" / "access.log").write_text(
        '10.0.0.7 - - [29/Sep/2026:10:00:00 +0200] "GET /pricing?utm_source=news HTTP/1.1" 200 512 "-" "Mozilla/5.0"'
        ' "198.51.100.23, 10.0.0.1"\n'
        '10.0.0.7 - alice [29/Sep/2026:10:00:01 +0200] "GET / HTTP/1.1" 304 0 "-" "curl/8.0" "-"\n'
    )
    run_ingestion(settings, ["web"])
    assert query(
        settings,
        "SELECT remote_user, requested_at, utm_source, visitor_id, forwarded_for FROM raw_web.access_log ORDER BY _source_line",
    ) == [
        (None, dt.datetime(2026, 9, 29, 8, tzinfo=UTC), "news", None, "198.51.100.23, 10.0.0.1"),
        ("alice", dt.datetime(2026, 9, 29, 8, 0, 1, tzinfo=UTC), None, None, None),
    ]


def test_combined_format_never_takes_an_address_list_as_visitor_id(tmp_path):
    """A `main`-format log read as combined: the trailing "$http_x_forwarded_for" field is not a
    cookie, so no visitor id; a real cookie field (Apache "%{Cookie}i") still gives one
    (https://httpd.apache.org/docs/current/mod/mod_log_config.html#formats)."""
    settings = settings_for(tmp_path)
    (settings.landing / "web" / "access.log").write_text(
        _line(1, tail=' "198.51.100.23, 10.0.0.1"')
        + _line(2, tail=' "2001:db8::1"')
        + _line(3, tail=' "ajs_anonymous_id=%22a-9%22"')
    )
    run_ingestion(settings, ["web"])
    assert query(settings, "SELECT visitor_id FROM raw_web.access_log ORDER BY _source_line") == [
        (None,),
        (None,),
        ("a-9",),
    ]


def test_common_log_format_and_a_user_declared_pattern(tmp_path, monkeypatch):
    """Apache's Common Log Format `%h %l %u %t "%r" %>s %b` (https://httpd.apache.org/docs/current/logs.html#common),
    then a pattern declared in configuration for nginx `$time_iso8601` logs
    (https://nginx.org/en/docs/http/ngx_http_log_module.html#log_format)."""
    monkeypatch.setenv("SOURCES__WEB__LOG_FORMAT", "common")
    settings = settings_for(tmp_path)
    (settings.landing / "web" / "access.log").write_text(
        '127.0.0.1 - frank [10/Oct/2026:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326\n'
        + _line(4)  # combined has two more fields: not common
    )
    run_ingestion(settings, ["web"])
    assert query(settings, "SELECT ip, remote_user, requested_at, path, bytes, referrer FROM raw_web.access_log") == [
        ("127.0.0.1", "frank", dt.datetime(2026, 10, 10, 20, 55, 36, tzinfo=UTC), "/apache_pb.gif", 2326, None)
    ]
    assert [(r[0], r[2]) for r in quarantine(settings, "web", "access.log")] == [(2, "not a common-format log line")]

    monkeypatch.setenv(
        "SOURCES__WEB__LOG_FORMAT",
        r'^(?P<time>\S+) (?P<ip>\S+) "(?P<request>[^"]*)" (?P<status>\d{3}) vid=(?P<cookie>\S+)$',
    )
    custom = settings_for(tmp_path / "custom")
    (custom.landing / "web" / "app.log").write_text(
        '2026-09-29T10:00:00+02:00 192.0.2.1 "GET /cart HTTP/2.0" 200 vid=v-1\n'
    )
    run_ingestion(custom, ["web"])
    assert query(custom, "SELECT ip, requested_at, path, status, visitor_id FROM raw_web.access_log") == [
        ("192.0.2.1", dt.datetime(2026, 9, 29, 8, tzinfo=UTC), "/cart", 200, "v-1")
    ]


def test_an_unknown_format_or_a_pattern_without_required_groups_is_one_clear_error(tmp_path, monkeypatch):
    settings = settings_for(tmp_path)
    monkeypatch.setenv("SOURCES__WEB__LOG_FORMAT", "caddy")
    with pytest.raises(MappingError, match="unknown access-log format 'caddy'"):
        run_ingestion(settings, ["web"])
    monkeypatch.setenv("SOURCES__WEB__LOG_FORMAT", r"^(?P<ip>\S+) (?P<when>.*)$")
    with pytest.raises(
        MappingError, match=r"missing group\(s\) \['time', 'request', 'status'\]; unknown group\(s\) \['when'\]"
    ):
        run_ingestion(settings, ["web"])


def _append(path: Path, *lines: str) -> None:
    with path.open("a") as f:
        f.writelines(lines)
    stamp = path.stat().st_mtime + 1  # keep discovery's oldest-first order deterministic on fast file systems
    os.utime(path, (stamp, stamp))


def _gzip(path: Path, target: Path) -> None:
    with path.open("rb") as src, gzip.open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
    path.unlink()


def test_rotating_a_live_log_loads_every_line_exactly_once(tmp_path):
    """logrotate's numbered scheme (access.log -> access.log.1 -> access.log.2.gz with
    `delaycompress`) and its `dateext` scheme (access.log-20260929, then .gz)
    (https://man7.org/linux/man-pages/man8/logrotate.8.html), across six ingestion runs; nginx
    keeps writing to the renamed file until it reopens its log. Two identical requests in the
    same second are two rows; one garbled line is quarantined once."""
    settings = settings_for(tmp_path)
    web = settings.landing / "web"
    live = web / "access.log"
    same = _line(2)
    written: list[str] = []

    def write(path: Path, *lines: str) -> None:
        written.extend(lines)
        _append(path, *lines)

    write(live, _line(1), same, same, "garbled line\n")
    run_ingestion(settings, ["web"])  # 1: first read
    write(live, _line(4), _line(5))
    run_ingestion(settings, ["web"])  # 2: the file grew
    live.rename(web / "access.log.1")
    write(web / "access.log.1", _line(6))  # written before nginx reopened the log
    write(live, _line(7))
    run_ingestion(settings, ["web"])  # 3: numbered rotation
    _gzip(web / "access.log.1", web / "access.log.2.gz")
    live.rename(web / "access.log.1")
    write(live, _line(8), _line(8))
    run_ingestion(settings, ["web"])  # 4: delayed compression of the older copy
    live.rename(web / "access.log-20260929")
    write(web / "access.log-20260929", _line(9))
    write(live, _line(10))
    run_ingestion(settings, ["web"])  # 5: dateext rotation
    _gzip(web / "access.log-20260929", web / "access.log-20260929.gz")
    write(live, _line(11))
    run_ingestion(settings, ["web"])  # 6: dateext compression

    loaded = query(settings, "SELECT query FROM raw_web.access_log ORDER BY requested_at, _source_file, _source_line")
    good = [line for line in written if line != "garbled line\n"]
    assert sorted(q for (q,) in loaded) == sorted(f"n={int(line.split('?n=')[1].split(' ')[0])}" for line in good)
    assert len(loaded) == 12  # requests 1, 2, 2, 4, 5, 6, 7, 8, 8, 9, 10, 11
    assert [r[2] for r in query(settings, "SELECT * FROM raw_web.quarantine WHERE entity = 'access_log'")] == [
        "garbled line"
    ]

    rows = _accounting(settings)
    assert sum(r[2] for r in rows) == len(good) and sum(r[3] for r in rows) == 1
    assert [(r[0], r[1], r[2], r[5]) for r in rows] == [
        ("access.log", 4, 3, 0),  # run 1 (+1 quarantined)
        ("access.log", 6, 2, 4),  # run 2: grew by two lines
        ("access.log", 1, 1, 0),  # run 3: the new live log ...
        ("access.log.1", 7, 1, 6),  # ... and the line written after the rename
        ("access.log", 2, 2, 0),  # run 4: access.log.1 is the old access.log (same content: skipped by hash)
        ("access.log.2.gz", 7, 0, 7),  # compressed copy of lines already read
        ("access.log", 1, 1, 0),  # run 5
        ("access.log-20260929", 3, 1, 2),
        ("access.log", 2, 1, 1),  # run 6 ...
        ("access.log-20260929.gz", 3, 0, 3),  # ... and the compressed dateext copy
    ]


def test_copytruncate_rotation_reads_the_copy_tail_and_the_truncated_log_once(tmp_path):
    """logrotate `copytruncate` (https://man7.org/linux/man-pages/man8/logrotate.8.html): the live
    log is copied to access.log.1, lines may land in the copy before the truncation, and the live
    file starts again from zero."""
    settings = settings_for(tmp_path)
    web = settings.landing / "web"
    live = web / "access.log"
    _append(live, _line(1), _line(2))
    run_ingestion(settings, ["web"])
    _append(live, _line(3))  # written after the last read, before the copy
    shutil.copyfile(live, web / "access.log.1")
    live.write_text("")
    _append(live, _line(4))
    run_ingestion(settings, ["web"])
    assert sorted(q for (q,) in query(settings, "SELECT query FROM raw_web.access_log")) == ["n=1", "n=2", "n=3", "n=4"]
    assert [(r[0], r[1], r[2], r[5]) for r in _accounting(settings)] == [
        ("access.log", 2, 2, 0),
        ("access.log", 1, 1, 0),
        ("access.log.1", 3, 1, 2),
    ]


def test_default_names_cover_red_hat_and_rotated_logs(tmp_path):
    """Red Hat's httpd writes /var/log/httpd/access_log, rotated to access_log-20260929
    (https://access.redhat.com/documentation/en-us/red_hat_enterprise_linux/7/html/system_administrators_guide/ch-web_servers);
    Debian's nginx writes access.log, rotated to access.log.1 and access.log.2.gz; vhost logs are *.log."""
    settings = settings_for(tmp_path)
    web = settings.landing / "web"
    for number, name in enumerate(("access_log", "access_log-20260928", "access.log.1", "shop.example.com.log"), 1):
        (web / name).write_text(_line(number))
    with gzip.open(web / "access_log-20260927.gz", "wt") as f:
        f.write(_line(5))
    with gzip.open(web / "access.log.2.gz", "wt") as f:
        f.write(_line(6))
    run_ingestion(settings, ["web"])
    assert sorted(r[0] for r in query(settings, "SELECT _source_file FROM raw_web.access_log")) == [
        "access.log.1",
        "access.log.2.gz",
        "access_log",
        "access_log-20260927.gz",
        "access_log-20260928",
        "shop.example.com.log",
    ]
