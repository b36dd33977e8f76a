#!/usr/bin/env bash
# Side-by-side comparison on one generated roster, in one go, several times each:
#   1. the floor: read every record once with a reused csv::ByteRecord (examples/floor.rs)
#   2. disburse run --period 2018-06 writing all its outputs
#   3. the peer: the same job in Python with polars (bench/peer_polars.py)
# Prints the median wall time and peak RSS of each, and the ratios disburse/floor and
# peer/disburse. Not run in CI.
#
#   bench/compare.sh [ROWS] [RUNS]      (defaults: 1000000 rows, 3 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
runs=${2:-3}
work=${BENCH_DIR:-/tmp/disburse-bench}
mkdir -p "$work"
roster="$work/roster-$rows.csv"

cargo build --release --quiet --examples --bin disburse
python3 -c 'import polars' 2>/dev/null || pip install --quiet polars
if [ ! -s "$roster" ]; then
  ./target/release/examples/gen_roster --rows "$rows" --seed 1 > "$roster"
fi
echo "roster: $roster ($(du -m "$roster" | cut -f1) MB, $rows rows), $runs runs each, $(nproc) cores"


# Interleave the three so that machine noise hits them alike.
: > "$work/floor.times"; : > "$work/disburse.times"; : > "$work/peer.times"
for _ in $(seq "$runs"); do
  for name in floor disburse peer; do
    rm -rf "$work/out-$name"
    case $name in
      floor) cmd=(./target/release/examples/floor "$roster") ;;
      disburse) rm -f "$work/ledger.sqlite" "$work/ledger.sqlite.lock"
                cmd=(./target/release/disburse run --period 2018-06 --out "$work/out-disburse" --ledger "$work/ledger.sqlite" "$roster") ;;
      peer) cmd=(python3 bench/peer_polars.py --period 2018-06 --out "$work/out-peer" "$roster") ;;
    esac
    /usr/bin/time -f "%e %M" -o "$work/$name.one" "${cmd[@]}" > /dev/null 2>&1
    cat "$work/$name.one" >> "$work/$name.times"
  done
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
for name in floor disburse peer; do
  t=$(cut -d' ' -f1 "$work/$name.times" | median)
  m=$(cut -d' ' -f2 "$work/$name.times" | sort -n | tail -1)
  printf '%-9s median %6.2f s   peak RSS %5d MiB\n' "$name" "$t" $((m / 1024))
  eval "t_$name=$t"
done
awk -v f="$t_floor" -v d="$t_disburse" -v p="$t_peer" \
  'BEGIN { printf "disburse/floor = %.1fx   peer/disburse = %.1fx\n", d / f, p / d }'
for f in transfers.csv audit.jsonl entitlements.csv; do
  if cmp -s "$work/out-disburse/$f" "$work/out-peer/$f"; then echo "$f: disburse and peer identical"; else echo "$f: disburse and peer DIFFER"; fi
done
