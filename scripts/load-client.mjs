// A load client in its own process (see `loadFromAnotherProcess` in scripts/load.ts): autocannon
// runs here so that its own work (parsing answers of hundreds of KB) never shares the event
// loop of the service it measures. (Not a worker thread: autocannon aggregates its figures only
// on a main thread.)
import process from 'node:process';
import autocannon from 'autocannon';

const result = await autocannon(JSON.parse(process.argv[2]));
process.send({
  requestsPerSecond: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  max: result.latency.max,
  non2xx: result.non2xx,
  errors: result.errors,
});
process.disconnect();
