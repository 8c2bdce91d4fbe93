#!/usr/bin/env python3
"""Independent check of the iCalendar (RFC 5545) files the scheduler writes.

Parses each file with the `icalendar` package (PyPI, pinned in requirements.txt), not
with the crate that wrote it, and checks it against a JSON spec:

    {
      "files": [
        {
          "path": "out/calendars/mediator-M001.ics",
          "method": "PUBLISH",            # optional: the VCALENDAR METHOD
          "event_count": 3,               # optional: number of VEVENTs
          "tzid": "Europe/London",        # optional (this default): the one VTIMEZONE
          "events": [                     # optional: each must match one VEVENT by UID
            {
              "uid": "SEN-2027-0144@mediation-scheduler.invalid",
              "sequence": 0,              # optional
              "status": "CANCELLED",      # optional
              "start_utc": "2027-03-25T09:30:00Z",   # optional
              "end_utc": "2027-03-25T13:00:00Z",     # optional
              "summary": "...",           # optional
              "location": "..."           # optional
            }
          ]
        }
      ]
    }

The spec comes from the first argument (inline JSON, or the path of a JSON file) or, with
no argument, from standard input.

Every file is also checked for what RFC 5545 and the scheduler promise whatever the spec
says: CRLF line ends, lines folded at 75 octets, PRODID, VERSION:2.0, CALSCALE:GREGORIAN,
exactly one VTIMEZONE (with STANDARD and DAYLIGHT) for the TZID, and in every VEVENT a
UID, a SEQUENCE, a UTC DTSTAMP, an ORGANIZER with a mailto: URI, no ATTENDEE, and a
DTSTART and DTEND with a TZID that the file's own VTIMEZONE defines.

DTSTART and DTEND are converted to UTC with the file's own VTIMEZONE
(`Timezone.to_tz(lookup_tzid=False)`, which builds the zone from the file's rules instead
of looking the TZID name up), from the wall-clock value written in the file, so a wrong
VTIMEZONE fails even where the TZID name is right. Each instant is also compared with the
tz database's reading of the same TZID (zoneinfo), and a disagreement is reported.

Prints one JSON summary of what it parsed on standard output (files, method, events with
uid, sequence, status, start_utc, end_utc). Exit status: 0 when every check holds, 1 with
one line per mismatch on standard error, 2 for a bad spec or a missing package.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

try:
    import icalendar
except ImportError:  # pragma: no cover - reported, not tested
    print(
        "check_ics: the Python package `icalendar` is missing; "
        "pip install -r tests/ics/requirements.txt",
        file=sys.stderr,
    )
    sys.exit(2)

try:
    from zoneinfo import ZoneInfo
except ImportError:  # pragma: no cover - Python < 3.9
    ZoneInfo = None

UTC = dt.timezone.utc
LOCAL_FORMAT = "%Y%m%dT%H%M%S"


def utc_text(instant: dt.datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


class FileCheck:
    def __init__(self, path: str):
        self.path = path
        self.errors: list[str] = []

    def fail(self, message: str) -> None:
        self.errors.append(f"{self.path}: {message}")


def check_lines(check: FileCheck, raw: bytes) -> None:
    if not raw.endswith(b"\r\n"):
        check.fail("the file does not end with CRLF")
    body = raw[:-2] if raw.endswith(b"\r\n") else raw
    for number, line in enumerate(body.split(b"\r\n"), start=1):
        if b"\n" in line or b"\r" in line:
            check.fail(f"line {number} has a bare LF or CR (RFC 5545 lines end with CRLF)")
        if len(line) > 75:
            check.fail(f"line {number} is {len(line)} octets, more than 75 (not folded)")


def wall_clock(prop) -> dt.datetime | None:
    """The date-time exactly as written in the file, without any zone."""
    value = prop.to_ical()
    if isinstance(value, bytes):
        value = value.decode()
    try:
        return dt.datetime.strptime(value, LOCAL_FORMAT)
    except ValueError:
        return None


def event_instant(check, event, name, zones, uid):
    prop = event.get(name)
    if prop is None:
        check.fail(f"event {uid}: no {name}")
        return None
    tzid = prop.params.get("TZID")
    if tzid is None:
        check.fail(f"event {uid}: {name} has no TZID parameter ({prop.to_ical()!r})")
        return None
    if tzid not in zones:
        check.fail(f"event {uid}: {name} names TZID {tzid}, which no VTIMEZONE in the file defines")
        return None
    local = wall_clock(prop)
    if local is None:
        check.fail(f"event {uid}: {name} is not a local DATE-TIME ({prop.to_ical()!r})")
        return None
    instant = local.replace(tzinfo=zones[tzid]).astimezone(UTC)
    if ZoneInfo is not None:
        try:
            database = local.replace(tzinfo=ZoneInfo(tzid)).astimezone(UTC)
        except Exception:  # an unknown name: nothing to compare with
            database = None
        if database is not None and database != instant:
            check.fail(
                f"event {uid}: {name} {local:%Y-%m-%d %H:%M} {tzid} is {utc_text(instant)} "
                f"by the file's VTIMEZONE but {utc_text(database)} by the tz database"
            )
    return instant


def check_file(spec: dict) -> tuple[FileCheck, dict]:
    path = spec.get("path")
    check = FileCheck(str(path))
    summary = {"path": path, "method": None, "events": []}
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        check.fail(f"cannot read: {error}")
        return check, summary
    check_lines(check, raw)
    try:
        calendar = icalendar.Calendar.from_ical(raw)
    except Exception as error:  # the parser's own complaint is the message
        check.fail(f"icalendar cannot parse it: {error}")
        return check, summary
    if calendar.name != "VCALENDAR":
        check.fail(f"the top component is {calendar.name}, not VCALENDAR")

    method = calendar.get("METHOD")
    method = str(method) if method is not None else None
    summary["method"] = method
    if "method" in spec and method != spec["method"]:
        check.fail(f"METHOD is {method}, expected {spec['method']}")
    if not calendar.get("PRODID"):
        check.fail("no PRODID")
    if str(calendar.get("VERSION")) != "2.0":
        check.fail(f"VERSION is {calendar.get('VERSION')}, expected 2.0")
    if str(calendar.get("CALSCALE")) != "GREGORIAN":
        check.fail(f"CALSCALE is {calendar.get('CALSCALE')}, expected GREGORIAN")

    tzid = spec.get("tzid", "Europe/London")
    timezones = [c for c in calendar.subcomponents if c.name == "VTIMEZONE"]
    nested = [c for c in calendar.walk("VTIMEZONE") if c not in timezones]
    if nested:
        check.fail("a VTIMEZONE is nested inside another component")
    zones = {}
    for timezone in timezones:
        name = str(timezone.get("TZID"))
        if name in zones:
            check.fail(f"VTIMEZONE {name} is defined twice")
        kinds = sorted(c.name for c in timezone.subcomponents)
        if kinds != ["DAYLIGHT", "STANDARD"]:
            check.fail(f"VTIMEZONE {name} has {kinds}, expected one STANDARD and one DAYLIGHT")
        try:
            # Built from the file's own rules, never looked up by name.
            zones[name] = timezone.to_tz(lookup_tzid=False)
        except Exception as error:
            check.fail(f"VTIMEZONE {name} cannot be read as a time zone: {error}")
    if len(timezones) != 1 or tzid not in zones:
        check.fail(
            f"expected exactly one VTIMEZONE, for {tzid}; found "
            f"{[str(t.get('TZID')) for t in timezones]}"
        )

    events = [c for c in calendar.walk("VEVENT")]
    if "event_count" in spec and len(events) != spec["event_count"]:
        check.fail(f"{len(events)} VEVENT(s), expected {spec['event_count']}")

    parsed = {}
    for index, event in enumerate(events):
        uid = str(event.get("UID")) if event.get("UID") is not None else None
        label = uid or f"#{index + 1}"
        if uid is None:
            check.fail(f"event {label}: no UID")
        elif uid in parsed:
            check.fail(f"event {label}: UID used twice in one file")
        sequence = event.get("SEQUENCE")
        if sequence is None:
            check.fail(f"event {label}: no SEQUENCE")
        else:
            sequence = int(sequence)
        stamp = event.get("DTSTAMP")
        if stamp is None:
            check.fail(f"event {label}: no DTSTAMP")
        elif not (isinstance(stamp.dt, dt.datetime) and stamp.dt.utcoffset() == dt.timedelta(0)):
            check.fail(f"event {label}: DTSTAMP {stamp.to_ical()!r} is not UTC")
        organizer = event.get("ORGANIZER")
        if organizer is None or not str(organizer).lower().startswith("mailto:"):
            check.fail(f"event {label}: ORGANIZER {organizer!r} is not a mailto: URI")
        if "ATTENDEE" in event:
            check.fail(f"event {label}: has ATTENDEE (no attendee is ever written)")
        start = event_instant(check, event, "DTSTART", zones, label)
        end = event_instant(check, event, "DTEND", zones, label)
        if start is not None and end is not None and end <= start:
            check.fail(f"event {label}: DTEND is not after DTSTART")
        status = event.get("STATUS")
        facts = {
            "uid": uid,
            "sequence": sequence,
            "status": str(status) if status is not None else None,
            "start_utc": utc_text(start) if start else None,
            "end_utc": utc_text(end) if end else None,
            "summary": str(event.get("SUMMARY")) if event.get("SUMMARY") is not None else None,
            "location": str(event.get("LOCATION")) if event.get("LOCATION") is not None else None,
        }
        summary["events"].append(facts)
        if uid is not None:
            parsed[uid] = facts

    for expected in spec.get("events", []):
        uid = expected.get("uid")
        facts = parsed.get(uid)
        if facts is None:
            check.fail(f"no event with UID {uid} (UIDs: {sorted(parsed)})")
            continue
        for key in ("sequence", "status", "summary", "location"):
            if key in expected and facts[key] != expected[key]:
                check.fail(f"event {uid}: {key.upper()} is {facts[key]!r}, expected {expected[key]!r}")
        for key, name in (("start_utc", "DTSTART"), ("end_utc", "DTEND")):
            if key not in expected:
                continue
            try:
                want = parse_utc(expected[key])
            except ValueError:
                raise SpecError(f"{key} {expected[key]!r} is not YYYY-MM-DDTHH:MM:SSZ")
            got = facts[key]
            if got is None or parse_utc(got) != want:
                check.fail(f"event {uid}: {name} is {got} in UTC, expected {expected[key]}")
    return check, summary


class SpecError(Exception):
    pass


def load_spec(argv: list[str]) -> dict:
    if len(argv) > 2:
        raise SpecError("usage: check_ics.py [SPEC_JSON | SPEC_FILE]  (or the spec on stdin)")
    if len(argv) == 2:
        text = argv[1]
        if not text.lstrip().startswith("{"):
            text = Path(text).read_text(encoding="utf-8")
    else:
        text = sys.stdin.read()
    try:
        spec = json.loads(text)
    except json.JSONDecodeError as error:
        raise SpecError(f"the spec is not JSON: {error}")
    if not isinstance(spec, dict) or not isinstance(spec.get("files"), list) or not spec["files"]:
        raise SpecError('the spec must be {"files": [{"path": ...}, ...]} with at least one file')
    for index, file in enumerate(spec["files"]):
        if not isinstance(file, dict) or not isinstance(file.get("path"), str):
            raise SpecError(f"files[{index}] has no \"path\"")
    return spec


def main(argv: list[str]) -> int:
    try:
        spec = load_spec(argv)
        errors: list[str] = []
        summaries = []
        for file in spec["files"]:
            check, summary = check_file(file)
            errors.extend(check.errors)
            summaries.append(summary)
    except (SpecError, OSError) as error:
        print(f"check_ics: bad spec: {error}", file=sys.stderr)
        return 2
    print(json.dumps({"icalendar": icalendar.__version__, "files": summaries}, indent=1))
    for error in errors:
        print(f"check_ics: {error}", file=sys.stderr)
    if errors:
        print(f"check_ics: {len(errors)} mismatch(es) in {len(spec['files'])} file(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
