#!/usr/bin/env bash
# Formats the Swift code as .swift-format says; CI's "Format" step checks the same files.
# Shipped migrations (Sources/CITHub/Migrations) are left alone: they are frozen byte for
# byte (MigrationTests), so a formatter must never edit them.
set -euo pipefail
cd "$(dirname "$0")/.."
find Sources Tests -name "*.swift" -not -path "Sources/CITHub/Migrations/*" -print0 \
  | xargs -0 swift format format --in-place --parallel Package.swift
