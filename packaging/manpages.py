#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the man pages guimirror.1 and guimirror-daemon.1 from the programs' own command line
definitions, so they cannot drift: guimirror's argparse parser (guimirror.app.build_parser) and
guimirror-daemon's usage text (guimirror.qmp.daemon.USAGE, whose options it parses).

    packaging/manpages.py OUTPUT_DIR

The date is that of $SOURCE_DATE_EPOCH (else today), so a rebuild writes the same pages.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import guimirror
from guimirror import app
from guimirror.qmp import daemon

SEE_ALSO_GUIMIRROR = r"""guimirror\-daemon(1), qemu\-storage\-daemon(1), qemu\-img(1)"""
SEE_ALSO_DAEMON = r"""guimirror(1), qemu\-storage\-daemon(1), systemctl(1), pkexec(1)"""

GUIMIRROR_DESCRIPTION = r"""
guimirror lists the named block nodes of a storage engine, offers a form for every argument of
QEMU's \fBblockdev\-mirror\fR command, runs the mirror and plots throughput and dirty clusters
while the job sweeps towards READY and the pivot.
.PP
It speaks QMP to its own built-in engine (in-process, or headless as
\fBguimirror\-daemon\fR(1)), to a \fBqemu\-storage\-daemon\fR(1) that it starts, and to any QMP
socket of a running virtual machine or daemon.
"""

DAEMON_FILES = r"""
.TP
.I /usr/lib/systemd/system/guimirror\-daemon.service
The root daemon for block devices, as a service. Its QMP socket is
\fI/run/guimirror/system/qmp.sock\fR (mode 0660, group \fBguimirror\fR): members of the
\fBguimirror\fR group may connect to it.
.TP
.I /usr/libexec/guimirror/start\-root\-daemon
Run through \fBpkexec\fR(1) (polkit action \fBio.github.guimirror.GuiMirror.daemon\fR), it starts
a root daemon for the calling user alone, with its socket in
\fI/run/guimirror/user\-UID/qmp.sock\fR.
"""


def roff(text: str) -> str:
    """Text for a roff line: backslashes and minus signs escaped, no leading control char."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text.startswith((".", "'")) else text


def header(name: str, summary: str, date: str) -> list[str]:
    title = roff(name.upper())
    return [
        f'.TH {title} 1 "{date}" "{name} {guimirror.__version__}" "User Commands"',
        ".SH NAME",
        f"{roff(name)} \\- {roff(summary)}",
    ]


def option_synopsis(action: argparse.Action) -> str:
    names = ", ".join(f"\\fB{roff(option)}\\fR" for option in action.option_strings)
    if action.nargs == 0:
        return names
    if action.choices:
        value = "{" + ",".join(str(choice) for choice in action.choices) + "}"
    else:
        value = str(action.metavar or action.dest.upper())
    return f"{names} \\fI{roff(value)}\\fR"


def guimirror_page(date: str) -> str:
    parser = app.build_parser()
    lines = [
        *header("guimirror", "mirror live block devices with QEMU's blockdev-mirror", date),
        ".SH SYNOPSIS",
        "\\fBguimirror\\fR [\\fIOPTION\\fR]...",
        ".SH DESCRIPTION",
        *GUIMIRROR_DESCRIPTION.strip().splitlines(),
        ".SH OPTIONS",
    ]
    for action in parser._actions:
        if not action.option_strings or action.help == argparse.SUPPRESS:
            continue
        help_text = action.help or ""
        if isinstance(action, argparse._VersionAction):
            help_text = "show the program's version number and exit"
        elif action.default not in (None, False, argparse.SUPPRESS) and action.nargs != 0:
            help_text += f" (default: {action.default})"
        lines += [".TP", option_synopsis(action), roff(help_text)]
    lines += [".SH SEE ALSO", SEE_ALSO_GUIMIRROR]
    return "\n".join(lines) + "\n"


@dataclass
class UsageEntry:
    """One option block of a usage text: its synopsis lines and its description."""

    synopsis: list[str] = field(default_factory=list)
    description: list[str] = field(default_factory=list)


DESCRIPTION_COLUMN = 25


def usage_entries(usage: str) -> list[UsageEntry]:
    """The option blocks of a getopt-style usage text: a synopsis starts at column 2 with '-',
    continues at a smaller indent than the descriptions, which start at DESCRIPTION_COLUMN."""
    entries: list[UsageEntry] = []
    for line in usage.splitlines():
        indent = len(line) - len(line.lstrip())
        if not line.strip() or indent == 0:
            continue
        if indent == 2 and line.lstrip().startswith("-"):
            if not entries or entries[-1].description:
                entries.append(UsageEntry())
            synopsis, _, description = line[:DESCRIPTION_COLUMN].strip(), "", ""
            if len(line) > DESCRIPTION_COLUMN and line[DESCRIPTION_COLUMN - 1] == " ":
                description = line[DESCRIPTION_COLUMN:].strip()
            else:
                synopsis = line.strip()
            entries[-1].synopsis.append(synopsis)
            if description:
                entries[-1].description.append(description)
        elif indent < DESCRIPTION_COLUMN and entries:
            entries[-1].synopsis[-1] += line.strip()
        elif entries:
            entries[-1].description.append(line.strip())
    return entries


def synopsis_roff(synopsis: str) -> str:
    option, _, argument = synopsis.partition(" ")
    names = ", ".join(f"\\fB{roff(name.strip())}\\fR" for name in option.split(","))
    if option.endswith(","):  # "-h, --help"
        names = f"\\fB{roff(option.rstrip(','))}\\fR, \\fB{roff(argument)}\\fR"
        argument = ""
    # \: lets a long argument break after its commas and brackets.
    argument = re.sub(r"([,\]|])", r"\1\\:", roff(argument))
    return f"{names} \\fI{argument}\\fR" if argument else names


def daemon_page(date: str) -> str:
    usage = daemon.USAGE.splitlines()
    summary = usage[1].strip()
    closing = [line for line in usage if line and not line.startswith(" ")][-1]
    lines = [
        *header(daemon.PROG, summary[0].lower() + summary[1:], date),
        ".SH SYNOPSIS",
        f"\\fB{roff(daemon.PROG)}\\fR [\\fIOPTION\\fR]...",
        ".SH DESCRIPTION",
        re.sub(r"``(.*?)``", r"\\fB\1\\fR",
               roff(" ".join((daemon.__doc__ or "").split("\n\n", 1)[1].split()))),
        ".PP",
        roff(closing),
        ".SH OPTIONS",
    ]
    for entry in usage_entries(daemon.USAGE):
        lines.append(".TP")
        lines.append(synopsis_roff(entry.synopsis[0]))
        for other in entry.synopsis[1:]:
            lines += [".TQ", synopsis_roff(other)]
        lines.append(roff(" ".join(entry.description)))
    lines += [".SH FILES", *DAEMON_FILES.strip().splitlines(), ".SH SEE ALSO", SEE_ALSO_DAEMON]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="the directory to write the pages to")
    args = parser.parse_args(argv)
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", time.time()))
    date = time.strftime("%Y-%m-%d", time.gmtime(epoch))
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "guimirror.1").write_text(guimirror_page(date))
    (args.output / f"{daemon.PROG}.1").write_text(daemon_page(date))
    return 0


if __name__ == "__main__":
    sys.exit(main())
