#!/usr/bin/env python3
"""tests/packetdrill_mutate.py - the mutation test of `check --script` on
packetdrill scripts (run by tests/packetdrill.sh).

Each script of the shared packetdrill corpus is changed in one field of one
packet line at a time, and `tcpscope check --script MUTANT CAPTURE` must then
fail (exit 1) naming the mutated line ("MUTANT:LINE: the trace differs") and
the frame that differs. The fields, each on the first and the last packet
line where it can be told from the trace:

  flag    PSH added to or taken from the flags
  seq     START:END(LEN) moved by one (not on the SUT's SYN lines, whose
          numbers only set where the SUT's count starts, as in packetdrill)
  ack     the ack number plus one
  win     the window plus one
  option  the first mss, wscale or SACK value plus one, or the TS val of an
          injected packet (packetdrill checks the SUT's TS vals only with
          --tcp_ts_tick_usecs)
  time    a relative time +T made +T+1 (not on the first packet line, which
          anchors the script's clock to the capture's)

Prints one line per mutant that was not caught and the catch rate; exits 1
unless every mutant was caught.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

# TIME DIR [IP] FLAGS START:END(LEN) REST, a TCP packet line on one line.
TCP_LINE = re.compile(
    r'^(?P<pre>\s*)(?P<time>\+?\d*\.?\d+|\*)(?P<sp1>\s+)(?P<dir>[<>])(?P<sp2>\s+)'
    r'(?P<ip>\[[^\]]*\]\s+)?(?P<flags>[FSRPEWUA.]+|-)(?P<sp3>\s+)'
    r'(?P<start>\d+):(?P<end>\d+)\((?P<len>\d+)\)(?P<rest>.*)$')


def packet_lines(text):
    """(index, match) of each TCP packet line outside C comments."""
    found, in_comment = [], False
    for i, line in enumerate(text.split('\n')):
        if in_comment:
            in_comment = '*/' not in line
            continue
        code = line.split('//')[0]
        if '/*' in code and '*/' not in code.split('/*', 1)[1]:
            in_comment = True
        m = TCP_LINE.match(code)
        if m and 'icmp' not in m.group('rest'):
            found.append((i, m))
    return found


def rebuild(m, **parts):
    g = {k: (v if v is not None else '') for k, v in m.groupdict().items()}
    g.update(parts)
    return (g['pre'] + g['time'] + g['sp1'] + g['dir'] + g['sp2'] + g['ip'] + g['flags'] + g['sp3'] +
            '%s:%s(%s)' % (g['start'], g['end'], g['len']) + g['rest'])


def bump(match):
    return str(int(match.group(2)) + 1)


def mutate_flag(m):
    f = m.group('flags')
    if 'P' in f:
        f = f.replace('P', '') or '-'
    elif f == '-':
        f = 'P'
    else:
        f = f.replace('.', 'P.') if '.' in f else f + 'P'
    return rebuild(m, flags=f)


def mutate_seq(m):
    if m.group('dir') == '>' and 'S' in m.group('flags'):
        return None
    return rebuild(m, start=str(int(m.group('start')) + 1), end=str(int(m.group('end')) + 1))


def mutate_word(word):
    def mutate(m):
        rest, n = re.subn(r'\b(%s) (\d+)' % word, lambda x: x.group(1) + ' ' + bump(x), m.group('rest'), count=1)
        return rebuild(m, rest=rest) if n else None
    return mutate


def mutate_option(m):
    rest = m.group('rest')
    if '<' not in rest:
        return None
    head, opts = rest.split('<', 1)
    for pattern in (r'\b(mss) (\d+)', r'\b(wscale) (\d+)', r'\b(sack) (\d+)'):
        new, n = re.subn(pattern, lambda x: x.group(1) + ' ' + bump(x), opts, count=1)
        if n:
            return rebuild(m, rest=head + '<' + new)
    if m.group('dir') == '<':
        new, n = re.subn(r'\b(TS val) (\d+)', lambda x: x.group(1) + ' ' + bump(x), opts, count=1)
        if n:
            return rebuild(m, rest=head + '<' + new)
    return None


def mutate_time(m, first):
    t = m.group('time')
    if first or not t.startswith('+'):
        return None
    return rebuild(m, time='+%g' % (float(t[1:]) + 1))


KINDS = [('flag', mutate_flag), ('seq', mutate_seq), ('ack', mutate_word('ack')), ('win', mutate_word('win')),
         ('option', mutate_option), ('time', None)]


def mutants(text):
    """(kind, line number, mutated text) for every mutant of one script."""
    lines = text.split('\n')
    found = packet_lines(text)
    for kind, fn in KINDS:
        candidates = []
        for k, (i, m) in enumerate(found):
            new = mutate_time(m, k == 0) if kind == 'time' else fn(m)
            if new is not None and new != lines[i].split('//')[0]:
                candidates.append((i, new))
        for i, new in dict.fromkeys([candidates[0], candidates[-1]] if candidates else []):
            changed = list(lines)
            changed[i] = new
            yield kind, i + 1, '\n'.join(changed)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tcpscope', required=True)
    ap.add_argument('corpus')
    args = ap.parse_args()
    total = caught = 0
    by_kind = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(os.listdir(args.corpus)):
            if not name.endswith('.pkt'):
                continue
            capture = os.path.join(args.corpus, name[:-4] + '.pcap')
            with open(os.path.join(args.corpus, name)) as f:
                text = f.read()
            for kind, line, mutant in mutants(text):
                path = os.path.join(tmp, name)
                with open(path, 'w') as f:
                    f.write(mutant)
                run = subprocess.run([args.tcpscope, 'check', '--script', path, capture],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                named = '%s:%d: the trace differs from the script' % (path, line) in run.stdout
                framed = re.search(r'\bframe \d+', run.stdout) is not None
                total += 1
                k = by_kind.setdefault(kind, [0, 0])
                k[1] += 1
                if run.returncode == 1 and named and framed:
                    caught += 1
                    k[0] += 1
                else:
                    print('NOT CAUGHT: %s line %d (%s): exit %d\n  %s' %
                          (name, line, kind, run.returncode, run.stdout.strip().replace('\n', '\n  ')))
    print('mutants caught: %d of %d (%s)' %
          (caught, total, ', '.join('%s %d/%d' % (k, v[0], v[1]) for k, v in by_kind.items())))
    return 0 if total and caught == total else 1


if __name__ == '__main__':
    sys.exit(main())
