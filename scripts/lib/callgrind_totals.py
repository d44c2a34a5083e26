"""Reads a callgrind output file and prints "<instructions> <malloc calls>": the Ir total of the profile and
the calls made to malloc (operator new and the C library's allocations all go through it). Usage:
callgrind_totals.py FILE"""
import re
import sys


def main() -> int:
    names = {}  # callgrind compresses a repeated name to its "(id)"
    instructions = None
    mallocs = 0
    callee = None
    name_re = re.compile(r"^c?fn=\((\d+)\)(?: (.*))?$")
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("summary:") or line.startswith("totals:"):
                instructions = int(line.split()[1])
                continue
            m = name_re.match(line)
            if m:
                if m.group(2) is not None:
                    names[m.group(1)] = m.group(2)
                callee = names.get(m.group(1)) if line.startswith("cfn=") else None
                continue
            if line.startswith("calls=") and callee == "malloc":
                mallocs += int(line[len("calls="):].split()[0])
    if instructions is None:
        print("callgrind_totals: no summary line in " + sys.argv[1], file=sys.stderr)
        return 2
    print(instructions, mallocs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
