#!/usr/bin/env bash
# What a service pays to verify keydesk keys: the clean release build time
# and the number of crates of a minimal program that opens a keydesk
# database and verifies the key it is given, through keydesk-core.
#
#   scripts/minimal-service.sh                  # keydesk-core of this checkout
#   scripts/minimal-service.sh --before REV     # and the same program against
#                                               # the single `keydesk` crate at
#                                               # REV, default-features = false
#
# Each build starts from an empty target directory (dependencies included),
# one after the other, in the same run; the figures are printed, nothing is
# asserted. Needs network access only if the crates are not in ~/.cargo yet.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${before_tree:-}" ] && git -C "$root" worktree remove --force "$before_tree" 2>/dev/null || true' EXIT

# One program, two spellings of the library's name.
service() { # DIR CRATE DEPENDENCY
    mkdir -p "$1/src"
    cat >"$1/Cargo.toml" <<EOF
[package]
name = "minimal-service"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
$3

[profile.release]
lto = "thin"
codegen-units = 4

[workspace]
EOF
    cat >"$1/src/main.rs" <<EOF
use $2::{Store, Verifier};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(db), Some(key)) = (args.next(), args.next()) else {
        return Err("usage: minimal-service DATABASE KEY".into());
    };
    let verifier = Verifier::new(Store::open(db)?)?;
    match verifier.verify(&key) {
        Some(id) => println!("allowed: {}", id.as_str()),
        None => println!("refused"),
    }
    Ok(())
}
EOF
}

measure() { # LABEL DIR LOCKFILE
    local start end crates
    # The lock file of the workspace it comes from, so versions match.
    cp "$3" "$2/Cargo.lock"
    start=$(date +%s.%N)
    cargo build --release --quiet --manifest-path "$2/Cargo.toml" --target-dir "$2/target"
    end=$(date +%s.%N)
    crates=$(cargo tree --manifest-path "$2/Cargo.toml" -e normal --prefix none | sed 's/ (\*)$//' | sort -u | wc -l)
    printf '%-44s %6.1f s  %3d crates (the program included)\n' "$1" "$(echo "$end - $start" | bc)" "$crates"
}

echo "machine: $(nproc) cores, $(uname -r); load now: $(cut -d' ' -f1-3 /proc/loadavg)"
service "$work/core" keydesk_core "keydesk-core = { path = \"$root/crates/keydesk-core\" }"
measure "keydesk-core (this checkout)" "$work/core" "$root/Cargo.lock"

if [ "${1:-}" = "--before" ]; then
    before_tree="$work/before-tree"
    git worktree add --quiet --detach "$before_tree" "$2"
    service "$work/before" keydesk "keydesk = { path = \"$before_tree\", default-features = false }"
    measure "keydesk at $2, default-features = false" "$work/before" "$before_tree/Cargo.lock"
fi
