// The bench's Node handler: sleeps 200 ms (or ?sleep_ms), then answers, as
// the Rust `echo` example does behind `cargo apigw serve`.
"use strict";

exports.echo = async (event) => {
  const ms = Number((event.queryStringParameters || {}).sleep_ms || 200);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ path: event.path, sleptMs: ms }),
  };
};
