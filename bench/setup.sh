#!/bin/sh
# Install drizzle-kit for the comparison into bench/drizzle/ (its own package.json and
# node_modules; the root lockfile is not touched). Optional: without it the bench records
# "not installed" instead of a number.
set -e
cd "$(dirname "$0")/drizzle"
npm install --no-audit --no-fund drizzle-kit drizzle-orm
