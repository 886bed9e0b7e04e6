#!/usr/bin/env bash
# The web console in a real browser (issue 14): Debian's chromium, headless,
# driven by tests/e2e/ui_test.py through chromium-driver and selenium. A
# locked box (users exist) with an admin, a reader, a pushed image with a
# hostile label and an SBOM with a hostile annotation; the admin browses,
# copies a pull command, makes a robot token that skopeo then uses, sees an
# import arrive, sets a quota and starts a GC; the reader sees no
# administration and is refused it; an anonymous visitor gets the login only.
# Screenshots of each page land in $WORK/shots (KEEP_WORK=1 keeps them, or
# set UI_SHOTS=DIR to copy them there).
source "$(dirname "$0")/lib.sh"
FERRY=${FERRY:?set FERRY to the ferry binary}
FERRYCTL=${FERRYCTL:?set FERRYCTL to the ferryctl binary}
cd "$WORK"
export FERRY_PROGRESS=0
PY=/usr/bin/python3  # Debian's, where python3-selenium lives
for need in chromium chromedriver skopeo; do
  command -v "$need" >/dev/null || { echo "skip: $need is not installed (.ci/install-deps)"; exit 77; }
done
"$PY" -c 'import selenium' 2>/dev/null || { echo "skip: python3-selenium is not installed"; exit 77; }

DATA=$WORK/data
ctl() { "$FERRYCTL" --data-dir "$DATA" "$@"; }
echo admin-pass-1 | ctl user add admin >/dev/null
ctl grant admin '*' admin >/dev/null
echo reader-pass-1 | ctl user add reader >/dev/null
ctl grant reader team reader >/dev/null
echo lead-pass-1 | ctl user add lead >/dev/null
ctl grant lead team admin >/dev/null
ctl namespace set '*' --import on >/dev/null

"$FERRY" keygen -o site --no-password >/dev/null
mkdir trust && cp site.pub trust/
make_layout robot --tag v1 --layers 1 --layer-size 20000 --seed 7 >/dev/null
make_layout shipped --tag v1 --layers 1 --layer-size 30000 --seed 8 >/dev/null
"$FERRY" pack -k site.key -o shipped.ferry "oci:$WORK/shipped:v1=team/shipped:v1" >/dev/null
printf '[import]\ntrust_dir = "%s"\n' "$WORK/trust" >ferryd.toml
start_ferryd "$DATA" --config ferryd.toml

rc=0
REG=$REG WORK=$WORK DATA=$DATA FERRYD=$FERRYD FERRYCTL=$FERRYCTL BUNDLE=$WORK/shipped.ferry \
  LAYOUT=$WORK/robot "$PY" "$HERE/ui_test.py" || rc=$?
if [[ -n "${UI_SHOTS:-}" ]]; then mkdir -p "$UI_SHOTS" && cp shots/*.png "$UI_SHOTS/"; fi
if ((rc)); then FAILED=1; else PASSED=1; fi
finish
