#!/bin/sh
# fuzz-seeds.sh DIR - writes the seed corpora of the fuzz targets
# (docs/robustness.md) into DIR/seeds/TARGET/, outside the source tree:
#   pipeline  the bundled captures whole and cut to their first 20 packets,
#             each also as pcapng (editcap), plus the third-party pcap and
#             pcapng files of ../shared/captures up to 64 KiB when present;
#   decode    every distinct packet of those captures (up to 50 a file) as
#             tests/fuzz-decode.c reads it: link type, switches, bytes;
#   expect    captures/*.expect, each whole and line by line, and the code
#             blocks of docs/ci.md;
#   script    the C string literals of tests/check-script.c and
#             tests/check-packetdrill.c that look like scripts, the code
#             blocks of docs/ci.md, and the packetdrill scripts of
#             ../shared/captures/packetdrill when present.
# Re-running it replaces the seeds; the corpora libFuzzer grows are kept
# elsewhere (tests/fuzz-run.sh).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: fuzz-seeds.sh DIR}
seeds="$dir/seeds"
rm -rf "$seeds"
mkdir -p "$seeds/pipeline" "$seeds/decode" "$seeds/expect" "$seeds/script"

# pipeline: pcap and pcapng files
for f in "$top"/captures/*.pcap; do
	base=$(basename "$f" .pcap)
	cp "$f" "$seeds/pipeline/$base.pcap"
	if command -v editcap >/dev/null; then
		editcap -r "$f" "$seeds/pipeline/$base-20.pcap" 1-20 >/dev/null 2>&1 || true
		editcap -F pcapng -r "$f" "$seeds/pipeline/$base-20.pcapng" 1-20 >/dev/null 2>&1 || true
	fi
done
shared="$top/../shared/captures"
if [ -d "$shared" ]; then
	find "$shared" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' -o -path '*/malformed/*' \) \
		-size -65k | while IFS= read -r f; do
		cp "$f" "$seeds/pipeline/shared-$(printf '%s' "$f" | cksum | cut -d' ' -f1)-$(basename "$f")"
	done
fi

# decode, expect, script
python3 - "$top" "$seeds" <<'PY'
import hashlib, os, re, struct, subprocess, sys, tempfile
top, seeds = sys.argv[1], sys.argv[2]

def pcap_packets(data):
    """(linktype, bytes) of each record of a classic pcap file."""
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0xFFFF
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        off += 16
        if caplen > 65535 or off + caplen > len(data):
            return
        yield linktype, data[off:off + caplen]
        off += caplen

def as_pcap(path):
    """The file's bytes as classic pcap (pcapng converted by editcap), or b''."""
    data = open(path, "rb").read()
    if data[:4] != b"\x0a\x0d\x0d\x0a":
        return data
    with tempfile.NamedTemporaryFile(suffix=".pcap") as t:
        r = subprocess.run(["editcap", "-F", "pcap", path, t.name], capture_output=True)
        return open(t.name, "rb").read() if r.returncode == 0 else b""

def write(target, data, name=None):
    h = hashlib.sha1(data).hexdigest()[:16]
    open(os.path.join(seeds, target, name or h), "wb").write(data)

for f in sorted(os.listdir(os.path.join(seeds, "pipeline"))):
    try:
        packets = pcap_packets(as_pcap(os.path.join(seeds, "pipeline", f)))
        seen = 0
        for linktype, pkt in packets:
            write("decode", struct.pack(">HB", linktype, 0) + pkt)
            seen += 1
            if seen == 50:
                break
    except (OSError, struct.error):
        pass

blocks = re.findall(r"```[a-z]*\n(.*?)```", open(os.path.join(top, "docs/ci.md")).read(), re.S)
for b in blocks:
    write("expect", b.encode())
    write("script", b.encode())
caps = os.path.join(top, "captures")
for f in sorted(os.listdir(caps)):
    if f.endswith(".expect"):
        text = open(os.path.join(caps, f), "rb").read()
        write("expect", text, f)
        for line in text.splitlines():
            if line and not line.startswith(b"#"):
                write("expect", line + b"\n")

src = "".join(open(os.path.join(top, "tests", f)).read() for f in ("check-script.c", "check-packetdrill.c"))
pd = os.path.join(top, "..", "shared", "captures", "packetdrill")
if os.path.isdir(pd):
    for f in sorted(os.listdir(pd)):
        if f.endswith(".pkt"):
            write("script", open(os.path.join(pd, f), "rb").read(), f)
for m in re.finditer(r'(?:"(?:[^"\\\n]|\\.)*"\s*)+', src):
    text = "".join(re.findall(r'"((?:[^"\\\n]|\\.)*)"', m.group(0)))
    text = text.encode().decode("unicode_escape")
    if re.search(r"[<>] +[SFRPUEW.-]+ +\d+:\d+\(\d+\)", text):
        write("script", text.encode())
PY
for t in pipeline decode expect script; do
	echo "fuzz-seeds: $t: $(find "$seeds/$t" -type f | wc -l) seeds in $seeds/$t"
done
