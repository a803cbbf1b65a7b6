// The script's line to the pytest test that runs it: JSON lines on stdout are asks
// ({"ask": name, ...}) and, last, the report ({"report": {...}}); the test answers each
// ask with one JSON line on stdin ({"answer": ...} or {"error": text}). Progress goes
// to stderr. The test does every agency operation itself (only its helpers know how
// an agency authenticates), so this script never holds an agency's key.
import { basename } from "node:path";
import { createInterface } from "node:readline";

const lines = createInterface({ input: process.stdin });
const waiting = [];
const queued = [];
lines.on("line", (line) => {
  const next = waiting.shift();
  if (next) next(line);
  else queued.push(line);
});
lines.on("close", () => {
  for (const next of waiting.splice(0)) next(null);
});

function nextLine(ms) {
  if (queued.length) return Promise.resolve(queued.shift());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.splice(waiting.indexOf(done), 1);
      reject(new Error(`no answer from the test within ${ms / 1000} s`));
    }, ms);
    const done = (line) => {
      clearTimeout(timer);
      resolve(line);
    };
    waiting.push(done);
  });
}

/** Ask the test to do (and check) something; its answer. */
export async function ask(name, args = {}, ms = 120_000) {
  process.stdout.write(`${JSON.stringify({ ask: name, ...args })}\n`);
  const line = await nextLine(ms);
  if (line === null) throw new Error(`the test closed the channel during "${name}"`);
  const message = JSON.parse(line);
  if ("error" in message) throw new Error(`the test says, on "${name}": ${message.error}`);
  return message.answer;
}

export function report(body) {
  process.stdout.write(`${JSON.stringify({ report: body })}\n`);
}

const started = Date.now();
const NAME = basename(process.argv[1] ?? "script", ".mjs");
export function log(text) {
  process.stderr.write(`[${NAME} +${((Date.now() - started) / 1000).toFixed(1)} s] ${text}\n`);
}

export function close() {
  lines.close();
}
