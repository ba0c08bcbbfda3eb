#!/usr/bin/env bash
# Builds what runs on a GPU machine that need not have .NET: amphista-gpu-checks (Amphista.GpuChecks) and the
# amphista CLI, each published self-contained for linux-x64 and trimmed, packed into .gpu/amphista-gpu.tar.xz
# (git-ignored) to copy there with the repository. The archive leaves out the CLI's demo models (the
# repository holds them already; run-on-device.sh links them back), and xz -9's 64 MiB window stores the
# two runtimes' shared files once, so it stays about 14 MiB.
# Usage, from anywhere in the repository: bash scripts/gpu/publish.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

stage=.gpu/stage
archive=.gpu/amphista-gpu.tar.xz
rm -rf "$stage" "$archive"
mkdir -p "$stage"

# The checks project sets its own trimming (partial, CoreLib kept whole for ILGPU's compiler).
dotnet publish Amphista.GpuChecks -c Release -r linux-x64 --self-contained -o "$stage/gpu-checks"
# The CLI runs the benches there with --device cuda, trimmed the same way (its project keeps CoreLib whole for
# ILGPU); its JSON output serializes by reflection, which a trimmed build turns off unless asked.
dotnet publish Amphista.Cli -c Release -r linux-x64 --self-contained -o "$stage/amphista" \
    -p:PublishTrimmed=true -p:TrimMode=partial -p:SuppressTrimAnalysisWarnings=true \
    -p:JsonSerializerIsReflectionEnabledByDefault=true
rm -rf "$stage/amphista/models"

XZ_OPT=-9 tar cJf "$archive" -C "$stage" gpu-checks amphista
rm -rf "$stage"
echo "$archive: $(du -b "$archive" | cut -f1) bytes ($(du -h "$archive" | cut -f1))"
