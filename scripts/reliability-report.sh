#!/usr/bin/env bash
# Writes RELIABILITY.md from the newest ./mvnw -B verify run only (see ./telemetra reliability-report).
# Usage: ./mvnw -B verify && scripts/reliability-report.sh
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./telemetra reliability-report
