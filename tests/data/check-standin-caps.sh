#!/bin/sh
# check-standin-caps.sh: the committed large stand-in CAP is exactly what its generator makes from the published
# helloworld CAP (data/demo/make-schsm-cap.py --method-padding 24000), so nobody has to trust a binary blob.
#   check-standin-caps.sh SOURCE_DIR SHARED_DIR
set -eu
source_dir=$1
shared_dir=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
python3 "$source_dir/data/demo/make-schsm-cap.py" "$shared_dir/data/caps/helloworld.cap" "$out/large.cap" \
  --method-padding 24000
if ! cmp "$out/large.cap" "$source_dir/data/demo/smartcard-hsm-standin-large.cap"; then
  echo "data/demo/smartcard-hsm-standin-large.cap differs from what make-schsm-cap.py makes: regenerate it" >&2
  exit 1
fi
