import { DefaultFailureConverter } from '@temporalio/common';

// Loaded by path (DataConverter.failureConverterPath) in every process and in the workflow sandbox:
// a failure's message and stack trace travel as an encoded payload, so the codec encrypts them like
// any other value. They can quote a container's last output lines, which may print its secrets.
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
