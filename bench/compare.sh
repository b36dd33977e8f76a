#!/usr/bin/env bash
# Side-by-side comparison on one generated roster, interleaved, several rounds (issue 17):
#   floor     the composite floor: the least work that leaves the same outputs
#             (examples/floor.rs, `floor job`: parse once, the CSV files, the audit
#             chain, the workbook's sheets deflated at level 1, the ledger rows under
#             the real schema and pragmas, every file hashed and fsynced once)
#   disburse  disburse run --period 2018-06, all its outputs and a fresh ledger
#   peer      the same job in Python with polars (bench/peer_polars.py); skipped when
#             polars cannot be imported or BENCH_PEER=0
# Prints each program's median wall time, median CPU time, peak RSS and bytes written
# (the files it leaves behind, its ledger included), the ratio disburse/floor, and
# the byte ratio disburse/floor, with a warning outside 0.9-1.1 (then the floor is
# not doing the same job).
#
# With BENCH_READ=1, also, in the same rounds:
#   read      `floor read OUT`: read and hash disburse's output files (both cores)
#   verify    disburse verify OUT (hashes, audit chain, the files against each other)
#   dry-floor `floor job --dry-run`: the floor of a dry run (no ledger, no transfers)
#   dry-run   disburse run --dry-run
# and the ratios verify/read, dry-run/read and dry-run/dry-floor. BENCH_READ=only runs
# just these four, on the out-disburse a previous run left in BENCH_DIR.
#
#   BENCH_DIR=/tmp/bench bench/compare.sh [ROWS] [RUNS]   (defaults: 1000000 rows, 3 rounds)
# Not run in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
runs=${2:-3}
work=${BENCH_DIR:-/tmp/disburse-bench}
mkdir -p "$work"
roster="$work/roster-$rows.csv"

cargo build --release --quiet --examples --bin disburse
names=()
if [ "${BENCH_READ:-0}" != only ]; then
  names=(floor disburse)
  if [ "${BENCH_PEER:-1}" != 0 ] && python3 -c 'import polars' 2>/dev/null; then
    names+=(peer)
  else
    echo "peer: skipped (BENCH_PEER=0 or no polars: pip install polars)"
  fi
elif [ ! -s "$work/out-disburse/manifest.json" ]; then
  echo "BENCH_READ=only needs the out-disburse of an earlier run in $work" >&2; exit 2
fi
case ${BENCH_READ:-0} in 1 | only) names+=(read verify dry-floor dry-run) ;; esac
if [ ! -s "$roster" ]; then
  ./target/release/examples/gen_roster --rows "$rows" --seed 1 > "$roster"
fi
echo "roster: $roster ($(du -m "$roster" | cut -f1) MB, $rows rows), $runs rounds, $(nproc) cores"

floor=./target/release/examples/floor
disburse=./target/release/disburse
# The bytes a program left behind: its output folder and its ledger.
bytes_of() { { find "$@" -type f -printf '%s\n' 2>/dev/null || true; } | awk '{s += $1} END {print s + 0}'; }

for name in "${names[@]}"; do : > "$work/$name.times"; done
# Interleaved, so that the machine's noise hits them alike.
for _ in $(seq "$runs"); do
  for name in "${names[@]}"; do
    out="$work/out-$name" ledger="$work/ledger-$name.sqlite"
    case $name in
      read | verify) ;;
      *) rm -rf "$out" "$ledger" "$ledger.lock" ;;
    esac
    case $name in
      floor) cmd=("$floor" job --out "$out" --ledger "$ledger" "$roster") ;;
      disburse) cmd=("$disburse" run --period 2018-06 --out "$out" --ledger "$ledger" "$roster") ;;
      peer) cmd=(python3 bench/peer_polars.py --period 2018-06 --out "$out" "$roster") ;;
      read) out=$work/out-disburse; cmd=("$floor" read "$out") ;;
      verify) out=$work/out-disburse; cmd=("$disburse" verify "$out") ;;
      dry-floor) cmd=("$floor" job --dry-run --out "$out" "$roster") ;;
      dry-run) cmd=("$disburse" run --dry-run --period 2018-06 --out "$out" --ledger "$work/no-ledger.sqlite" "$roster") ;;
    esac
    if ! /usr/bin/time -f "%e %M %U %S" -o "$work/$name.one" "${cmd[@]}" > "$work/$name.log" 2>&1; then
      echo "$name failed:"; tail -5 "$work/$name.log"; exit 1
    fi
    case $name in
      read | verify) b=0 ;;
      *) b=$(bytes_of "$out" "$ledger") ;;
    esac
    echo "$(cat "$work/$name.one") $b" >> "$work/$name.times"
  done
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
for name in "${names[@]}"; do
  t=$(cut -d' ' -f1 "$work/$name.times" | median)
  cpu=$(awk '{print $3 + $4}' "$work/$name.times" | median)
  m=$(cut -d' ' -f2 "$work/$name.times" | sort -n | tail -1)
  b=$(cut -d' ' -f5 "$work/$name.times" | tail -1)
  printf '%-9s median %6.2f s   cpu %6.2f s   peak RSS %5d MiB   written %6.1f MB\n' \
    "$name" "$t" "$cpu" $((m / 1024)) "$(awk -v b="$b" 'BEGIN {print b / 1e6}')"
  eval "t_${name//-/_}=$t b_${name//-/_}=$b"
done
if [ -n "${t_floor:-}" ]; then
  awk -v f="$t_floor" -v d="$t_disburse" 'BEGIN { printf "disburse/floor = %.2fx\n", d / f }'
  awk -v f="$b_floor" -v d="$b_disburse" 'BEGIN {
    r = d / f; printf "bytes written disburse/floor = %.3f", r
    if (r < 0.9 || r > 1.1) printf "   WARNING: outside 0.9-1.1, the floor is not doing the same job"
    printf "\n" }'
fi
if [ -n "${t_peer:-}" ]; then
  awk -v p="$t_peer" -v d="$t_disburse" 'BEGIN { printf "peer/disburse = %.2fx\n", p / d }'
  for f in transfers.csv audit.jsonl entitlements.csv; do
    if cmp -s "$work/out-disburse/$f" "$work/out-peer/$f"; then echo "$f: disburse and peer identical"; else echo "$f: disburse and peer DIFFER"; fi
  done
fi
if [ -n "${t_read:-}" ]; then
  awk -v r="$t_read" -v v="$t_verify" -v d="$t_dry_run" -v f="$t_dry_floor" \
    'BEGIN { printf "verify/read = %.2fx   dry-run/read = %.2fx   dry-run/dry-floor = %.2fx\n", v / r, d / r, d / f }'
  awk -v f="$b_dry_floor" -v d="$b_dry_run" 'BEGIN {
    r = d / f; printf "bytes written dry-run/dry-floor = %.3f", r
    if (r < 0.9 || r > 1.1) printf "   WARNING: outside 0.9-1.1"
    printf "\n" }'
fi
