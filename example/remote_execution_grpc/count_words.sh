#!/bin/sh
# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# The command Bob's `sealpipe worker run` runs for each action (example/demo.sh): stdin holds
# the action plaintext, two lines: the input's link and the encoders (with Alice's key) that
# read it. It restores the input from the shared store, counts its words, stores the report
# under the same encoders and prints the report's link. Each stderr line is an execution event.
# Usage: count_words.sh SEALPIPE_TOOL STORE_URI
set -eu
tool=$1 store=$2
read -r link
read -r encoders
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
umask 077
printf '%s\n' "$encoders" > "$scratch/encoders.json"
echo "restoring the input from the store" >&2
"$tool" store get --store "$store" --encoders "$scratch/encoders.json" "$link" --out "$scratch/input" 2>/dev/null
words=$(cat "$scratch/input" | wc -w | tr -d ' ')
echo "counted $words words" >&2
printf '%s words\n' "$words" > "$scratch/report.txt"
"$tool" store put --store "$store" --encoders "$scratch/encoders.json" "$scratch/report.txt" 2>/dev/null
