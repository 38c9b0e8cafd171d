// Fetches the official Compose Specification JSON schema at install time (npm's postinstall), from the
// maintained Go module that ships it (compose-go, the loader Docker Compose itself uses), through the
// Go module proxy. Pinned by version and SHA-256, so every machine validates against the same bytes;
// nothing third-party is committed. Idempotent: an intact copy is kept as it is.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const MODULE = 'github.com/compose-spec/compose-go/v2';
const VERSION = 'v2.17.0';
/** SHA-256 of the module zip the proxy serves for VERSION. */
const ZIP_SHA256 = '3af3c020ea6875a44c6663755650439aa4749cf3f036095e23c115e25ba6051e';
/** SHA-256 of schema/compose-spec.json inside it. */
const SCHEMA_SHA256 = '49eb9a1e1de41315949f302f8e6221bb42acd6038977f7c0974e38596ec4cdf6';
const ENTRY = `${MODULE}@${VERSION}/schema/compose-spec.json`;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where compose/schema-file.ts reads it. */
export const SCHEMA_PATH = join(root, 'node_modules', '.cache', 'graphium', 'compose-spec.json');

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The first URL of GOPROXY (as the go command reads it), else the public proxy. */
function proxyUrl(): string {
  const configured = (process.env.GOPROXY ?? '')
    .split(/[,|]/)
    .map((entry) => entry.trim())
    .find((entry) => /^https?:\/\//.test(entry));
  return (configured ?? 'https://proxy.golang.org').replace(/\/+$/, '');
}

/** One file out of a zip archive: the central directory gives its offset, the local header its data. */
function extract(zip: Buffer, name: string): Buffer {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip archive (no end of central directory)');
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localOffset = zip.readUInt32LE(at + 42);
    const entryName = zip.toString('utf8', at + 46, at + 46 + nameLength);
    if (entryName === name) {
      const dataStart =
        localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
      const data = zip.subarray(dataStart, dataStart + compressedSize);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return inflateRawSync(data);
      throw new Error(`${name} uses zip compression method ${method}, which this script does not read`);
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`${name} is not in the archive`);
}

async function main(): Promise<void> {
  if (existsSync(SCHEMA_PATH) && sha256(readFileSync(SCHEMA_PATH)) === SCHEMA_SHA256) {
    console.log(`compose schema: ${MODULE} ${VERSION} already in ${SCHEMA_PATH}`);
    return;
  }
  const url = `${proxyUrl()}/${MODULE}/@v/${VERSION}.zip`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new Error(`cannot reach the Go module proxy at ${url}: ${cause}`);
  }
  if (!response.ok) throw new Error(`the Go module proxy answered ${response.status} for ${url}`);
  const zip = Buffer.from(await response.arrayBuffer());
  const zipDigest = sha256(zip);
  if (zipDigest !== ZIP_SHA256) {
    throw new Error(`${url} has SHA-256 ${zipDigest}, expected ${ZIP_SHA256}: refusing to use it`);
  }
  const schema = extract(zip, ENTRY);
  if (sha256(schema) !== SCHEMA_SHA256) throw new Error(`${ENTRY} does not have the pinned SHA-256`);
  mkdirSync(dirname(SCHEMA_PATH), { recursive: true });
  // Write then rename, so an interrupted install never leaves half a schema behind.
  writeFileSync(`${SCHEMA_PATH}.tmp`, schema);
  renameSync(`${SCHEMA_PATH}.tmp`, SCHEMA_PATH);
  console.log(`compose schema: ${MODULE} ${VERSION} written to ${SCHEMA_PATH}`);
}

main().catch((error: unknown) => {
  console.error(
    `compose schema: FAILED to fetch the Compose Specification schema (${MODULE} ${VERSION}): ` +
      `${error instanceof Error ? error.message : String(error)}\n` +
      'Graphium validates Compose files against it. Retry with `npm run fetch-compose-schema` once the ' +
      'Go module proxy is reachable (set GOPROXY to use a mirror).',
  );
  process.exit(1);
});
