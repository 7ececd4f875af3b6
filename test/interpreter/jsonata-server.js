// A long-lived JSONata evaluator for the interpreter harness (harness.py --engine js): one JSON request per line on
// stdin, {"id": n, "expression": "..."}, one JSON answer per line on stdout, {"id": n, "value": ...} or
// {"id": n, "error": "..."}. The expression is evaluated with jsonata-js (the repo's jsonata, 2.0.6, the version
// AWS Step Functions documents) against no input, as LocalStack evaluates its composed expressions.
'use strict';
const readline = require('readline');
const jsonata = require('jsonata');

const version = require('jsonata/package.json').version;
process.stdout.write(JSON.stringify({ ready: true, version }) + '\n');

const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on('line', async line => {
  if (!line.trim()) return;
  const { id, expression } = JSON.parse(line);
  let answer;
  try {
    const value = await jsonata(expression).evaluate(null);
    // undefined (no result) answers as null, as LocalStack's Java bridge does (Jackson writes a Java null as null).
    answer = { id, value: value === undefined ? null : value };
    answer = JSON.parse(JSON.stringify(answer)); // sequences and functions to plain JSON, as they would go out
  } catch (e) {
    answer = { id, error: `${e.code ?? ''} ${e.message ?? String(e)}`.trim() };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
});
