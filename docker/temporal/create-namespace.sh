#!/bin/sh
# temporalio/server, unlike the dev server, starts without any namespace: create Graphium's
# (idempotently) once the frontend answers. Search attributes need no step here: the api and
# orchestrator register the ones they use at start.
set -eu
namespace=${TEMPORAL_NAMESPACE:-default}
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do sleep 2; done
temporal operator namespace describe --address "$TEMPORAL_ADDRESS" -n "$namespace" >/dev/null 2>&1 ||
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" -n "$namespace" --retention 30d
echo "namespace $namespace ready"
