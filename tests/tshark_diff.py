#!/usr/bin/env python3
"""tests/tshark_diff.py - tcpscope compared with tshark, frame by frame.

The differential tier of the test suite (SPEC section 13, item 3), run by
tests/tshark-diff.sh. For every capture under the given roots it runs one
tshark pass (with every TCP preference that matters pinned on the command
line), `tcpscope packets` and `tcpscope report --format json`, and compares
per frame:

  tcp         whether the frame is TCP, at its outermost TCP layer; where
              tshark finds TCP only under a layer other than the plain link
              and IP ones, the frame is classified by that layer ("in-gre",
              "in-vxlan", "in-icmp", ...): compared if tcpscope decodes it
              too (a header quoted by an ICMP error never is a segment),
              else a difference of its own class; "reassembled" is TCP that
              tshark found in a datagram it rebuilt from IP fragments
  flow        tshark's tcp.stream against tcpscope's flow id: reported where
              one tool starts a new connection and the other does not
  flags       tcp.flags as tcpscope's letters (S F R P A U E W)
  seq ack     relative numbers (tcp.seq, tcp.ack)
  seq_raw ack_raw len
  labels      tcpscope's labels against tshark's tcp.analysis.* flags
  dupack_num  tcp.analysis.duplicate_ack_num, on duplicate ACKs
  flows       per file: tcp.stream count against tcpscope's flow count
  file        per file: one tool reads the capture and the other cannot

Frames that tcpscope marks with a decode.* finding are compared only for
flags and raw seq/ack, the fields a damaged header still carries.

Every difference must match an entry of the known-differences file
(tests/tshark-known-differences.txt, whose header explains the format);
the others are printed as "FILE frame N: FIELD tcpscope=X tshark=Y" and
make the run fail. Exit status: 0 no unexplained difference, 1 some,
2 usage error. Python 3 standard library only.
"""

import argparse
import concurrent.futures
import fnmatch
import json
import os
import subprocess
import sys

# Every TCP preference that changes what tshark prints, pinned, so that a
# user's or a distribution's preferences cannot change the verdict.
TSHARK_PREFS = [
    "tcp.analyze_sequence_numbers:TRUE",
    "tcp.relative_sequence_numbers:TRUE",
    "tcp.check_checksum:FALSE",
    "tcp.desegment_tcp_streams:FALSE",  # tcp.len stays the segment's own
    "tcp.reassemble_out_of_order:FALSE",
    "tcp.default_window_scaling:Not known",
    "tcp.track_bytes_in_flight:TRUE",
    "tcp.calculate_timestamps:TRUE",  # the first RTT feeds out_of_order
    "tcp.ignore_tcp_timestamps:FALSE",
    "tcp.fastrt_supersedes_ooo:TRUE",
    "tcp.read_seq_as_syn_cookie:FALSE",
    "tcp.try_heuristic_first:FALSE",
    "tcp.no_subdissector_on_error:TRUE",
    "ip.defragment:TRUE",
    "ipv6.defragment:TRUE",
    "ip.tso_support:TRUE",
]

# tcpscope label -> tshark field (src/labels.def) and what value of it sets
# the label: the expert flags are present or absent, the ECN header bits
# have a value on every packet (CE is the codepoint 3, RFC 3168 §5).
def present(value):
    return value != ""


def bit_set(value):
    return value in ("1", "True")


def congestion_experienced(value):
    return value == "3"


LABEL_FIELDS = [
    ("retransmission", "tcp.analysis.retransmission", present),
    ("fast_retransmission", "tcp.analysis.fast_retransmission", present),
    ("spurious_retransmission", "tcp.analysis.spurious_retransmission", present),
    ("out_of_order", "tcp.analysis.out_of_order", present),
    ("lost_segment", "tcp.analysis.lost_segment", present),
    ("ack_lost_segment", "tcp.analysis.ack_lost_segment", present),
    ("duplicate_ack", "tcp.analysis.duplicate_ack", present),
    ("zero_window", "tcp.analysis.zero_window", present),
    ("zero_window_probe", "tcp.analysis.zero_window_probe", present),
    ("zero_window_probe_ack", "tcp.analysis.zero_window_probe_ack", present),
    ("window_full", "tcp.analysis.window_full", present),
    ("window_update", "tcp.analysis.window_update", present),
    ("keep_alive", "tcp.analysis.keep_alive", present),
    ("keep_alive_ack", "tcp.analysis.keep_alive_ack", present),
    ("reused_ports", "tcp.analysis.reused_ports", present),
    ("dsack", "tcp.options.sack.dsack", present),
    ("tfo_syn", "tcp.analysis.tfo_syn", present),
    ("ecn_ce", "ip.dsfield.ecn", congestion_experienced),
    ("ecn_ce", "ipv6.tclass.ecn", congestion_experienced),
    ("ece", "tcp.flags.ece", bit_set),
    ("cwr", "tcp.flags.cwr", bit_set),
]

BASE_FIELDS = ["frame.number", "frame.protocols", "tcp.stream", "tcp.flags", "tcp.seq", "tcp.ack",
               "tcp.seq_raw", "tcp.ack_raw", "tcp.len"]
FIELDS = BASE_FIELDS + [f for _, f, _ in LABEL_FIELDS] + ["tcp.analysis.duplicate_ack_num", "ip.fragment.count",
                                                        "ipv6.fragment.count"]
COL = {name: i for i, name in enumerate(FIELDS)}

# The link and IP layers below TCP, as tshark names them in frame.protocols.
# TCP found under any other layer (a tunnel, a link type of its own, an ICMP
# error) is classified by that layer: "in-gre", "in-ppi", "in-icmp".
TRANSPARENT = {
    "eth", "ethertype", "vlan", "ieee8021ad", "llc", "mpls", "pppoes", "ppp", "sll", "nflog",
    "null", "loop", "fddi", "chdlc", "raw", "ip", "ipv6", "ah",
}

FLAG_LETTERS = [(0x02, "S"), (0x01, "F"), (0x04, "R"), (0x08, "P"), (0x10, "A"), (0x20, "U"),
                (0x40, "E"), (0x80, "W")]

CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap", ".trace", ".snoop", ".ntar", ".erf",
                    ".pcap.gz", ".pcapng.gz", ".pcap.zst", ".pcapng.zst")
CAPTURE_MAGICS = (b"\xa1\xb2\xc3\xd4", b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\x3c\x4d", b"\x4d\x3c\xb2\xa1",
                  b"\xa1\xb2\xcd\x34", b"\x34\xcd\xb2\xa1", b"\x0a\x0d\x0d\x0a")

TIMEOUT = 600  # seconds per command; the largest capture takes about 3


def flag_letters(value):
    """tshark's tcp.flags (hex) as tcpscope's flag string."""
    bits = int(value, 16)
    return "".join(letter for bit, letter in FLAG_LETTERS if bits & bit)


def classify(cols):
    """How tshark sees a frame: 'no' TCP at all; 'yes', TCP under link and IP
    layers only; 'in-X', TCP found under layer X (a tunnel, an ICMP error);
    'reassembled', TCP in a datagram tshark rebuilt from IP fragments."""
    layers = cols[COL["frame.protocols"]].split(":")
    if "tcp" not in layers:
        return "no"
    if (cols[COL["ip.fragment.count"]] or cols[COL["ipv6.fragment.count"]]) and "icmp" not in layers \
            and "icmpv6" not in layers:
        return "reassembled"
    below = layers[:layers.index("tcp")]
    for i, layer in enumerate(below):
        if layer in TRANSPARENT or layer.startswith("ipv6."):
            continue
        # Name a UDP tunnel (VXLAN, Geneve, Teredo, ...) by its own layer.
        if layer == "udp" and i + 1 < len(below):
            layer = below[i + 1]
        return "in-" + layer
    return "yes"


def is_capture(path):
    """A capture by its name, or by the magic number of pcap or pcapng."""
    name = os.path.basename(path).lower()
    if name.endswith(CAPTURE_SUFFIXES):
        return True
    try:
        with open(path, "rb") as f:
            return f.read(4) in CAPTURE_MAGICS
    except OSError:
        return False


def find_captures(roots):
    """[(display path, real path)] for every capture under the roots."""
    out = []
    for label, root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                real = os.path.join(dirpath, name)
                if is_capture(real):
                    rel = os.path.relpath(real, root).replace(os.sep, "/")
                    out.append((label + "/" + rel, real))
    return out


class Known:
    """The known-differences file: one entry per line,
    PATH-GLOB FRAMES FIELD TCPSCOPE TSHARK REASON..."""

    def __init__(self, path):
        self.entries = []
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                text = line.strip()
                if not text or text.startswith("#"):
                    continue
                cols = text.split(None, 5)
                if len(cols) < 6:
                    raise ValueError("%s:%d: expected PATH FRAMES FIELD TCPSCOPE TSHARK REASON" % (path, lineno))
                self.entries.append({"line": lineno, "path": cols[0], "frames": self._frames(cols[1], path, lineno),
                                     "field": cols[2], "ours": cols[3], "theirs": cols[4], "reason": cols[5],
                                     "hits": 0})

    @staticmethod
    def _frames(spec, path, lineno):
        if spec == "*":
            return None
        ranges = []
        for part in spec.split(","):
            lo, _, hi = part.partition("-")
            if not lo.isdigit() or (hi and not hi.isdigit()):
                raise ValueError("%s:%d: bad frame list %r" % (path, lineno, spec))
            ranges.append((int(lo), int(hi or lo)))
        return ranges

    def match(self, path, frame, field, ours, theirs):
        for e in self.entries:
            if e["frames"] is not None:
                if frame is None or not any(lo <= frame <= hi for lo, hi in e["frames"]):
                    continue
            if (fnmatch.fnmatchcase(path, e["path"]) and fnmatch.fnmatchcase(field, e["field"])
                    and fnmatch.fnmatchcase(str(ours), e["ours"])
                    and fnmatch.fnmatchcase(str(theirs), e["theirs"])):
                e["hits"] += 1
                return e
        return None


def run(cmd):
    """(exit status or None, stdout, stderr) of a command."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return None, b"", b"timed out after %d s" % TIMEOUT
    except OSError as e:
        return None, b"", str(e).encode()
    return p.returncode, p.stdout, p.stderr


def first_error_line(stderr, path=None):
    """The first line of stderr that says something, without the tool and
    file name it starts with."""
    for line in stderr.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if not line or line.startswith("Running as user"):
            continue
        for prefix in ("tcpscope: ", "tshark: ", (path or "") + ": "):
            if prefix.strip() and line.startswith(prefix):
                line = line[len(prefix):]
        return line
    return ""


def run_tshark(tshark, path):
    """{frame: columns} for every frame tshark reads, and an error or None."""
    cmd = [tshark, "-n", "-r", path, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=f"]
    for pref in TSHARK_PREFS:
        cmd += ["-o", pref]
    for field in FIELDS:
        cmd += ["-e", field]
    rc, out, err = run(cmd)
    frames = {}
    for line in out.decode("utf-8", "replace").splitlines():
        cols = line.split("\t")
        if len(cols) == len(FIELDS) and cols[0].isdigit():
            frames[int(cols[0])] = cols
    error = None
    if rc is None or rc < 0 or (rc != 0 and not frames):
        error = first_error_line(err, path) or "exit status %s" % rc
    return frames, error


def run_tcpscope(binary, path):
    """(packets {frame: record}, report or None, fatal error or None,
    error that stopped the read midway or None)."""
    rc, out, err = run([binary, "report", "--format", "json", path])
    if rc is None or rc not in (0, 2):
        return {}, None, "crashed (report, status %s): %s" % (rc, first_error_line(err, path)), None
    try:
        report = json.loads(out.decode("utf-8"))
    except ValueError:
        return {}, None, first_error_line(err, path) or "no report", None
    stopped = first_error_line(err, path) if rc != 0 else None
    rc, out, err = run([binary, "packets", path])
    if rc is None or rc not in (0, 2):
        return {}, report, "crashed (packets, status %s): %s" % (rc, first_error_line(err, path)), None
    packets = {}
    try:
        for line in out.decode("utf-8").splitlines():
            rec = json.loads(line)
            packets[rec["frame"]] = rec
    except (ValueError, KeyError, TypeError) as e:
        return {}, report, "crashed: packets output is not JSON Lines (%s)" % e, None
    return packets, report, None, stopped


def num(text):
    """A tshark number field, None when empty."""
    return int(text) if text != "" else None


class FileResult:
    """The differences found in one capture, and what was compared."""

    def __init__(self, display):
        self.display = display
        self.diffs = []  # (frame or None, field, ours, theirs, note)
        self.compared = 0
        self.classes = {}  # classify() result -> frames

    def diff(self, frame, field, ours, theirs, note=""):
        self.diffs.append((frame, field, ours, theirs, note))


def compare_frame(res, n, o, t, malformed):
    """Header fields and labels of one frame both tools see as TCP."""
    flags = flag_letters(t[COL["tcp.flags"]]) if t[COL["tcp.flags"]] else None
    if flags is not None and o["flags"] != flags:
        res.diff(n, "flags", o["flags"] or "-", flags or "-")
    fields = [("seq_raw", "tcp.seq_raw"), ("ack_raw", "tcp.ack_raw")]
    if not malformed:
        fields += [("seq", "tcp.seq"), ("ack", "tcp.ack"), ("len", "tcp.len")]
    for ours_name, field in fields:
        theirs = num(t[COL[field]])
        if theirs is None and malformed:
            continue
        if o[ours_name] != theirs:
            res.diff(n, ours_name, o[ours_name], "-" if theirs is None else theirs)
    if malformed:
        return
    ours_labels = set(o["labels"])
    theirs_labels = {name for name, field, sets in LABEL_FIELDS if sets(t[COL[field]])}
    if ours_labels != theirs_labels:
        res.diff(n, "labels", ",".join(sorted(ours_labels - theirs_labels)) or "-",
                 ",".join(sorted(theirs_labels - ours_labels)) or "-")
    if "duplicate_ack" in ours_labels and "duplicate_ack" in theirs_labels:
        theirs = num(t[COL["tcp.analysis.duplicate_ack_num"]])
        if o.get("dupack_num") != theirs:
            res.diff(n, "dupack_num", o.get("dupack_num"), theirs)


def compare_file(args, display, path):
    res = FileResult(display)
    tshark, tshark_error = run_tshark(args.tshark, path)
    packets, report, ours_error, ours_stopped = run_tcpscope(args.tcpscope, path)

    classes = {n: classify(t) for n, t in tshark.items()}
    for c in classes.values():
        res.classes[c] = res.classes.get(c, 0) + 1
    tshark_any_tcp = sum(k for c, k in res.classes.items() if c != "no")

    if ours_error is not None:
        if ours_error.startswith("crashed"):
            res.diff(None, "file", "crashed", "unreadable" if tshark_error else "readable", ours_error)
        elif tshark_error is None and tshark_any_tcp:
            res.diff(None, "file", "unreadable", "readable",
                     "tcpscope: %s; tshark: %d TCP frames" % (ours_error, tshark_any_tcp))
        return res
    if tshark_error is not None:
        if packets:
            res.diff(None, "file", "readable", "unreadable",
                     "tshark: %s; tcpscope: %d TCP frames" % (tshark_error, len(packets)))
        return res

    # tcpscope stopped early (libpcap refused a record or a block): the rest
    # of the file is one difference, not one per frame.
    last_read = report["capture"]["packets"] if ours_stopped else None
    if last_read is not None:
        beyond = sum(1 for n, c in classes.items() if n > last_read and c != "no")
        if beyond:
            res.diff(None, "file", "partial", "readable", "tcpscope stopped after frame %d: %s; tshark: %d more "
                     "TCP frames" % (last_read, ours_stopped, beyond))

    decode_findings = {}
    for f in report.get("findings", []):
        if f.get("code", "").startswith("decode.") and f.get("frame") is not None:
            decode_findings.setdefault(f["frame"], []).append(f["code"])

    stream_to_flow, flow_to_stream = {}, {}
    theirs_streams = set()
    for n in sorted(set(packets) | {n for n, c in classes.items() if c != "no"}):
        if last_read is not None and n > last_read:
            break
        o, t, cls = packets.get(n), tshark.get(n), classes.get(n, "absent")
        if o is None:
            codes = decode_findings.get(n)
            res.diff(n, "tcp", codes[0] if codes else "no", cls)
            # A frame tcpscope flags as undecodable says nothing about flows.
            if cls == "yes" and not codes:
                theirs_streams.add(num(t[COL["tcp.stream"]]))
            continue
        # TCP under another layer is compared when tcpscope decodes that
        # layer too (its tunnels, link types); a header quoted by an ICMP
        # error is never a segment.
        if cls in ("no", "absent") or cls.startswith("in-icmp"):
            res.diff(n, "tcp", "yes", cls)
            continue
        res.compared += 1
        malformed = any(code.startswith("decode.") for code in o["findings"])
        stream, flow = num(t[COL["tcp.stream"]]), o["flow"]
        theirs_streams.add(stream)
        known_stream, known_flow = flow_to_stream.get(flow), stream_to_flow.get(stream)
        if (known_stream, known_flow) != (stream, flow) and (known_stream, known_flow) != (None, None):
            ours = "same" if known_stream is not None else "new"
            theirs = "same" if known_flow is not None else "new"
            res.diff(n, "flow", ours, theirs, "tcpscope flow %s, tshark stream %s" % (flow, stream))
        stream_to_flow[stream], flow_to_stream[flow] = flow, stream
        compare_frame(res, n, o, t, malformed)

    if len(report["flows"]) != len(theirs_streams):
        res.diff(None, "flows", len(report["flows"]), len(theirs_streams))
    return res


def compare_file_safely(args, display, path):
    """compare_file(), with a failure of the comparison itself reported as a
    difference of that file rather than ending the whole run."""
    try:
        return compare_file(args, display, path)
    except Exception as e:  # pylint: disable=broad-except
        res = FileResult(display)
        res.diff(None, "file", "error", "error", "comparison failed: %s: %s" % (type(e).__name__, e))
        return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tcpscope", required=True, help="the tcpscope binary")
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("--known", required=True, help="the known-differences file")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--only", metavar="GLOB", help="compare only the captures whose path matches")
    ap.add_argument("--all", action="store_true",
                    help="print every unexplained difference (default: %d per file and field)" % 20)
    ap.add_argument("--explained", action="store_true",
                    help="print the explained differences too, and the known differences that matched nothing")
    ap.add_argument("roots", nargs="+", metavar="LABEL=DIR", help="capture folders, shown as LABEL/...")
    args = ap.parse_args()

    roots = []
    for spec in args.roots:
        label, sep, root = spec.partition("=")
        if not sep or not os.path.isdir(root):
            ap.error("not a LABEL=DIR folder: %s" % spec)
        roots.append((label, root))
    try:
        known = Known(args.known)
    except (OSError, ValueError) as e:
        print("tshark-diff: %s" % e, file=sys.stderr)
        return 2

    rc, out, _ = run([args.tshark, "--version"])
    version = out.decode("utf-8", "replace").splitlines()[0].rstrip(".") if rc == 0 and out else "tshark (version unknown)"
    print("tshark-diff: %s; labels follow TShark 4.0 (docs/analysis-vs-wireshark.md)" % version)

    captures = find_captures(roots)
    if args.only:
        captures = [c for c in captures if fnmatch.fnmatchcase(c[0], args.only)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda c: compare_file_safely(args, *c), captures))

    compared = unexplained = explained = 0
    classes = {}
    for res in results:
        compared += res.compared
        for c, k in res.classes.items():
            classes[c] = classes.get(c, 0) + k
        shown = {}
        for frame, field, ours, theirs, note in res.diffs:
            entry = known.match(res.display, frame, field, ours, theirs)
            line = "%s frame %s: %s tcpscope=%s tshark=%s%s" % (
                res.display, "*" if frame is None else frame, field, ours, theirs, " (%s)" % note if note else "")
            if entry is not None:
                explained += 1
                if args.explained:
                    print("known: %s [line %d]" % (line, entry["line"]))
                continue
            unexplained += 1
            shown[field] = shown.get(field, 0) + 1
            if args.all or shown[field] <= 20:
                print(line)
        for field, k in sorted(shown.items()):
            if not args.all and k > 20:
                print("%s: ... %d more %s differences (TSHARK_DIFF_ARGS=--all shows them)" % (
                    res.display, k - 20, field))

    for e in known.entries:
        if e["hits"]:
            print("known difference (%s line %d) x%d: %s" % (os.path.basename(args.known), e["line"], e["hits"],
                                                            e["reason"]))
    unused = [e for e in known.entries if not e["hits"]]
    if args.explained:
        for e in unused:
            print("note: known difference on line %d matched nothing: %s %s %s" % (e["line"], e["path"],
                                                                                  e["field"], e["reason"]))
    elif unused:
        print("note: %d known differences matched nothing (TSHARK_DIFF_ARGS=--explained lists them)" % len(unused))
    carried = ", ".join("%d %s" % (k, c) for c, k in sorted(classes.items()) if c not in ("yes", "no"))
    print("tshark-diff: tshark's TCP frames: %d under link and IP layers%s" % (
        classes.get("yes", 0), ", %s" % carried if carried else ""))
    print("tshark-diff: %d frames compared in %d files, %d known differences, %d unexplained differences" % (
        compared, len(results), explained, unexplained))
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
