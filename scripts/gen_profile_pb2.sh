#!/bin/sh
# Regenerate src/steadygo/runtime/profile_pb2.py from proto/profile.proto.
# Needs grpcio-tools (bundles protoc) at generation time only; the generated
# module needs just the `protobuf` runtime.  Example:
#   pip install --no-deps --target /tmp/gt grpcio-tools grpcio
#   PYTHONPATH=/tmp/gt sh scripts/gen_profile_pb2.sh
set -eu
cd "$(dirname "$0")/../src/steadygo/runtime"
python3 -m grpc_tools.protoc -Iproto --python_out=. proto/profile.proto
