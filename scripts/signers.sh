#!/usr/bin/env bash
# Installs the vendors' own signing clients that the gateway's auth tests
# sign requests with (apigw-gateway/tests/vendor_signers.rs):
#   - npm `aliyun-api-gateway` 1.1.6, Alibaba's Node.js SDK (app signature
#     and AppCode), under target/tools/signers/node;
#   - PyPI `tencentcloud-apigateway-authorization` 0.1.0 (Tencent key-pair
#     headers), and `python-jwt` 4.1.0 with `jwcrypto` 1.6.1, what Tencent's
#     OAuth demo makes its keys and tokens with, in a venv under
#     target/tools/signers/venv.
# Safe to run again: each piece is installed only when missing. A piece
# that cannot be installed stops the script, saying which.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "error: scripts/signers.sh: $*" >&2; exit 1; }

dir="$PWD/target/tools/signers"
mkdir -p "$dir"

command -v node >/dev/null || fail "node is not installed (apt-get install nodejs npm)"
if [ ! -f "$dir/node/node_modules/aliyun-api-gateway/package.json" ]; then
  command -v npm >/dev/null || fail "npm is not installed (apt-get install npm)"
  npm install --silent --no-audit --no-fund --prefix "$dir/node" "aliyun-api-gateway@1.1.6" \
    || fail "npm could not install aliyun-api-gateway@1.1.6 into $dir/node"
fi
echo "aliyun-api-gateway $(node -p "require('$dir/node/node_modules/aliyun-api-gateway/package.json').version") in $dir/node"

venv="$dir/venv"
if ! "$venv/bin/python3" -c 'import apigateway.auth, python_jwt, jwcrypto' >/dev/null 2>&1; then
  python3 -m venv "$venv" || fail "python3 -m venv could not make $venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "tencentcloud-apigateway-authorization==0.1.0" "python-jwt==4.1.0" "jwcrypto==1.6.1" \
    || fail "pip could not install the Tencent signers into $venv"
fi
echo "tencentcloud-apigateway-authorization, python-jwt and jwcrypto in $venv"
