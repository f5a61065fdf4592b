# Runs MicroPython's tests/run-tests.py with some of its "webassembly" platform skips lifted.
#   python3 run-tests-unskip.py TESTS_DIR UNSKIP_FILE [run-tests.py arguments...]
# UNSKIP_FILE lists test paths (relative to TESTS_DIR, one a line, '#' comments). The
# runner's webassembly list skips tests that the port's own JavaScript-driven asyncio cannot
# pass; usocket-micropython replaces that asyncio, so those tests are run and compared with
# their expected output like every other test. Nothing else of the runner changes.
import importlib.util
import os
import sys

tests_dir = os.path.abspath(sys.argv[1])
with open(sys.argv[2]) as f:
    unskip = {line.split("#")[0].strip() for line in f} - {""}

spec = importlib.util.spec_from_file_location("run_tests", os.path.join(tests_dir, "run-tests.py"))
runner = importlib.util.module_from_spec(spec)
sys.path.insert(0, tests_dir)
os.chdir(tests_dir)
spec.loader.exec_module(runner)

listed = runner.platform_tests_to_skip["webassembly"]
missing = unskip - set(listed)
if missing:
    sys.exit("not in run-tests.py's webassembly skip list: " + ", ".join(sorted(missing)))
runner.platform_tests_to_skip["webassembly"] = tuple(t for t in listed if t not in unskip)

sys.argv = [os.path.join(tests_dir, "run-tests.py")] + sys.argv[3:]
runner.main()
