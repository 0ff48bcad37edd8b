#!/usr/bin/env bash
# CI proof run on the foreign-shaped stack (issue 9): the same suites as `npm test`, pointed at
# fixtures/foreign-stack/stack.profile.json. Each suite file boots its own stack (9 services, ~30-70 s
# on 2 cores). Chosen to cover every kind of evidence once: the interlock's proof (token scope),
# bucket separation + chain of custody (mock HA deliveries vs InfluxDB), throughput (bursts of
# 500 ev/s), graceful shutdown (SIGTERM, judged from Docker and deliveries), and the AI round trip
# the profile maps (roles.aiPath; its checks take ~10 s after a boot, so it costs one boot: 4.7 min
# wall on a machine at load 160-300, of which 4.6 min boot). Measured cost: see the phase time CI prints. Override with FOREIGN_SUITES="suites/... suites/...".
set -uo pipefail
cd "$(dirname "$0")/../.."
read -r -a suites <<< "${FOREIGN_SUITES:-suites/safety/interlock.test.ts suites/mission/bucket-separation.smoke.test.ts suites/mission/throughput.test.ts suites/mission/graceful-shutdown.test.ts suites/mission/ai-reachability.smoke.test.ts}"
mkdir -p reports/foreign-stack
HOMEIQ_PROFILE=fixtures/foreign-stack/stack.profile.json npx vitest run --project suites "${suites[@]}" \
  --reporter=default --reporter=junit --outputFile.junit=reports/foreign-stack/junit.xml
rc=$?
node harness/ci/junit-summary.ts reports/foreign-stack/junit.xml || rc=1
exit $rc
