// A node:test reporter that adds up the whole run as one JSON object, so the runner can print one
// summary line and CI can refuse a run whose end-to-end tests were skipped or absent.
// Plain JavaScript: node loads reporters before any TypeScript loader is in place.

export default async function* summaryReporter(source) {
  const totals = {
    tests: 0,
    pass: 0,
    fail: 0,
    skipped: 0,
    todo: 0,
    e2ePassed: 0,
    e2eFiles: [],
    faultPassed: 0,
    faultFiles: [],
  };
  const e2eFiles = new Set();
  const faultFiles = new Set();
  for await (const { type, data } of source) {
    if (type !== 'test:pass' && type !== 'test:fail') continue;
    if (data.details?.type === 'suite') {
      // A skipped suite never runs its tests, so it reports none of them: count the suite itself.
      if (data.skip) totals.skipped += 1;
      else if (data.todo) totals.todo += 1;
      // A suite that failed on its own (a hook, or the file did not load) counts as one failed test.
      else if (type === 'test:fail' && data.details.error?.failureType !== 'subtestsFailed') totals.fail += 1;
      continue;
    }
    totals.tests += 1;
    const isE2e = Boolean(data.file?.includes('/test/e2e/'));
    const isFault = Boolean(data.file?.includes('/test/faults/'));
    if (data.skip) totals.skipped += 1;
    else if (data.todo) totals.todo += 1;
    else if (type === 'test:pass') {
      totals.pass += 1;
      if (isE2e) {
        totals.e2ePassed += 1;
        e2eFiles.add(data.file.slice(data.file.indexOf('/test/e2e/') + 1));
      }
      if (isFault) {
        totals.faultPassed += 1;
        faultFiles.add(data.file.slice(data.file.indexOf('/test/faults/') + 1));
      }
    } else totals.fail += 1;
  }
  totals.e2eFiles = [...e2eFiles].sort();
  totals.faultFiles = [...faultFiles].sort();
  yield `${JSON.stringify(totals)}\n`;
}
