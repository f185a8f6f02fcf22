// An uploading client in its own process (see `uploaderInAnotherProcess` in scripts/load.ts): it
// puts the files into the local inbox as the AWS CLI or a scanner's software would, so the
// service's event loop carries only the service. It loads the SDK, takes the files (a message,
// too large for arguments), says so, and starts uploading, all at once, only when told `go`:
// its start-up is not timed.
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

let upload;
process.on('message', async (message) => {
  if (message.files) {
    const { endpoint, credentials, bucket, files } = message;
    const client = new S3Client({ endpoint, region: 'us-east-1', credentials, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
    const bodies = files.map((file) => ({ key: file.key, body: Buffer.from(file.body, 'base64') }));
    upload = () => Promise.all(bodies.map(({ key, body }) => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))));
    process.send('ready');
  } else if (message === 'go') {
    const started = performance.now();
    await upload();
    process.send({ uploadedMs: performance.now() - started });
    process.disconnect();
  }
});
process.send('started');
