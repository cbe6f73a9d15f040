import { newMeter, withMeter, type DbMeter } from '../../lib/db/client.js';

/** What one benchmarked operation cost, per call. */
export interface Figures {
  operation: string;
  iterations: number;
  p50ms: number;
  p95ms: number;
  dynamoRequestsPerOp: number;
  maxRequestsPerOp: number;
  readCapacityPerOp: number;
  writeCapacityPerOp: number;
  commands: Record<string, number>;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/**
 * Runs `run` once to warm up, then `iterations` times, each under a DynamoDB meter, and returns
 * latency percentiles and DynamoDB requests and consumed capacity per call.
 */
export async function measure(operation: string, run: (i: number) => Promise<void>, iterations: number): Promise<Figures> {
  await run(-1);
  const times: number[] = [];
  const total: DbMeter = newMeter();
  let maxRequests = 0;
  for (let i = 0; i < iterations; i++) {
    const meter = newMeter();
    const started = performance.now();
    await withMeter(meter, () => run(i));
    times.push(performance.now() - started);
    maxRequests = Math.max(maxRequests, meter.requests);
    total.requests += meter.requests;
    total.readCapacity += meter.readCapacity;
    total.writeCapacity += meter.writeCapacity;
    for (const [k, v] of Object.entries(meter.byCommand)) total.byCommand[k] = (total.byCommand[k] ?? 0) + v;
  }
  times.sort((a, b) => a - b);
  const per = (n: number) => Math.round((n / iterations) * 100) / 100;
  return {
    operation,
    iterations: iterations,
    p50ms: Math.round(percentile(times, 50) * 100) / 100,
    p95ms: Math.round(percentile(times, 95) * 100) / 100,
    dynamoRequestsPerOp: per(total.requests),
    maxRequestsPerOp: maxRequests,
    readCapacityPerOp: per(total.readCapacity),
    writeCapacityPerOp: per(total.writeCapacity),
    commands: Object.fromEntries(Object.entries(total.byCommand).map(([k, v]) => [k, per(v)])),
  };
}
