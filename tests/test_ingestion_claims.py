"""Web and email landing folders claimed like CRM ones: every file by exactly one resource, the rest `unmatched`.

Shapes: Segment's storage destinations write `segment-logs/<source-id>/<received-day>/<epoch-ms>.<id>.gz`
(https://segment.com/docs/connections/storage/catalog/aws-s3/); logrotate renames a live log to
`access.log.1`, `access.log-20260929` with `dateext` and gzips older ones (https://linux.die.net/man/8/logrotate);
Red Hat's httpd writes `access_log`; Mailchimp's audience export is one CSV per status named
`subscribed_members_export_<id>.csv` (https://mailchimp.com/help/view-export-contacts/); Klaviyo's
profile export is a CSV named after the list (https://help.klaviyo.com/hc/en-us/articles/115005237068).
"""

from __future__ import annotations

import zipfile

from ingestion.landing import still_landed
from ingestion.sources import email_entities, mapped_landing, web_landing


def _touch(folder, *names: str) -> None:
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("x\n")


def _claimed(landing) -> dict:
    return {owner: sorted(f.name for f in files) for owner, files in landing.files().items()}


def test_web_archive_objects_and_rotated_logs_are_claimed_and_anything_else_is_unmatched(tmp_path):
    _touch(
        tmp_path,
        "segment-logs/src1/1727568000000/1727612345678.0a1b2c3d.gz",
        "events.jsonl",
        "batch.json",
        "access.log",
        "access.log.1",
        "access.log-20260929.gz",
        "access_log",
        "notes.txt",
        "export.pdf",
    )
    assert _claimed(web_landing(tmp_path)) == {
        "events": ["batch.json", "events.jsonl", "segment-logs/src1/1727568000000/1727612345678.0a1b2c3d.gz"],
        "access_log": ["access.log", "access.log-20260929.gz", "access.log.1", "access_log"],
        None: ["export.pdf", "notes.txt"],
    }


def test_email_audience_exports_go_to_the_audience_alone_beside_campaigns_and_activity(tmp_path):
    _touch(
        tmp_path,
        "campaigns.csv",
        "activity-2026-09.csv",
        "subscribed_members_export_4a1b.csv",
        "unsubscribed_members_export_4a1b.csv",
        "cleaned_members_export_4a1b.csv",
        "klaviyo-newsletter.csv",
        "Newsletter profiles.csv",
        "templates.csv",
    )
    assert _claimed(mapped_landing(tmp_path, email_entities("mailchimp", "mailchimp,klaviyo"))) == {
        "campaigns": ["campaigns.csv"],
        "activity": ["activity-2026-09.csv"],
        "audience": [
            "Newsletter profiles.csv",
            "cleaned_members_export_4a1b.csv",
            "klaviyo-newsletter.csv",
            "subscribed_members_export_4a1b.csv",
            "unsubscribed_members_export_4a1b.csv",
        ],
        None: ["templates.csv"],
    }


def test_a_zip_member_is_still_landed_while_its_archive_holds_it(tmp_path):
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as archive:
        archive.writestr("lists/contacts.csv", "Id\n1\n")
    _touch(tmp_path, "2026-09/deals.csv")
    assert still_landed(tmp_path, "export.zip/lists/contacts.csv")
    assert still_landed(tmp_path, "2026-09/deals.csv")
    assert not still_landed(tmp_path, "export.zip/lists/accounts.csv")
    assert not still_landed(tmp_path, "gone.zip/contacts.csv")
    (tmp_path / "export.zip").unlink()
    assert not still_landed(tmp_path, "export.zip/lists/contacts.csv")
