#!/usr/bin/env bash
# Writes the CLI reference (Markdown) and man pages into docs/ from the
# command definitions (cobra/doc): scripts/gen-docs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
go run -tags gendocs ./cmd/mapictl gen-docs docs/cli docs/man
chmod -R go+rX docs/cli docs/man
echo "wrote docs/cli and docs/man"
