// Signs and sends one request with Alibaba's own Node.js SDK (npm
// `aliyun-api-gateway`, installed by scripts/signers.sh), then prints the
// answer as one line of JSON: {"status": …, "headers": {…}, "body": …}.
//
// Usage: node aliyun.js '<spec>', the spec a JSON object:
//   {"url": "http://127.0.0.1:PORT/path?q=1", "method": "get" | "post" | …,
//    "key": "<AppKey>", "secret": "<AppSecret>"   (the signing Client), or
//    "appcode": "<AppCode>"                        (the SimpleClient),
//    "opts": {"headers": {…}, "signHeaders": {…}, "data": …, "query": {…}}}
'use strict';

const { Client, SimpleClient } = require('aliyun-api-gateway');

async function main() {
  const spec = JSON.parse(process.argv[2]);
  const client = spec.appcode !== undefined
    ? new SimpleClient(spec.appcode)
    : new Client(spec.key, spec.secret, spec.stage || 'RELEASE');
  let answer;
  try {
    const body = await client[spec.method](spec.url, spec.opts || {});
    answer = { status: 200, body: body };
  } catch (err) {
    if (err.code === undefined || typeof err.code !== 'number') {
      throw err;
    }
    answer = { status: err.code, headers: err.data ? err.data.headers : {}, message: err.message };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}

main().catch((err) => {
  process.stderr.write(`aliyun.js: ${err.stack || err}\n`);
  process.exit(2);
});
