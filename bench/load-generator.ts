import autocannon from 'autocannon';

// The load of `npm run bench:api`, in a process of its own so that sending requests does not share an
// event loop with the API it measures. Input: one JSON argument; output: autocannon's result as JSON.

interface Load {
  url: string;
  paths: string[];
  token: string;
  rate: number;
  duration: number;
  connections: number;
}

const load = JSON.parse(process.argv[2] ?? '{}') as Load;
const result = await autocannon({
  url: load.url,
  connections: load.connections,
  overallRate: load.rate,
  duration: load.duration,
  headers: { authorization: `Bearer ${load.token}` },
  requests: load.paths.map((path) => ({ method: 'GET', path })),
});
process.stdout.write(JSON.stringify(result));
