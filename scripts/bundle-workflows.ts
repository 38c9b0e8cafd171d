import { runMain } from '../lib/main.js';
import { writeWorkflowBundle } from '../lib/workflow-bundle.js';

// `node --import tsx scripts/bundle-workflows.ts OUT.js`: the Docker image's build step.
runMain('bundle-workflows', async () => {
  const outFile = process.argv[2];
  if (!outFile) throw new Error('usage: scripts/bundle-workflows.ts <output file>');
  const bytes = await writeWorkflowBundle(outFile);
  process.stderr.write(`graphium bundle-workflows: wrote ${outFile} (${bytes} bytes)\n`);
});
