#!/bin/sh
# Install drizzle-kit for the comparison into bench/drizzle/ (its own package.json and
# package-lock.json; the root lockfile is not touched). `npm ci` installs exactly the locked
# versions and never rewrites the lockfile. Optional: without it the bench records
# "not installed" instead of a number.
set -e
cd "$(dirname "$0")/drizzle"
npm ci --no-audit --no-fund
