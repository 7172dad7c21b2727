#!/usr/bin/env python3
"""Runs a command and prints, as one CSV line, seconds to its first byte of stdout and to its
exit: "first_s,total_s,status". The clock starts just before the command is spawned, so a
JVM's start-up and any mount or extraction the command does count."""
import os
import subprocess
import sys
import time

t0 = time.monotonic()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
first = p.stdout.read(1)
t1 = time.monotonic()
p.stdout.read()
status = p.wait()
t2 = time.monotonic()
print(f"{t1 - t0:.4f},{t2 - t0:.4f},{status}" if first else f",{t2 - t0:.4f},{status}")
