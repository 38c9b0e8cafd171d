import { generateKeyringText } from '../lib/encryption.js';
import {
  generateSigningKeyText,
  parseSigningKey,
  publicKeyText,
  type SigningKey,
} from '../lib/signing-keys.js';

// `npm run keys`: fresh keys of Temporal payloads for .env (docs/security.md). Each key's id carries
// today's date, so keys made at a rotation never share an id with the ones they replace.
const stamp = new Date().toISOString().slice(0, 10).replaceAll('-', '');
const api = generateSigningKeyText(`api-${stamp}`);
const orchestrator = generateSigningKeyText(`orchestrator-${stamp}`);
const publicOf = (text: string) => publicKeyText(parseSigningKey(text) as SigningKey);

process.stdout.write(
  [
    '# Keys of Temporal payloads (docs/security.md). Secret: the first three lines. Public: the last two.',
    `GRAPHIUM_PAYLOAD_KEYS=${generateKeyringText(`p-${stamp}`)}`,
    `GRAPHIUM_API_SIGNING_KEY=${api}`,
    `GRAPHIUM_ORCHESTRATOR_SIGNING_KEY=${orchestrator}`,
    `GRAPHIUM_API_PUBLIC_KEYS=${publicOf(api)}`,
    `GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS=${publicOf(orchestrator)}`,
    '',
  ].join('\n'),
);
